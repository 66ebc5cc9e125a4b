import type { StatusChangedV1 } from './status-changed.event';
import { STATUS_ERROR_CLASS_HEADER, STATUS_KIND_HEADER, STATUS_SOURCE_HEADER, TOPICS } from './topics';

/**
 * A status event as its `sms.status.v1` record: keyed by message (per-message order), its source and error class
 * as headers.
 */
export function statusRecord(event: StatusChangedV1): {
  readonly topic: typeof TOPICS.status;
  readonly key: string;
  readonly value: StatusChangedV1;
  readonly headers: Readonly<Record<string, string>>;
} {
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
