import { StatusEventSource } from './enums';
import type { StatusChangedV1 } from './status-changed.event';
import { STATUS_ERROR_CLASS_HEADER, STATUS_KIND_HEADER, STATUS_SOURCE_HEADER, TOPICS } from './topics';

/** The topics a status event may be published on (ADR 0027); every one carries StatusChangedV1. */
export type StatusTopic = typeof TOPICS.status | typeof TOPICS.sendResult | typeof TOPICS.optoutReported;

export interface StatusRecord {
  readonly topic: StatusTopic;
  readonly key: string;
  readonly value: StatusChangedV1;
  readonly headers: Readonly<Record<string, string>>;
}

/** The error class of a provider-reported opt-out (ErrorClass.OptedOut in @sms/providers). */
const OPTED_OUT_CLASS = 'opted_out';

/** The send-worker's events (send results and reconciliation lookups): what dlr-processor correlates receipts by. */
export const isSendResult = (event: StatusChangedV1): boolean =>
  event.source === StatusEventSource.SendWorker || event.source === StatusEventSource.Reconcile;

/**
 * A status event's record on `sms.status.v1`: keyed by message (per-message order), its source, error class
 * and kind as headers. Every status event of a message is on this one topic, so intake applies them in the
 * order each message's events were published. Producers publish statusRecords, which adds the copies.
 */
export function statusRecord(event: StatusChangedV1): StatusRecord {
  return {
    topic: TOPICS.status,
    key: event.messageId,
    value: event,
    headers: {
      [STATUS_SOURCE_HEADER]: event.source,
      [STATUS_ERROR_CLASS_HEADER]: event.errorClass ?? '',
      [STATUS_KIND_HEADER]: event.kind,
    },
  };
}

/**
 * Every record a status event is published as (ADR 0027): its statusRecord; for a send result, a copy on
 * `sms.send.result.v1`, all that dlr-processor reads of the statuses; for a provider-reported opt-out, a copy
 * on `sms.optout.reported.v1`, all that opt-out reads. Publish them in one call: a producer whose publish
 * fails retries them all, and every consumer is idempotent on the event id.
 */
export function statusRecords(event: StatusChangedV1): readonly StatusRecord[] {
  const record = statusRecord(event);
  const records: StatusRecord[] = [record];
  if (isSendResult(event)) {
    records.push({ ...record, topic: TOPICS.sendResult });
  }
  if (event.errorClass === OPTED_OUT_CLASS) {
    records.push({ ...record, topic: TOPICS.optoutReported });
  }

  return records;
}
