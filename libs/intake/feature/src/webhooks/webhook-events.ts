import { createHash, createHmac } from 'node:crypto';
import type { InboundReceivedV1, MessageStatus } from '@sms/contracts';

/** The event types a subscription may ask for (docs/webhooks.md). */
export const WEBHOOK_EVENT_TYPES = ['message.status', 'message.inbound'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The header that carries `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. */
export const SIGNATURE_HEADER = 'x-sms-gateway-webhook-signature';
export const EVENT_ID_HEADER = 'x-sms-gateway-event-id';
export const EVENT_TYPE_HEADER = 'x-sms-gateway-event-type';

/** One event as it is stored, signed and sent: `{id, type, createdAt, data}`. */
export interface WebhookEvent {
  /** Stable across retries, replays and subscriptions: receivers deduplicate on it. */
  readonly id: string;
  readonly type: WebhookEventType;
  readonly createdAt: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** A status change intake applied to the ledger, as `message.status` wants it. */
export interface StatusChange {
  /** The status event that caused the change: the webhook event's id. */
  readonly eventId: string;
  readonly messageId: string;
  readonly accountId: string;
  readonly status: MessageStatus;
  readonly previousStatus: MessageStatus;
  readonly clientReference: string | null;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  /** When the change happened. */
  readonly at: string;
}

export const statusEvent = (change: StatusChange): WebhookEvent => ({
  id: change.eventId,
  type: 'message.status',
  createdAt: change.at,
  data: {
    messageId: change.messageId,
    status: change.status,
    previousStatus: change.previousStatus,
    errorCode: change.errorCode,
    errorMessage: change.errorMessage,
    clientReference: change.clientReference,
  },
});

/**
 * The id of an inbound message's event: a UUID-shaped SHA-256 of the provider and its message id, so the
 * same MO reported twice (a provider retry, an operator's replay of the stored webhook) is one event.
 */
export function inboundEventId(inbound: Pick<InboundReceivedV1, 'provider' | 'providerMessageId'>): string {
  const hex = createHash('sha256').update(`inbound\n${inbound.provider}\n${inbound.providerMessageId}`).digest('hex');

  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export const inboundEvent = (inbound: InboundReceivedV1): WebhookEvent => ({
  id: inboundEventId(inbound),
  type: 'message.inbound',
  createdAt: inbound.receivedAt,
  data: {
    from: inbound.from,
    to: inbound.to,
    body: inbound.body,
    provider: inbound.provider,
    providerMessageId: inbound.providerMessageId,
    receivedAt: inbound.receivedAt,
  },
});

/** hex HMAC-SHA256(secret, `${timestamp}.${body}`): the `v1` of the signature header. */
export const webhookSignature = (secret: string, timestamp: number, body: string): string =>
  createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

/** The signature header's value for a body sent at `timestamp` (unix seconds). */
export const signatureHeader = (secret: string, timestamp: number, body: string): string =>
  `t=${timestamp},v1=${webhookSignature(secret, timestamp, body)}`;
