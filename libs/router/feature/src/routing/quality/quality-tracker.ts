import { type StatusChangedV1, StatusEventKind, StatusEventSource } from '@sms/contracts';
import {
  addCounts,
  binOf,
  emptyCounts,
  errorClassOf,
  type QualityCounts,
  type RouteKey,
  routeKeyString,
} from './quality-counts';

/** Where closed buckets go: the short-bucket store and the hourly roll-ups. */
export interface QualitySink {
  /** Adds the bucket's counts (route key string → counts) to what the sink holds for that time. */
  add(bucketStart: number, counts: ReadonlyMap<string, QualityCounts>): Promise<void>;
}

export interface QualityTrackerOptions {
  /** Length of a short bucket; the tracker flushes once per bucket. */
  readonly bucketMs: number;
  /**
   * A sent message without a final receipt after this long counts as overdue, even if reconciliation
   * never reports on it (it is off, or its answer was lost). Longer than reconciliation's deadline.
   */
  readonly receiptDeadlineMs: number;
  /** Messages awaiting a receipt kept at most (the oldest count as overdue past it): bounds memory. */
  readonly maxPending: number;
}

export const DEFAULT_TRACKER_OPTIONS: QualityTrackerOptions = {
  bucketMs: 60_000,
  receiptDeadlineMs: 3 * 3_600_000,
  maxPending: 1_000_000,
};

interface Pending {
  readonly key: string;
  readonly sentAt: number;
}

/**
 * Counts route quality from `sms.status.v1` in memory and hands each closed bucket to the sinks: no
 * store write per event (the health consumer sees every send and receipt), one per route per bucket.
 *
 * Receipts carry no country: a message's route is remembered from its send result (which does) until its
 * final receipt, its reconciliation, or the deadline. The memory is this replica's: receipts whose send
 * was counted by another replica or before a restart are not matched (`unmatched`), which the consumer
 * group's key (the message id) makes rare outside rebalances.
 */
export class QualityTracker {
  private current = new Map<string, QualityCounts>();
  private bucketStart: number;
  private readonly pending = new Map<string, Pending>();
  private readonly options: QualityTrackerOptions;
  /** Receipts whose send this replica did not see (for the metrics and tests). */
  unmatched = 0;

