export interface GroupCommitOptions {
  /** Most items per batch (one transaction). */
  readonly maxBatch: number;
  /** Batches in flight at once: MySQL group-commits concurrent transactions; SQLite has one writer anyway. */
  readonly maxConcurrent: number;
  /** Turns the error of a batch of one into the error its caller sees. */
  readonly mapError?: (error: unknown) => unknown;
  /**
   * Start a batch only once the I/O events already waiting have been handled (setImmediate), so that the
   * items they submit share it. Without it, a write that completes within one turn of the event loop
   * (SQLite through prepared statements) starts every batch with one item, and each item pays its own
   * transaction. Adds no timer delay: the check phase follows the poll phase of the same loop turn.
   */
  readonly gather?: boolean;
}

interface Pending<T, R> {
  readonly item: T;
  readonly resolve: (result: R) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit: callers submit one item each and wait; items that arrive while a batch is being
 * written go together into the next one, so one transaction (one fsync, a few multi-row statements)
 * serves many callers (a 100-row INSERT is ~25x a single-row autocommit INSERT: docs/performance.md, "Reference figures").
 * A caller's promise settles only after its batch committed. If a batch fails, its items are retried
 * one by one, so one bad item (a duplicate key) fails alone.
 */
export class GroupCommitter<T, R> {
  private queue: Pending<T, R>[] = [];
  private inFlight = 0;
  private gathering = false;
  private readonly idle = new Set<() => void>();

  constructor(
    private readonly write: (items: readonly T[]) => Promise<readonly R[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves when everything submitted so far is committed or failed. */
  async drain(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0 && !this.gathering) {
      return;
    }
    await new Promise<void>((resolve) => this.idle.add(resolve));
  }

  private schedule(): void {
    if (!this.options.gather) {
      this.pump();

      return;
    }
    if (this.gathering) {
      return;
    }
    this.gathering = true;
    setImmediate(() => {
      this.gathering = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0 && this.inFlight < this.options.maxConcurrent) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight++;
      void this.flush(batch).finally(() => {
        this.inFlight--;
        if (this.queue.length > 0) {
          this.pump();
        } else if (this.inFlight === 0) {
          this.idle.forEach((resolve) => resolve());
          this.idle.clear();
        }
      });
    }
  }

  private async flush(batch: Pending<T, R>[]): Promise<void> {
    try {
      const results = await this.write(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(results[i] as R));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(this.options.mapError ? this.options.mapError(error) : error);

        return;
      }
      for (const pending of batch) {
        await this.flush([pending]);
      }
    }
  }
}
