import type { RetryBackoffPolicy } from './bus.constants';
import { DLQ_ERROR_MAX_CHARS, INFRA_RETRY_BACKOFF, PAUSE_STOP_CHECK_MS } from './bus.constants';
import { isHandlerStopped, isNonRetriable } from './bus.errors';
import { classifyHandlerError } from './infrastructure-error';
import type { BusLogger } from './bus.logger';
import { errorFields } from './bus.logger';
import type { RecordHandler } from './bus.port';
import type { DecodedValue } from './json.codec';
import { decodeValue } from './json.codec';
import { metrics } from '@sms/metrics';
import { contextFromHeaders, inSpan, isTracingActive, SpanKind, withTraceHeaders } from '@sms/tracing';

/** A record as stored on the bus, before its value is parsed. */
export interface RawRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string;
  /** UTF-8 JSON text; null for a tombstone. Kept raw so a DLQ copy carries the exact original bytes. */
  readonly value: string | null;
  readonly headers: Readonly<Record<string, string>>;
  /**
   * The value already decoded and deep-frozen (the in-process bus): handed to every attempt as it is, since
   * no attempt can edit it. Without it the text is parsed per attempt.
   */
  readonly decoded?: DecodedValue;
}

export interface DeadLetter<R extends RawRecord = RawRecord> {
  readonly record: R;
  /** `Name: message`, one line, truncated. */
  readonly error: string;
  /** Handler invocations made; 0 when the value never parsed. */
  readonly attempts: number;
}

/**
 * What an adapter plugs into the shared processor. Both buses run their partitions through the same code,
 * so ordering, retry, DLQ and commit semantics cannot drift apart.
 */
export interface PartitionBatchHooks<R extends RawRecord = RawRecord> {
  readonly handler: RecordHandler;
  readonly maxAttempts: number;
  readonly concurrency: number;
  /** Records of one key running at once (SubscriptionOptions.keyConcurrency). Default 1. */
  readonly keyConcurrency?: number;
  /**
   * Records that arrived after the batch (the next offsets), and a wait for the next arrival. Used only
   * with `keyConcurrency` > 1: while the batch still runs, new records start at once instead of waiting
   * for its slowest record (a whole provider latency on the send-worker). Up to MAX_GROWN_BATCH records.
   */
  readonly more?: { readonly take: (max: number) => readonly R[]; readonly arrival: () => Promise<void> };
  /** Records done without a handler call (SubscriptionOptions.ignores). */
  readonly ignores?: (headers: Readonly<Record<string, string>>) => boolean;
  readonly backoff: RetryBackoffPolicy;
  /** Backoff while the handler meets an infrastructure error. Default INFRA_RETRY_BACKOFF. */
  readonly infraBackoff?: RetryBackoffPolicy;
  readonly logger: BusLogger;
  /** True once the adapter wants no new record started (closing, partition revoked, seek). */
  readonly shouldStop: () => boolean;
  /** Called in offset order, one call at a time: `record` and everything before it in the batch are done. */
  readonly onDone: (record: R) => void | Promise<void>;
  /** Must resolve only once the DLQ copy is durable; a rejection stops the batch uncommitted. */
  readonly deadLetter: (letter: DeadLetter<R>) => Promise<void>;
  /** Called between records and while handlers run; a rejection (a rebalance) stops the batch. */
  readonly heartbeat: () => Promise<void>;
  /** Also heartbeat on a timer, for handlers slower than the session timeout allows between records. */
  readonly heartbeatEveryMs?: number;
  /** Waits `ms`; resolves false when cut short because the adapter is stopping. */
  readonly sleep: (ms: number) => Promise<boolean>;
  /** `messaging.system` of the CONSUMER spans; Kafka's semantic-convention value `kafka` when not given. */
  readonly messagingSystem?: string;
}

/** Records one batch may grow to through `hooks.more` before it must drain and end. */
export const MAX_GROWN_BATCH = 10_000;

export interface PartitionBatchResult {
  /** Length of the contiguous done prefix; the rest of the batch must be delivered again. */
  readonly done: number;
}

