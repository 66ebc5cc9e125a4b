import { failedBeforeProviderCall, type StatusChangedV1, StatusEventKind, StatusEventSource } from '@sms/contracts';
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
  /**
   * How many messages' counted facts (send attempts, final outcomes) are remembered so a replayed event is
   * not counted again: the newest half of this at least, all of it at most (CountedFacts). Bounds memory;
   * a repeat about a message older than that counts again.
   */
  readonly dedupeWindow: number;
}

export const DEFAULT_TRACKER_OPTIONS: QualityTrackerOptions = {
  bucketMs: 60_000,
  receiptDeadlineMs: 3 * 3_600_000,
  maxPending: 1_000_000,
  dedupeWindow: 400_000,
};

interface Pending {
  readonly provider: string;
  readonly key: string;
  readonly sentAt: number;
}

/** What was counted of one message lately: its highest send attempt, the providers of its final outcomes. */
interface Counted {
  attempt: number;
  /** Providers whose final outcome for the message was counted, '\n'-separated (one, nearly always). */
  finals: string;
}

/**
 * What was counted per message lately, in two generations: when the newer one holds `size / 2` messages it
 * becomes the older one and the older one is dropped, so the newest `size / 2` messages at least are
 * remembered and `size` at most. Keyed by message id alone (no composite key to build and hash per event);
 * a message counted again moves to the newer generation.
 */
export class CountedFacts {
  private current = new Map<string, Counted>();
  private previous = new Map<string, Counted>();
  private readonly generation: number;

  constructor(size: number) {
    this.generation = Math.max(1, Math.ceil(size / 2));
  }

  /**
   * True the first time a result of this send attempt is offered. Attempts of a message are numbered up,
   * one result each, so one at or below the highest counted is a repeat; an event without a number counts.
   */
  firstOfAttempt(messageId: string, attempt: number | null): boolean {
    if (attempt === null) {
      return true;
    }
    const counted = this.of(messageId);
    if (attempt <= counted.attempt) {
      return false;
    }
    counted.attempt = attempt;

    return true;
  }

  /** True the first time a final outcome of the message through `provider` is offered. */
  firstFinal(messageId: string, provider: string): boolean {
    const counted = this.of(messageId);
    if (counted.finals === '') {
      counted.finals = provider;

      return true;
    }
    if (counted.finals === provider || counted.finals.split('\n').includes(provider)) {
      return false;
    }
    counted.finals += `\n${provider}`;

    return true;
  }

  private of(messageId: string): Counted {
    let counted = this.current.get(messageId);
    if (counted) {
      return counted;
    }
    counted = this.previous.get(messageId) ?? { attempt: 0, finals: '' };
    if (this.current.size >= this.generation) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(messageId, counted);

    return counted;
  }
}

type Outcome = 'delivered' | 'undelivered' | 'overdue';

/**
 * Counts route quality from `sms.status.v1` in memory and hands each closed bucket to the sinks: no
 * store write per event (the health consumer sees every send and receipt), one per route per bucket.
 *
 * A receipt or reconciliation result names its route itself (dlr-processor and the reconciler copy the
 * send's time, country and network onto it), so any replica counts it, whether or not it saw the send: one
 * restarted, or another after a rebalance. A send result is also remembered until its final word, for two
 * things: receipts from before those fields (matched by message id; the rest are `unmatched`), and the
 * overdue count of a message that never gets a final word before the deadline.
 *
 * Each fact is counted once (docs/routing.md, "What is counted once"): a send attempt's result per
 * (message, attempt), a final outcome per (message, provider), whatever event ids the repeats carry
 * (a Kafka redelivery, a replayed webhook, a receipt after reconciliation already counted the message).
 */
