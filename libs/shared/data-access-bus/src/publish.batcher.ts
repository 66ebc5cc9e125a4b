import type { PublishBatchPolicy } from './bus.constants';
import { BusClosedError } from './bus.errors';

interface Ticket<T> {
  readonly items: readonly T[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Coalesces concurrent `add()` calls into one `send()` of up to `maxBatchRecords` items. Each caller's
 * promise settles with the outcome of the batch that carried its items; one call's items are never split
 * across batches, so a publish of several records is all-or-nothing.
 *
 * At most one `send()` runs at a time. That is what keeps per-key order across calls (batch n+1 is not
 * written before batch n is acknowledged) and what the kafkajs idempotent producer needs: its sequence
 * numbers are rolled back on a failed request, which is only safe if nothing was sent after it. Items that
 * arrive while a send is in flight go out as soon as it returns: the round trip itself is the linger.
 */
export class PublishBatcher<T> {
  private readonly pending: Ticket<T>[] = [];
  private pendingItems = 0;
  private timer: NodeJS.Timeout | undefined;
  private pumping: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly send: (items: readonly T[]) => Promise<void>,
    private readonly policy: PublishBatchPolicy,
  ) {}

  add(items: readonly T[]): Promise<void> {
    if (this.closed) {
      return Promise.reject(new BusClosedError());
    }
    if (items.length === 0) {
      return Promise.resolve();
    }
    const settled = new Promise<void>((resolve, reject) => {
      this.pending.push({ items, resolve, reject });
    });
    this.pendingItems += items.length;
    if (this.pendingItems >= this.policy.maxBatchRecords) {
      this.pump();
    } else {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, this.policy.lingerMs);
    }

    return settled;
  }

  /** Sends everything pending now and waits for it; later add() calls are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    this.pump();
    while (this.pumping) {
      await this.pumping;
    }
  }

  private pump(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.pumping ??= this.drain().finally(() => {
      this.pumping = undefined;
      // A caller woken by the last batch may have added items before this callback ran; pump() was a no-op.
      if (this.pending.length > 0) {
        this.pump();
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.take();
      const items = batch.flatMap((ticket) => ticket.items);
      try {
        await this.send(items);
        batch.forEach((ticket) => ticket.resolve());
      } catch (error) {
        batch.forEach((ticket) => ticket.reject(error));
      }
    }
  }

  /** Whole tickets up to maxBatchRecords items; a single oversized ticket goes alone. */
  private take(): Ticket<T>[] {
    const batch: Ticket<T>[] = [];
    let count = 0;
    while (this.pending.length > 0) {
      const next = this.pending[0] as Ticket<T>;
      if (batch.length > 0 && count + next.items.length > this.policy.maxBatchRecords) {
        break;
      }
      batch.push(next);
      count += next.items.length;
      this.pending.shift();
    }
    this.pendingItems -= count;

    return batch;
  }
}