/** Exponential backoff for the n-th failed attempt (1-based), spread by ±jitter. */
export function retryDelayMs(policy: RetryBackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxMs, policy.initialMs * policy.multiplier ** (attempt - 1));
  const spread = base * policy.jitter;

  return Math.max(0, Math.round(base - spread + random() * 2 * spread));
}

/** One line: the header must not carry CR/LF into logs (CWE-117), nor a stack into the record size. */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);

  return text.replace(/[\r\n]+/g, ' ').slice(0, DLQ_ERROR_MAX_CHARS);
}

/**
 * Runs one partition's batch. Records of one key run one at a time in offset order (up to `keyConcurrency`
 * at a time when asked, each started in offset order); different keys run concurrently up to
 * `concurrency`. Scheduling walks the batch in offset order and only looks ahead while a slot is free, so
 * with concurrency 1 this is plain sequential offset order.
 *
 * A record is *done* when its handler resolved, or when it went to the DLQ. Only the contiguous done
 * prefix is reported to `onDone` (and so committed): a fast key that finished past a slow one is
 * re-delivered after a crash rather than lost.
 *
 * On stop, in-flight handlers finish and nothing new starts; a record waiting in backoff is abandoned
 * (not done), so it is retried after the restart instead of going to the DLQ early.
 *
 * An infrastructure error (infrastructure-error.ts: the database, Redis or the Kafka producer is down)
 * pauses the partition: no new record starts, the failed record is tried again with INFRA_RETRY_BACKOFF
 * for as long as the outage lasts (its tries do not count toward `maxAttempts`), and records of other keys
 * that were already running and meet the outage too wait for that one record's next success instead of
 * each probing the dependency. Nothing past the failed record is committed meanwhile, and a stop ends the
 * wait at once. Only errors about the record itself go to the DLQ.
 */
export async function processPartitionBatch<R extends RawRecord>(
  batch: readonly R[],
  hooks: PartitionBatchHooks<R>,
): Promise<PartitionBatchResult> {
  return new PartitionBatch(batch, hooks).run();
}

/** A record's failed attempts so far, and the partition's reopening while this record probes an outage. */
interface AttemptState {
  failures: number;
  infraFailures: number;
  resume: (() => void) | undefined;
}

/** What a failed attempt leads to: try the record again, or the record's result (see handleOne). */
type AttemptVerdict = boolean | 'retry';

/** One processPartitionBatch call: the batch's records, their done prefix, the key lanes and the pause. */
class PartitionBatch<R extends RawRecord> {
  // Grows only through `hooks.more` (never past MAX_GROWN_BATCH, so a batch that never idles still ends).
  private readonly records: R[];
  private readonly done: boolean[];
  private readonly more: PartitionBatchHooks<R>['more'];
  private prefix = 0;
  private progress: Promise<void> = Promise.resolve();
  private failure: { readonly error: unknown } | undefined;
  private heartbeatInFlight: Promise<void> | undefined;
  // The partition's pause while a dependency is down: one record (the prober) retries, everything else waits.
  private outage: { readonly reopened: Promise<void>; readonly reopen: () => void } | undefined;
  private readonly infraBackoff: RetryBackoffPolicy;
  // key → the runners of that key now and the indexes waiting behind them. A lane only queues once it has
  // all `keyConcurrency` runners, and a runner leaves only when the queue is empty, so a queued record
  // always has a runner of its key to pick it up.
  private readonly keyConcurrency: number;
  private readonly lanes = new Map<string, { runners: number; readonly queue: number[] }>();
  private running = 0;
  private slotFreed: (() => void) | undefined;
  private readonly tasks: Promise<void>[] = [];
  private pendingArrival: Promise<void> | undefined;

  constructor(
    batch: readonly R[],
    private readonly hooks: PartitionBatchHooks<R>,
  ) {
    this.records = [...batch];
    this.done = new Array<boolean>(this.records.length).fill(false);
    this.more = (hooks.keyConcurrency ?? 1) > 1 ? hooks.more : undefined;
    this.infraBackoff = hooks.infraBackoff ?? INFRA_RETRY_BACKOFF;
    this.keyConcurrency = hooks.keyConcurrency ?? 1;
  }

