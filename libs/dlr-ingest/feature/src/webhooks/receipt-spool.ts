import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * One accepted webhook as the spool keeps it: everything the `inbound_webhooks` row is built from. Only
 * verified webhooks are spooled (a rejected one is answered 401/403 whether or not it could be stored).
 */
export interface SpooledWebhook {
  readonly id: string;
  readonly provider: string;
  readonly kind: 'status' | 'inbound';
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly contentType: string;
  readonly dedupeKey: string;
  /** When the provider delivered it (ISO-8601); the stored row takes the time it reaches the database. */
  readonly receivedAt: string;
  readonly traceHeaders?: Readonly<Record<string, string>>;
}

export interface ReceiptSpoolOptions {
  readonly directory: string;
  /** Bytes of spooled receipts on disk at most; a receipt that does not fit is refused (the caller answers 503). */
  readonly maxBytes: number;
  /** How often the spool tries to move what it holds into the database. */
  readonly drainIntervalMs?: number;
  readonly onError?: (error: unknown) => void;
  /** Called after each segment moved into the database (tests, logs). */
  readonly onDrained?: (count: number) => void;
}

/** Writes spooled webhooks into the database; resolves once they are committed (already stored ones skipped). */
export type SpoolSink = (entries: readonly SpooledWebhook[]) => Promise<void>;

const SEGMENT = /^(\d{13})-(\d{6})-(\d+)\.spool$/;

/**
 * dlr-ingest's durable spool: where accepted receipts go while the database cannot store them, so that a
 * receipt the provider will not send again is never answered 2xx and then lost.
 *
 * Append-only segment files of JSON lines under one directory. Concurrent receipts share one write and
 * one fsync (a promise chain runs one file operation at a time), and each caller's promise resolves only
 * after its line is on disk: the 2xx follows the fsync. A new segment's directory entry is fsync'd too,
 * or a crash could forget the file. A process never appends to a segment it did not create, so a torn
 * line (a crash in the middle of a write, never acknowledged) can only be the last line of a file, and
 * the reader drops it.
 *
 * Draining seals the open segment (new receipts start another) and hands each sealed segment, oldest
 * first, to the sink; the file is deleted only after the sink committed. A crash between the commit and
 * the delete drains the segment again on the next start: the sink skips rows already stored by id, and
 * dedupe keys catch a provider's retry of the same receipt.
 *
 * One directory per process: two processes draining one directory would both insert (harmless, the ids
 * collide) but race on the deletes.
 */
