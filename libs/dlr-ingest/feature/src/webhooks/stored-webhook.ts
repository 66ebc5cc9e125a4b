import { TOPICS, type WebhookStoredV1 } from '@sms/contracts';
import type { BusRecord } from '@sms/bus';

/** The columns of `inbound_webhooks` a published event is rebuilt from (the sweep and replay read them). */
export const STORED_EVENT_COLUMNS = 'id, provider, kind, url, method, headers, body, content_type, received_at';

export interface StoredWebhookRow {
  id: string;
  provider: string;
  kind: string;
  url: string;
  method: string;
  headers: string;
  body: string;
  content_type: string;
  received_at: Date | string;
}

/** A datetime column's value as a Date: SQLite hands datetimes back as UTC text without a zone. */
export const asDate = (value: Date | string): Date =>
  value instanceof Date ? value : new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);

/** The event dlr-processor reads, rebuilt from a stored row. */
export function storedEventOf(row: StoredWebhookRow, replay = false): WebhookStoredV1 {
  return {
    webhookId: row.id,
    provider: row.provider,
    kind: row.kind === 'inbound' ? 'inbound' : 'status',
    url: row.url,
    method: row.method,
    headers: JSON.parse(row.headers) as Record<string, string>,
    body: row.body,
    contentType: row.content_type,
    receivedAt: asDate(row.received_at).toISOString(),
    ...(replay ? { replay: true } : {}),
  };
}

/** Receipts go to dlr-processor's receipt topic, MO messages to its inbound topic; keyed by the row id. */
export function busRecordOf(event: WebhookStoredV1, headers?: Readonly<Record<string, string>>): BusRecord {
  return {
    topic: event.kind === 'status' ? TOPICS.dlrRaw : TOPICS.inboundRaw,
    key: event.webhookId,
    value: event,
    ...(headers ? { headers } : {}),
  };
}
