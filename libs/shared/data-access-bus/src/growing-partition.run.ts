import type { PartitionBatchHooks, RawRecord } from './partition-batch.processor';
import { MAX_GROWN_BATCH, processPartitionBatch } from './partition-batch.processor';

/** The adapter's side of one partition's latest fetch (kafkajs' EachBatchPayload, narrowed). */
export interface PartitionFetch {
  readonly heartbeat: () => Promise<void>;
  /** False once the consumer is stopping. */
  readonly isRunning: () => boolean;
  /** True once a seek is pending for the partition: what was fetched before it is not to be handled. */
  readonly isStale: () => boolean;
}

export interface GrowingRunHooks<R extends RawRecord> {
  /** The processor's hooks that do not depend on the fetch: handler, retries, DLQ, sleep. */
  readonly batch: Omit<PartitionBatchHooks<R>, 'more' | 'shouldStop' | 'onDone' | 'heartbeat'>;
  /** True once the bus is closing, or the group began a rebalance after the run started. */
  readonly revoked: () => boolean;
  /**
   * The contiguous done prefix moved: `record` and everything fed before it are done. `final` on the
   * run's last call, `completed` when it ended because nothing was left to do (not a stop or a failure).
   * Called in offset order, one call at a time.
   */
  readonly onDone: (record: R, end: { readonly final: boolean; readonly completed: boolean }) => Promise<void>;
  /**
   * The run stopped with records fed to it and not done (a failure, a stop in the same generation): the
   * partition is to be fetched again from `offset`, because their fetch positions were already passed.
   */
  readonly rewind: (offset: string) => void;
}

/**
 * One partition's records handled as a single, growing batch across fetches, for subscriptions whose
 * records of a key may run at once (`keyConcurrency` > 1, the send-worker's dispatches).
 *
 * kafkajs fetches a partition again only once every batch of the previous fetch has returned, so a batch
 * that waits for its slowest record (a provider call of up to a second) would hold back the records that
 * arrived meanwhile, and a busy sender would send in bursts. Here the fetch hands its records to the run
 * and returns as soon as the run holds fewer than `maxHeld` records not yet done, so kafkajs fetches on
 * while the handlers run; the run takes each new fetch in mid-batch (the processor's `more` hook).
 *
 * Offsets: the fetch position moves past every record fed (the caller resolves them), but only the
 * contiguous done prefix is committed (`onDone`), so a crash redelivers everything from the lowest record
 * not yet done. A run that stops in the same group generation with records not done rewinds the fetch
 * position to the first of them; after a rebalance the group's committed offset is where the next owner
 * (this member again, or another) starts.
 */
export class GrowingPartitionRun<R extends RawRecord> {
  private readonly inbox: R[] = [];
  private arrived: (() => void) | undefined;
  private madeRoom: (() => void) | undefined;
  private fetch: PartitionFetch;
  private open = true;
  /** Offsets of the last record fed and of the first not yet done (numbers: offsets stay below 2^53). */
  private lastFed: number;
  private firstUndone: number;
  readonly ended: Promise<void>;

  constructor(
    first: readonly R[],
    fetch: PartitionFetch,
    private readonly maxHeld: number,
    private readonly hooks: GrowingRunHooks<R>,
  ) {
    this.fetch = fetch;
    this.firstUndone = Number((first[0] as R).offset);
    this.lastFed = Number((first.at(-1) as R).offset);
    this.inbox.push(...first);
    this.ended = this.run();
  }

  /** True while the run takes new records; once false it only finishes what it started. */
  get accepting(): boolean {
    return this.open;
  }

  /** Records fed and not yet done (an upper bound: compacted or transactional gaps count as records). */
  get held(): number {
    return this.lastFed - this.firstUndone + 1;
  }

  /** Hands a later fetch of the partition to the run. Only while `accepting`; records in offset order. */
  feed(records: readonly R[], fetch: PartitionFetch): void {
    if (!this.open) {
      throw new Error('the run no longer takes records');
    }
    if (records.length === 0) {
      return;
    }
    this.fetch = fetch;
    this.inbox.push(...records);
    this.lastFed = Number((records.at(-1) as R).offset);
    this.arrived?.();
  }

  /** Resolves once the run holds fewer than `maxHeld` records not done, or has ended. */
  async room(): Promise<void> {
    while (this.open && this.held >= this.maxHeld) {
      await new Promise<void>((resolve) => {
        this.madeRoom = resolve;
      });
    }
  }

  private stopped(): boolean {
    return this.hooks.revoked() || !this.fetch.isRunning() || this.fetch.isStale();
  }

  private async run(): Promise<void> {
    let completed = false;
    let lastDone: R | undefined;
    let progress: Promise<void> = Promise.resolve();
    try {
      // A processor batch ends at MAX_GROWN_BATCH records; what is left in the inbox starts the next one.
      while (this.inbox.length > 0 && !this.stopped()) {
        const batch = this.inbox.splice(0, MAX_GROWN_BATCH);
        await processPartitionBatch(batch, {
          ...this.hooks.batch,
          more: {
            take: (max) => this.inbox.splice(0, max),
            arrival: () =>
              new Promise<void>((resolve) => {
                this.arrived = resolve;
              }).finally(() => {
                this.arrived = undefined;
              }),
          },
          shouldStop: () => this.stopped(),
          heartbeat: () => this.fetch.heartbeat(),
          onDone: (record) => {
            lastDone = record;
            this.firstUndone = Number(record.offset) + 1;
            this.madeRoom?.();
            progress = this.hooks.onDone(record, { final: false, completed: false });

            return progress;
          },
        });
      }
      // Nothing may be fed between the loop's last look at the inbox and this line (no await in between).
      completed = this.inbox.length === 0 && !this.stopped();
    } finally {
      this.open = false;
      this.madeRoom?.();
      await progress.catch(() => undefined);
      if (lastDone) {
        await this.hooks.onDone(lastDone, { final: true, completed });
      }
      const undone = this.firstUndone <= this.lastFed;
      if (!completed && undone && !this.hooks.revoked() && this.fetch.isRunning() && !this.fetch.isStale()) {
        this.hooks.rewind(String(this.firstUndone));
      }
    }
  }
}
