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

/**
 * True for the topics that carry the ledger's status events: a consumer of both applies a record of either
 * the same way.
 */
export const isStatusTopic = (topic: string): boolean => topic === TOPICS.status || topic === TOPICS.sendResult;

/**
 * The topic of a status event (ADR 0027): the send-worker's events (send results and reconciliation lookups)
 * on `sms.send.result.v1`, which dlr-processor reads to correlate receipts; every other source on
 * `sms.status.v1`. Each source publishes all its events of a message on one topic, so the order of one
 * source's events per message is kept; across the two topics only the status rank orders them.
 */
export const statusTopicOf = (event: StatusChangedV1): typeof TOPICS.status | typeof TOPICS.sendResult =>
  event.source === StatusEventSource.SendWorker || event.source === StatusEventSource.Reconcile
    ? TOPICS.sendResult
    : TOPICS.status;

/**
 * A status event's record on its status topic (statusTopicOf): keyed by message (per-message order), its
 * source, error class and kind as headers. Producers publish statusRecords, which adds the opt-out copy.
 */
export function statusRecord(event: StatusChangedV1): StatusRecord {
  return {
    topic: statusTopicOf(event),
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
 * Every record a status event is published as: its statusRecord and, for a provider-reported opt-out, a
 * copy on `sms.optout.reported.v1` for the opt-out service. Publish them in one call: a producer whose
 * publish fails retries them all, and every consumer is idempotent on the event id.
 */
export function statusRecords(event: StatusChangedV1): readonly StatusRecord[] {
  const record = statusRecord(event);

  return event.errorClass === OPTED_OUT_CLASS ? [record, { ...record, topic: TOPICS.optoutReported }] : [record];
}
