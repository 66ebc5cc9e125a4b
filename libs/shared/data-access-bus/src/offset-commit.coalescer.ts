/** kafkajs' shape for `commitOffsetsIfNecessary(offsets)`: the offset is the next record to read. */
export interface CommitOffsets {
  readonly topics: { topic: string; partitions: { partition: number; offset: string }[] }[];
}

export type SendCommit = (offsets: CommitOffsets) => Promise<void>;

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * One consumer's offset commits, sharing requests. Each partition batch commits its done prefix when it
 * ends (kafka.bus.ts), and a consumer with several partitions ends several batches per fetch: one
 * OffsetCommit request each, and one append to `__consumer_offsets` on the broker each. Here a commit
 * that comes while another is in flight waits for it and then goes in one request with every other
 * partition's that came meanwhile. Each caller still waits for the request carrying its offset, so a
 * batch returns only once its prefix is committed, as before.
 *
 * A partition has at most one commit waiting (its batches run one after the other, each awaiting its
 * commit), so the offset kept per partition is simply the latest one submitted.
 */
export class OffsetCommitCoalescer {
  private queued = new Map<string, { topic: string; partition: number; offset: string }>();
  private waiters: Waiter[] = [];
  private send: SendCommit | null = null;
  private deferredSend: SendCommit | null = null;
  private inFlight = false;
  private timer: NodeJS.Timeout | undefined;
  /** Settles (never rejects) when the last request did. */
  private lastRequest: Promise<void> = Promise.resolve();
  /** When the last request went out (performance.now()). */
  private lastSentAt = Number.NEGATIVE_INFINITY;

  /**
   * @param intervalMs a deferred offset goes out at most this long after the last request (defer()).
   * @param onDeferredError told when a request that nobody awaits fails: its records are delivered again.
   */
  constructor(
    private readonly intervalMs = 0,
    private readonly onDeferredError: (error: unknown) => void = () => undefined,
  ) {}

  /** True when a request went out less than `intervalMs` ago: a batch end may defer() rather than commit(). */
  sentRecently(): boolean {
    return performance.now() - this.lastSentAt < this.intervalMs;
  }

  /** Commits `offset` (the next to read) for the partition; `send` is the calling batch's own commit. */
  commit(topic: string, partition: number, offset: string, send: SendCommit): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queued.set(`${topic}\u0000${partition}`, { topic, partition, offset });
      this.waiters.push({ resolve, reject });
      // The latest batch's: after a rebalance, an older batch's payload may belong to the previous generation.
      this.send = send;
      this.flush();
    });
  }

  /**
   * Keeps `offset` for a request at most `intervalMs` after the last one, sent by `send` (the consumer's
   * own commit, valid after the batch ended), or sooner with any commit() that comes first. At low rates
   * a batch holds a record or two, and one request per batch end was most of a consumer's requests and of
   * the broker's appends to `__consumer_offsets`. Until it is sent, a crash or a rebalance delivers those
   * records again (at-least-once; consumers are idempotent); close() sends it first (flushNow).
   */
  defer(topic: string, partition: number, offset: string, send: SendCommit): void {
    this.queued.set(`${topic}\u0000${partition}`, { topic, partition, offset });
    this.deferredSend = send;
    this.arm();
  }

  /** Sends whatever is kept now through `send` and waits for it, or for the request in flight (close()). */
  flushNow(send: SendCommit): Promise<void> {
    this.clearTimer();
    if (this.queued.size === 0) {
      return this.lastRequest;
    }

    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.send = send;
      this.flush();
    });
  }

  /** Drops the offsets kept for later and their timer: the consumer is gone, its records are delivered again. */
  discard(): void {
    this.clearTimer();
    if (this.waiters.length === 0) {
      this.queued.clear();
    }
  }

  private clearTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    this.timer ??= setTimeout(
      () => {
        this.timer = undefined;
        this.flush();
      },
      Math.max(0, this.lastSentAt + this.intervalMs - performance.now()),
    );
  }

  private flush(): void {
    // A request someone awaits goes by that batch's commit; deferred offsets alone by the consumer's.
    const send = this.waiters.length > 0 ? this.send : this.deferredSend;
    if (this.inFlight || this.queued.size === 0 || !send) {
      return;
    }
    this.clearTimer();
    const byTopic = new Map<string, { partition: number; offset: string }[]>();
    for (const { topic, partition, offset } of this.queued.values()) {
      const partitions = byTopic.get(topic) ?? [];
      partitions.push({ partition, offset });
      byTopic.set(topic, partitions);
    }
    const waiters = this.waiters;
    this.queued = new Map();
    this.waiters = [];
    this.inFlight = true;
    this.lastSentAt = performance.now();
    const request = send({ topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })) });
    this.lastRequest = request.then(
      () => undefined,
      () => undefined,
    );
    request
      .then(
        () => waiters.forEach((waiter) => waiter.resolve()),
        (error: unknown) => {
          if (waiters.length === 0) {
            this.onDeferredError(error);
          }
          waiters.forEach((waiter) => waiter.reject(error));
        },
      )
      .finally(() => {
        this.inFlight = false;
        if (this.waiters.length > 0) {
          this.flush();
        } else if (this.queued.size > 0) {
          this.arm();
        }
      });
  }
}
