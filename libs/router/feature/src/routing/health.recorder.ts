import type { ConsumedRecord } from '@sms/bus';
import { decodeEvent, StatusChangedV1, StatusEventKind, StatusEventSource } from '@sms/contracts';
import { GroupCommitter } from '@sms/persistence';
import type { HealthOutcome, ReceiptOutcome, RoutingState } from '../state/routing-state';

interface CountedReceipt {
  readonly provider: string;
  readonly outcome: ReceiptOutcome;
}

/**
 * Feeds provider health from `sms.status.v1`: send results (answered or failed, with latency) and
 * receipts (delivered or not). Runs in its own consumer group so every event is counted once across
 * router replicas, into the shared state they all read.
 *
 * Receipts are counted in bulk: in a receipt storm nearly every record is one, and one state write (a
 * Redis script) per receipt cost more than the rest of the recorder's work (bench/dlr.bench.ts, observers'
 * CPU). A receipt's count is written before its record is handled, as one by one, so a crash loses none.
 * Send results keep one write each: their order sets the streak of successes.
 */
export class HealthRecorder {
  private readonly receipts: GroupCommitter<CountedReceipt, void>;

  constructor(
    private readonly state: RoutingState,
    /** Sees every decoded event first (route quality: QualityTracker.observe, synchronous, no I/O). */
    private readonly observe: ((event: StatusChangedV1) => void) | null = null,
  ) {
    this.receipts = new GroupCommitter((batch) => this.countReceipts(batch), { maxBatch: 1_000, maxConcurrent: 1 });
  }

  handle = async (record: ConsumedRecord): Promise<void> => {
    const event = decodeEvent(StatusChangedV1, record.value);
    this.observe?.(event);
    const outcome = healthOutcomeOf(event);
    if (!outcome || !event.provider) {
      return;
    }
    if (outcome === 'delivered' || outcome === 'undelivered') {
      await this.receipts.submit({ provider: event.provider, outcome });
    } else {
      await this.state.recordOutcome(event.provider, outcome, event.latencyMs ?? null);
    }
  };

  /** Resolves when every receipt handed over so far is counted. */
  drain(): Promise<void> {
    return this.receipts.drain();
  }

  private async countReceipts(batch: readonly CountedReceipt[]): Promise<void[]> {
    const counts = new Map<string, { provider: string; outcome: ReceiptOutcome; count: number }>();
    for (const { provider, outcome } of batch) {
      const key = `${provider}\u0000${outcome}`;
      const counted = counts.get(key) ?? { provider, outcome, count: 0 };
      counted.count++;
      counts.set(key, counted);
    }
    await Promise.all(
      [...counts.values()].map(({ provider, outcome, count }) => this.state.recordReceipts(provider, outcome, count)),
    );

    return batch.map(() => undefined);
  }
}

/** What an event says about its provider, or null when it says nothing (router events, refusals). */
export function healthOutcomeOf(event: StatusChangedV1): HealthOutcome | null {
  if (event.source === StatusEventSource.SendWorker) {
    switch (event.kind) {
      case StatusEventKind.Sent:
        return 'sent';
      // A permanent refusal (bad number, opted out) is the provider answering correctly.
      case StatusEventKind.Undelivered:
        return 'sent';
      case StatusEventKind.Retry:
      case StatusEventKind.Failed:
        return 'error';
      case StatusEventKind.Delivered:
      case StatusEventKind.Refused:
      case StatusEventKind.Sending:
      // `unknown` comes from reconciliation (its own source), never from a send: nothing to count here.
      case StatusEventKind.Unknown:
      // Cancelled or expired before the provider call: the provider was never asked.
      case StatusEventKind.Cancelled:
      case StatusEventKind.Expired:
        return null;
    }
  }
  if (event.source === StatusEventSource.Dlr) {
    if (event.kind === StatusEventKind.Delivered) {
      return 'delivered';
    }
    if (event.kind === StatusEventKind.Undelivered || event.kind === StatusEventKind.Failed) {
      return 'undelivered';
    }
  }

  return null;
}