  async run(): Promise<PartitionBatchResult> {
    const { hooks } = this;
    const ticker =
      hooks.heartbeatEveryMs === undefined
        ? undefined
        : setInterval(() => void this.heartbeat(), hooks.heartbeatEveryMs);
    try {
      // Awaits only where a record must wait (a slot, the pause, an arrival), as a plain loop would: a call per
      // record that always awaited would cost a microtask turn per record.
      for (let index = 0; !this.stopped() && (index < this.records.length || (await this.grow())); index++) {
        const record = this.records[index] as R;
        if (this.doneOrQueued(record, index)) {
          continue;
        }
        while (this.running >= hooks.concurrency) {
          await new Promise<void>((resolve) => {
            this.slotFreed = resolve;
          });
          this.slotFreed = undefined;
        }
        if (this.outage) {
          await this.whilePaused();
        }
        if (this.stopped()) {
          break;
        }
        // The wait above let runners of this key start or finish: look again.
        if (this.queueBehindKey(record.key, index)) {
          continue;
        }
        this.startLane(record.key, index);
      }
      await Promise.all(this.tasks);
      await this.progress;
    } finally {
      if (ticker) {
        clearInterval(ticker);
      }
      await this.heartbeatInFlight;
    }
    if (this.failure) {
      throw this.failure.error;
    }

    return { done: this.prefix };
  }

  // An arrow, so that each `.catch` takes it as it is rather than a new closure per record.
  private readonly fail = (error: unknown): void => {
    this.failure ??= { error };
  };

  private stopped(): boolean {
    return this.failure !== undefined || this.hooks.shouldStop();
  }

  // Single-flight: several lanes finishing together must not each send a Heartbeat request.
  private heartbeat(): Promise<void> {
    this.heartbeatInFlight ??= this.hooks
      .heartbeat()
      .catch(this.fail)
      .finally(() => {
        this.heartbeatInFlight = undefined;
      });

    return this.heartbeatInFlight;
  }

  private markDone(index: number): void {
    this.done[index] = true;
    const before = this.prefix;
    while (this.prefix < this.records.length && this.done[this.prefix]) {
      this.prefix++;
    }
    if (this.prefix > before) {
      const last = this.records[this.prefix - 1] as R;
      // Chained so onDone sees offsets in order even when it is async (a commit round trip). It runs after a
      // failure too: a rebalance is exactly when the finished prefix should still be committed.
      this.progress = this.progress.then(() => this.hooks.onDone(last)).catch(this.fail);
    }
  }

  private async deadLetter(record: R, error: string, attempts: number): Promise<boolean> {
    try {
      await this.hooks.deadLetter({ record, error, attempts });
      this.hooks.logger.warn('Record sent to the DLQ', {
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        attempts,
        error,
      });

      return true;
    } catch (dlqError) {
      this.hooks.logger.error('Could not publish to the DLQ; the batch stops uncommitted', {
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        ...errorFields(dlqError),
      });
      this.fail(dlqError);

      return false;
    }
  }

  private async whilePaused(): Promise<void> {
    while (this.outage && !this.stopped()) {
      await Promise.race([this.outage.reopened, this.sleepUnlessStopped(PAUSE_STOP_CHECK_MS)]);
    }
  }

  /** Sleeps in short slices so that a stop (a rebalance, close()) is seen within PAUSE_STOP_CHECK_MS. */
  private async sleepUnlessStopped(ms: number): Promise<boolean> {
    const until = performance.now() + ms;
    for (let left = ms; left > 0; left = until - performance.now()) {
      if (this.stopped() || !(await this.hooks.sleep(Math.min(left, PAUSE_STOP_CHECK_MS)))) {
        return false;
      }
    }

    return !this.stopped();
  }