export class QualityTracker {
  private current = new Map<string, QualityCounts>();
  private bucketStart: number;
  private readonly pending = new Map<string, Pending>();
  private readonly options: QualityTrackerOptions;
  private readonly counted: CountedFacts;
  /** Receipts with no route of their own whose send this replica did not see (for the metrics and tests). */
  unmatched = 0;
  /** Events not counted because their fact already was (for the metrics and tests). */
  duplicates = 0;

  constructor(
    private readonly sinks: readonly QualitySink[],
    options: Partial<QualityTrackerOptions> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.options = { ...DEFAULT_TRACKER_OPTIONS, ...options };
    this.counted = new CountedFacts(this.options.dedupeWindow);
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
      this.observeReceipt(event, event.provider);
    } else if (event.source === StatusEventSource.Reconcile) {
      this.observeReconciled(event, event.provider);
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
        if (!this.firstOfAttempt(event)) {
          return;
        }
        this.counts(key).sent++;
        this.remember(event.messageId, provider, key, Date.parse(event.occurredAt));

        return;
      case StatusEventKind.Retry:
      case StatusEventKind.Failed:
      case StatusEventKind.Undelivered:
        if (!failedBeforeProviderCall(event) && this.firstOfAttempt(event)) {
          this.counts(key).errors[errorClassOf(event.errorClass)]++;
        }

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

  private observeReceipt(event: StatusChangedV1, provider: string): void {
    if (event.kind === StatusEventKind.Delivered) {
      this.settle(event, provider, 'delivered');
    } else if (event.kind === StatusEventKind.Undelivered || event.kind === StatusEventKind.Failed) {
      this.settle(event, provider, 'undelivered');
    }
  }

  /**
   * Reconciliation reports only on messages whose receipt did not come before the deadline: whatever it
   * found (a final status, or `unknown` with RECEIPT_TIMEOUT), the route failed to report in time.
   */
  private observeReconciled(event: StatusChangedV1, provider: string): void {
    if (event.kind !== StatusEventKind.Sent && event.kind !== StatusEventKind.Sending) {
      this.settle(event, provider, 'overdue');
    }
  }

  /**
   * Counts a message's final outcome through `provider` once, against the route this replica remembers
   * from the send (it knows the network too), else the one the event carries, else not at all (`unmatched`).
   */
  private settle(event: StatusChangedV1, provider: string, outcome: Outcome): void {
    const pending = this.pending.get(event.messageId);
    // A receipt of an earlier attempt leaves the later attempt's send waiting for its own.
    const own = pending !== undefined && pending.provider === provider ? pending : undefined;
    const key =
      own?.key ??
      (event.country ? routeKeyString({ provider, country: event.country, network: event.network ?? '' }) : null);
    if (key === null) {
      this.unmatched++;

      return;
    }
    if (own) {
      this.pending.delete(event.messageId);
    }
    if (!this.counted.firstFinal(event.messageId, provider)) {
      this.duplicates++;

      return;
    }
    const counts = this.counts(key);
    if (outcome === 'overdue') {
      counts.overdue++;
    } else if (outcome === 'undelivered') {
      counts.undelivered++;
    } else {
      counts.delivered++;
      const sentAt = own?.sentAt ?? (event.sentAt ? Date.parse(event.sentAt) : NaN);
      const latency = Date.parse(event.occurredAt) - sentAt;
      if (Number.isFinite(latency)) {
        counts.latency[binOf(Math.max(0, latency))]!++;
      }
    }
  }

  /** Whether this is the first result counted for the send attempt (a redelivered one is not). */
  private firstOfAttempt(event: StatusChangedV1): boolean {
    if (this.counted.firstOfAttempt(event.messageId, event.attempt ?? null)) {
      return true;
    }
    this.duplicates++;

    return false;
  }

  private remember(messageId: string, provider: string, key: string, sentAt: number): void {
    // A later attempt replaces the earlier one: its receipt is the one that counts.
    this.pending.delete(messageId);
    this.pending.set(messageId, { provider, key, sentAt: Number.isFinite(sentAt) ? sentAt : this.now() });
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
