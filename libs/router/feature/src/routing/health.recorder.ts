import type { ConsumedRecord } from '@sms/bus';
import { decodeEvent, StatusChangedV1, StatusEventKind, StatusEventSource } from '@sms/contracts';
import type { HealthOutcome, RoutingState } from '../state/routing-state';

/**
 * Feeds provider health from `sms.status.v1`: send results (answered or failed, with latency) and
 * receipts (delivered or not). Runs in its own consumer group so every event is counted once across
 * router replicas, into the shared state they all read.
 */
export class HealthRecorder {
  constructor(private readonly state: RoutingState) {}

  handle = async (record: ConsumedRecord): Promise<void> => {
    const event = decodeEvent(StatusChangedV1, record.value);
    const outcome = healthOutcomeOf(event);
    if (outcome && event.provider) {
      await this.state.recordOutcome(event.provider, outcome, event.latencyMs ?? null);
    }
  };
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