  private pause(record: R): () => void {
    let reopen!: () => void;
    const reopened = new Promise<void>((resolve) => {
      reopen = resolve;
    });
    this.outage = { reopened, reopen };
    const since = performance.now();
    metrics.busPauses.inc({ topic: record.topic });
    metrics.busPartitionsPaused.inc({ topic: record.topic });

    return () => {
      this.outage = undefined;
      metrics.busPartitionsPaused.dec({ topic: record.topic });
      reopen();
      this.hooks.logger.info('Partition resumed after an infrastructure error', {
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        pausedMs: Math.round(performance.now() - since),
      });
    };
  }

  /** True when the record is done (handled or dead-lettered); false when abandoned because of a stop. */
  private async handleOne(record: R): Promise<boolean> {
    const { hooks } = this;
    const state: AttemptState = { failures: 0, infraFailures: 0, resume: undefined };
    try {
      for (let attempt = 1; ; attempt++) {
        // Parsed per attempt: a handler that mutated the value on a failed attempt must not see its own edits.
        const decoded = record.decoded ?? decodeValue(record.value);
        if (!decoded.ok) {
          return await this.deadLetter(record, describeError(decoded.error), attempt - 1);
        }
        const started = performance.now();
        try {
          await runTraced(record, attempt, hooks.messagingSystem ?? 'kafka', () =>
            hooks.handler({
              topic: record.topic,
              partition: record.partition,
              offset: record.offset,
              key: record.key,
              value: decoded.value,
              // A handler that forwards the headers forwards this hop's span, not the previous one.
              headers: withTraceHeaders(record.headers, undefined, true) ?? {},
              attempt,
            }),
          );
          metrics.busHandlerDuration.observe({ topic: record.topic }, (performance.now() - started) / 1000);
          metrics.busRecordsConsumed.inc({ topic: record.topic, outcome: 'ok' });

          return true;
        } catch (error) {
          const verdict = await this.afterFailedAttempt(record, attempt, error, state);
          if (verdict !== 'retry') {
            return verdict;
          }
        }
      }
    } finally {
      state.resume?.();
    }
  }

  private async afterFailedAttempt(
    record: R,
    attempt: number,
    error: unknown,
    state: AttemptState,
  ): Promise<AttemptVerdict> {
    if (isHandlerStopped(error)) {
      // Not done and not failed: left for redelivery, like a record a stop cut short.
      return false;
    }
    if (classifyHandlerError(error) === 'infrastructure') {
      return this.afterInfrastructureError(record, error, state);
    }
    // The dependency answered (this is about the record): the partition need not wait any longer.
    state.resume?.();
    state.resume = undefined;
    state.failures++;
    if (isNonRetriable(error) || state.failures >= this.hooks.maxAttempts) {
      metrics.busRecordsConsumed.inc({ topic: record.topic, outcome: 'dead_lettered' });

      return await this.deadLetter(record, describeError(error), attempt);
    }
    metrics.busRecordsConsumed.inc({ topic: record.topic, outcome: 'error' });
    if (this.stopped()) {
      return false;
    }
    const delay = retryDelayMs(this.hooks.backoff, state.failures);
    this.hooks.logger.warn('Handler failed; retrying', {
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      attempt,
      delayMs: delay,
      ...errorFields(error),
    });
    await this.heartbeat();
    if (!(await this.hooks.sleep(delay)) || this.stopped()) {
      return false;
    }

    return 'retry';
  }

  private async afterInfrastructureError(record: R, error: unknown, state: AttemptState): Promise<AttemptVerdict> {
    metrics.busRecordsConsumed.inc({ topic: record.topic, outcome: 'infra_error' });
    metrics.busInfraRetries.inc({ topic: record.topic });
    state.infraFailures++;
    if (!state.resume && this.outage) {
      // Another record of this partition is already probing the dependency: wait for its verdict.
      await this.whilePaused();

      return this.stopped() ? false : 'retry';
    }
    if (!state.resume) {
      state.resume = this.pause(record);
      this.hooks.logger.warn('Infrastructure error; partition paused until the dependency is back', {
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        ...errorFields(error),
      });
    }
    const delay = retryDelayMs(this.infraBackoff, state.infraFailures);
    this.hooks.logger.debug('Infrastructure error; retrying the record', {
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      tries: state.infraFailures,
      delayMs: delay,
      ...errorFields(error),
    });
    await this.heartbeat();

    return (await this.sleepUnlessStopped(delay)) ? 'retry' : false;
  }

