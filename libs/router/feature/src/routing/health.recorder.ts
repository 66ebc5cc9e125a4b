import type { ConsumedRecord } from '@sms/bus';
import {
  decodeEvent,
  failedBeforeProviderCall,
  STATUS_KIND_HEADER,
  STATUS_SOURCE_HEADER,
  StatusChangedV1,
  StatusEventKind,
  StatusEventSource,
} from '@sms/contracts';
import { GroupCommitter } from '@sms/persistence';
import { type CountedOutcome, type HealthOutcome, type RoutingState, tallyOutcomes } from '../state/routing-state';

/**
 * Feeds provider health from `sms.status.v1`: send results (answered or failed, with latency) and
 * receipts (delivered or not). Runs in its own consumer group so every event is counted once across
 * router replicas, into the shared state they all read.
 *
 * Outcomes are counted in batches: the records handed over in one turn of the event loop (a partition
 * batch's concurrent handlers) make one state write (one Redis script) for every provider in them, summed
 * per provider in offset order, so the streak of successes is what one write per result would leave. One
 * script per send result was the router's largest Redis cost (docs/performance.md). A record's outcome is
 * written before its handler resolves, so a crash loses none; batches are written one at a time, in order.
 */
export class HealthRecorder {
  private readonly outcomes: GroupCommitter<CountedOutcome, void>;

  constructor(
    private readonly state: RoutingState,
    /** Sees every decoded event first (route quality: QualityTracker.observe, synchronous, no I/O). */
    private readonly observe: ((event: StatusChangedV1) => void) | null = null,
  ) {
    this.outcomes = new GroupCommitter((batch) => this.count(batch), {
      maxBatch: 1_000,
      maxConcurrent: 1,
      gather: true,
    });
  }

  handle = async (record: ConsumedRecord): Promise<void> => {
    const event = decodeEvent(StatusChangedV1, record.value);
    this.observe?.(event);
    const outcome = healthOutcomeOf(event);
    if (!outcome || !event.provider) {
      return;
    }
    await this.outcomes.submit({ provider: event.provider, outcome, latencyMs: event.latencyMs ?? null });
  };

  /** Resolves when every outcome handed over so far is counted. */
  drain(): Promise<void> {
    return this.outcomes.drain();
  }

  private async count(batch: readonly CountedOutcome[]): Promise<void[]> {
    await this.state.recordTallies(tallyOutcomes(batch));

    return batch.map(() => undefined);
  }
}

/** What an event says about its provider, or null when it says nothing (router events, refusals). */
export function healthOutcomeOf(event: StatusChangedV1): HealthOutcome | null {
  if (failedBeforeProviderCall(event)) {
    return null;
  }
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

/** Kinds of each source that neither health (healthOutcomeOf) nor route quality (QualityTracker.observe) reads. */
const TELLS_NOTHING: Readonly<Record<string, ReadonlySet<string> | 'all'>> = {
  [StatusEventSource.Intake]: 'all',
  [StatusEventSource.Router]: 'all',
  [StatusEventSource.SendWorker]: new Set([StatusEventKind.Sending]),
  // The provider's intermediate `sent` receipt: one of every message's three status records.
  [StatusEventSource.Dlr]: new Set([StatusEventKind.Sent, StatusEventKind.Sending]),
  [StatusEventSource.Reconcile]: new Set([StatusEventKind.Sent, StatusEventKind.Sending]),
};

/**
 * Status records the health group passes over unparsed (SubscriptionOptions.ignores), told from their
 * source and kind headers: events that neither count towards health nor route quality. A record without
 * the headers (an older producer) is parsed.
 */
export function tellsHealthNothing(headers: Readonly<Record<string, string>>): boolean {
  const source = headers[STATUS_SOURCE_HEADER];
  const nothing = source === undefined ? undefined : TELLS_NOTHING[source];
  if (nothing === 'all') {
    return true;
  }
  const kind = headers[STATUS_KIND_HEADER];

  return nothing !== undefined && kind !== undefined && nothing.has(kind);
}