  constructor(
    private readonly sinks: readonly QualitySink[],
    options: Partial<QualityTrackerOptions> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.options = { ...DEFAULT_TRACKER_OPTIONS, ...options };
    this.bucketStart = this.bucketOf(this.now());
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Counts what the event says of its route; synchronous and allocation-light (hot path). */
  observe(event: StatusChangedV1): void {
    if (!event.provider) {
      return;
    }
    if (event.source === StatusEventSource.SendWorker) {
      this.observeSend(event, event.provider);
    } else if (event.source === StatusEventSource.Dlr) {
      this.observeReceipt(event);
    } else if (event.source === StatusEventSource.Reconcile) {
      this.observeReconciled(event);
    }
  }

  /**
   * Closes the current bucket: expires overdue messages into it and adds it to every sink. A sink that
   * refuses a bucket gets it again at the next flush (before the new one), and only that sink, so a store
   * outage loses no count and double-counts none. Answers the first refusal, or null.
   */
  async flush(): Promise<unknown> {
    const now = this.now();
    this.expire(now);
    const closed = this.current;
    const start = this.bucketStart;
    this.current = new Map();
    this.bucketStart = this.bucketOf(now);
    const queued = this.refused.splice(0);
    if (closed.size > 0) {
      queued.push({ sinks: this.sinks, start, counts: closed });
    }
    let firstError: unknown = null;
    for (const item of queued) {
      const results = await Promise.allSettled(item.sinks.map((sink) => sink.add(item.start, item.counts)));
      const still = item.sinks.filter((_, i) => results[i]!.status === 'rejected');
      if (still.length > 0) {
        this.refused.push({ ...item, sinks: still });
        firstError ??= (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason;
      }
    }

    return firstError;
  }

  /** Buckets a sink refused, tried again at the next flush. */
  private readonly refused: {
    sinks: readonly QualitySink[];
    start: number;
    counts: ReadonlyMap<string, QualityCounts>;
  }[] = [];

  private observeSend(event: StatusChangedV1, provider: string): void {
    if (!event.country) {
      return;
    }
    const key = routeKeyString({ provider, country: event.country, network: event.network ?? '' });
    switch (event.kind) {
      case StatusEventKind.Sent:
        this.counts(key).sent++;
        this.remember(event.messageId, key, Date.parse(event.occurredAt));

        return;
      case StatusEventKind.Retry:
      case StatusEventKind.Failed:
      case StatusEventKind.Undelivered:
        this.counts(key).errors[errorClassOf(event.errorClass)]++;

        return;
      case StatusEventKind.Delivered:
      case StatusEventKind.Refused:
      case StatusEventKind.Sending:
      case StatusEventKind.Unknown:
      case StatusEventKind.Cancelled:
      case StatusEventKind.Expired:
        return;
    }
  }

  private observeReceipt(event: StatusChangedV1): void {
    const delivered = event.kind === StatusEventKind.Delivered;
    if (!delivered && event.kind !== StatusEventKind.Undelivered && event.kind !== StatusEventKind.Failed) {
      return;
    }
    const pending = this.pending.get(event.messageId);
    if (!pending) {
      this.unmatched++;

      return;
    }
    this.pending.delete(event.messageId);
    const counts = this.counts(pending.key);
    if (delivered) {
      counts.delivered++;
      const latency = Date.parse(event.occurredAt) - pending.sentAt;
      if (Number.isFinite(latency)) {
        counts.latency[binOf(Math.max(0, latency))]!++;
      }
    } else {
      counts.undelivered++;
    }
  }

  /**
   * Reconciliation reports only on messages whose receipt did not come before the deadline: whatever it
   * found (a final status, or `unknown` with RECEIPT_TIMEOUT), the route failed to report in time.
   */
  private observeReconciled(event: StatusChangedV1): void {
    if (event.kind === StatusEventKind.Sent || event.kind === StatusEventKind.Sending) {
      return;
    }
    const pending = this.pending.get(event.messageId);
    if (!pending) {
      this.unmatched++;

      return;
    }
    this.pending.delete(event.messageId);
    this.counts(pending.key).overdue++;
  }

  private remember(messageId: string, key: string, sentAt: number): void {
    // A later attempt replaces the earlier one: its receipt is the one that counts.
    this.pending.delete(messageId);
    this.pending.set(messageId, { key, sentAt: Number.isFinite(sentAt) ? sentAt : this.now() });
    if (this.pending.size > this.options.maxPending) {
      const [oldest, entry] = this.pending.entries().next().value as [string, Pending];
      this.pending.delete(oldest);
      this.counts(entry.key).overdue++;
    }
  }

  /** Messages sent longer ago than the deadline without a final word count as overdue. */
  private expire(now: number): void {
    const before = now - this.options.receiptDeadlineMs;
    for (const [messageId, entry] of this.pending) {
      if (entry.sentAt >= before) {
        // Insertion order is send order (within the consumer's small reordering): the rest are younger.
        break;
      }
      this.pending.delete(messageId);
      this.counts(entry.key).overdue++;
    }
  }

  private counts(key: string): QualityCounts {
    let counts = this.current.get(key);
    if (!counts) {
      counts = emptyCounts();
      this.current.set(key, counts);
    }

    return counts;
  }

  private bucketOf(at: number): number {
    return Math.floor(at / this.options.bucketMs) * this.options.bucketMs;
  }
}

/** Sums the counts of every network of a (provider, country) (what a decision reads). */
export function byProviderCountry(counts: ReadonlyMap<string, QualityCounts>): Map<string, QualityCounts> {
  const out = new Map<string, QualityCounts>();
  for (const [key, value] of counts) {
    const [provider, country] = key.split('|');
    const pc = `${provider}|${country}`;
    out.set(pc, addCounts(out.get(pc) ?? emptyCounts(), value));
  }

  return out;
}

export type { RouteKey };