  private async runLane(key: string, first: number): Promise<void> {
    try {
      for (let index: number | undefined = first; index !== undefined; index = this.lanes.get(key)?.queue.shift()) {
        if (this.outage) {
          await this.whilePaused();
        }
        if (this.stopped() || !(await this.handleOne(this.records[index] as R))) {
          break;
        }
        this.markDone(index);
        await this.heartbeat();
      }
    } finally {
      // No await between the last shift() and here, so the scheduler cannot append to a finished lane.
      const lane = this.lanes.get(key);
      if (lane && --lane.runners === 0) {
        this.lanes.delete(key);
      }
      this.running--;
      this.slotFreed?.();
    }
  }

  /** True when the key already runs all the records it may: the index waits in its lane. */
  private queueBehindKey(key: string, index: number): boolean {
    const lane = this.lanes.get(key);
    if (!lane || lane.runners < this.keyConcurrency) {
      return false;
    }
    lane.queue.push(index);

    return true;
  }

  /**
   * Past the end of the batch while some of it still runs: waits for a new record or a finished one, and
   * appends what arrived. False when there is nothing more to schedule.
   */
  private async grow(): Promise<boolean> {
    const { more, records } = this;
    while (more && this.running > 0 && records.length < MAX_GROWN_BATCH && !this.stopped()) {
      const arrived = more.take(MAX_GROWN_BATCH - records.length);
      if (arrived.length > 0) {
        records.push(...arrived);
        this.done.push(...arrived.map(() => false));

        return true;
      }
      // One arrival wait at a time, however many records finish before the next append.
      this.pendingArrival ??= more.arrival().then(() => {
        this.pendingArrival = undefined;
      });
      await Promise.race([
        this.pendingArrival,
        new Promise<void>((resolve) => {
          this.slotFreed = resolve;
        }),
      ]);
      this.slotFreed = undefined;
    }

    return false;
  }

  /** True when the record needs no runner now: ignored (done where it stands) or queued behind its key. */
  private doneOrQueued(record: R, index: number): boolean {
    if (this.hooks.ignores?.(record.headers)) {
      // Nothing runs for it, so it cannot overtake a record of its key: done where it stands.
      metrics.busRecordsConsumed.inc({ topic: record.topic, outcome: 'ignored' });
      this.markDone(index);

      return true;
    }

    return this.queueBehindKey(record.key, index);
  }

  private startLane(key: string, index: number): void {
    const lane = this.lanes.get(key);
    if (lane) {
      lane.runners++;
    } else {
      this.lanes.set(key, { runners: 1, queue: [] });
    }
    this.running++;
    this.tasks.push(this.runLane(key, index));
  }
}

/**
 * Each delivery attempt is a CONSUMER span (messaging semantic conventions: `process <topic>`) whose parent
 * is the publisher's PRODUCER span carried in the record's headers, so one trace follows a message across
 * every hop, on Kafka and in-process alike. The record key is not recorded: on sms.dispatch.v1 it is a
 * sender phone number.
 */
function runTraced(record: RawRecord, attempt: number, system: string, work: () => Promise<void>): Promise<void> {
  if (!isTracingActive()) {
    return work();
  }

  return inSpan(
    `process ${record.topic}`,
    {
      kind: SpanKind.CONSUMER,
      parent: contextFromHeaders(record.headers),
      attributes: {
        'messaging.system': system,
        'messaging.operation.type': 'process',
        'messaging.operation.name': 'process',
        'messaging.destination.name': record.topic,
        'messaging.destination.partition.id': String(record.partition),
        'messaging.kafka.offset': Number(record.offset),
        'sms.delivery_attempt': attempt,
      },
    },
    work,
  );
}