export class ReceiptSpool {
  private bytes = 0;
  private entries = 0;
  private segments = 0;
  private open: { name: string; handle: fs.FileHandle } | null = null;
  private sequence = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private queued: { entry: SpooledWebhook; line: Buffer; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private queuedBytes = 0;
  private writing = false;
  private draining: Promise<number> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private sink: SpoolSink | null = null;
  private readonly drainIntervalMs: number;

  constructor(private readonly options: ReceiptSpoolOptions) {
    this.drainIntervalMs = options.drainIntervalMs ?? 1_000;
  }

  /** Creates the directory and counts what an earlier process left in it. */
  async init(): Promise<void> {
    await fs.mkdir(this.options.directory, { recursive: true });
    const names = await this.segmentNames();
    this.bytes = 0;
    this.entries = 0;
    for (const name of names) {
      const text = await fs.readFile(path.join(this.options.directory, name), 'utf8');
      this.bytes += Buffer.byteLength(text);
      this.entries += parseSegment(text).length;
    }
    this.segments = names.length;
  }

  /** Bytes on disk (and being written). */
  get size(): number {
    return this.bytes + this.queuedBytes;
  }

  /** Receipts on disk waiting for the database (the outbox backlog gauge). */
  get count(): number {
    return this.entries;
  }

  /** True while the spool holds receipts the database has not taken yet. */
  get holding(): boolean {
    return this.size > 0 || this.segments > 0;
  }

  /**
   * Keeps one webhook durably; resolves once it is fsync'd. Rejects with {@link SpoolFullError} when it
   * does not fit in `maxBytes`, or with the file system's error.
   */
  keep(entry: SpooledWebhook): Promise<void> {
    const line = Buffer.from(`${JSON.stringify(entry)}\n`, 'utf8');
    if (this.size + line.length > this.options.maxBytes) {
      return Promise.reject(new SpoolFullError());
    }

    return new Promise<void>((resolve, reject) => {
      this.queued.push({ entry, line, resolve, reject });
      this.queuedBytes += line.length;
      this.pumpWrites();
      this.armDrain();
    });
  }

  /**
   * Drains into `sink` at once (what a crashed process left), then every interval while the spool holds
   * receipts. The timer runs only then: armed by `keep()` and by a start that finds segments, disarmed by
   * the first tick that finds nothing held, so an idle process is not woken for a spool that is empty.
   */
  start(sink: SpoolSink): void {
    if (this.sink) {
      return;
    }
    this.sink = sink;
    this.armDrain();
    this.tick();
  }

  private readonly tick = (): void => {
    const sink = this.sink;
    if (!sink) {
      return;
    }
    if (!this.holding) {
      this.disarmDrain();

      return;
    }
    void this.drain(sink).catch((error: unknown) => this.options.onError?.(error));
  };

  /** True while the drain's timer is armed. */
  get ticking(): boolean {
    return this.timer !== null;
  }

  private armDrain(): void {
    if (this.sink && !this.timer) {
      this.timer = setInterval(this.tick, this.drainIntervalMs);
      this.timer.unref();
    }
  }

  private disarmDrain(): void {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /** Stops the timer, waits for the running drain and closes the open segment (what it holds stays for the next start). */
  async stop(): Promise<void> {
    this.sink = null;
    this.disarmDrain();
    await this.draining?.catch(() => undefined);
    await this.enqueue(() => this.seal());
  }

  /**
   * Moves every sealed segment into `sink`, oldest first; returns how many receipts it moved. Stops at the
   * first segment the sink fails on (the database is still down): that and later segments stay for the
   * next drain. One drain at a time.
   */
  drain(sink: SpoolSink): Promise<number> {
    this.draining ??= this.drainOnce(sink).finally(() => {
      this.draining = null;
    });

    return this.draining;
  }

  private async drainOnce(sink: SpoolSink): Promise<number> {
    await this.enqueue(() => this.seal());
    let moved = 0;
    for (const name of await this.segmentNames()) {
      if (name === this.open?.name) {
        continue; // opened after the seal: the next drain takes it
      }
      const file = path.join(this.options.directory, name);
      const entries = parseSegment(await fs.readFile(file, 'utf8'));
      if (entries.length > 0) {
        await sink(entries);
      }
      const { size } = await fs.stat(file);
      await fs.unlink(file);
      await this.syncDirectory();
      this.bytes = Math.max(0, this.bytes - size);
      this.segments = Math.max(0, this.segments - 1);
      this.entries = Math.max(0, this.entries - entries.length);
      moved += entries.length;
      this.options.onDrained?.(entries.length);
    }

    return moved;
  }

  /** Runs file operations one at a time: appends, seals and deletes never interleave. */
  private enqueue<T>(operation: () => Promise<T>): Promise<T> {
    const next = this.chain.then(operation, operation);
    this.chain = next.catch(() => undefined);

    return next;
  }

  /** Writes everything queued so far in one write + fsync; receipts arriving meanwhile form the next write. */
  private pumpWrites(): void {
    if (this.writing || this.queued.length === 0) {
      return;
    }
    this.writing = true;
    const batch = this.queued;
    this.queued = [];
    void this.enqueue(async () => {
      const data = Buffer.concat(batch.map((item) => item.line));
      try {
        const segment = await this.openSegment();
        await segment.handle.write(data);
        await segment.handle.datasync();
        this.bytes += data.length;
        this.entries += batch.length;
        batch.forEach((item) => item.resolve());
      } catch (error) {
        // The file may hold part of the batch: close it so that no later line follows a torn one.
        await this.seal().catch(() => undefined);
        batch.forEach((item) => item.reject(error));
      } finally {
        this.queuedBytes -= data.length;
      }
    }).finally(() => {
      this.writing = false;
      this.pumpWrites();
    });
  }

  private async openSegment(): Promise<{ name: string; handle: fs.FileHandle }> {
    if (this.open) {
      return this.open;
    }
    this.sequence = (this.sequence + 1) % 1_000_000;
    const name = `${Date.now()}-${String(this.sequence).padStart(6, '0')}-${process.pid}.spool`;
    const handle = await fs.open(
      path.join(this.options.directory, name),
      fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_APPEND,
      0o600,
    );
    await this.syncDirectory();
    this.open = { name, handle };
    this.segments += 1;

    return this.open;
  }

  private async seal(): Promise<void> {
    const open = this.open;
    this.open = null;
    await open?.handle.close();
  }

  private async syncDirectory(): Promise<void> {
    const dir = await fs.open(this.options.directory, fsConstants.O_RDONLY);
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }

  private async segmentNames(): Promise<string[]> {
    const names = (await fs.readdir(this.options.directory)).filter((name) => SEGMENT.test(name));

    return names.sort(); // zero-padded time and sequence: oldest first
  }
}

/** The receipts of one segment; a last line without its newline was torn by a crash and never acknowledged. */
export function parseSegment(text: string): SpooledWebhook[] {
  const lines = text.split('\n');
  lines.pop(); // after the last newline: empty, or a torn line
  const entries: SpooledWebhook[] = [];
  for (const line of lines) {
    if (line !== '') {
      entries.push(JSON.parse(line) as SpooledWebhook);
    }
  }

  return entries;
}

/** The spool has no room: the receipt is refused with a 503 so that the provider retries it later. */
export class SpoolFullError extends Error {
  override readonly name = 'SpoolFullError';

  constructor() {
    super('receipt spool is full');
  }
}
