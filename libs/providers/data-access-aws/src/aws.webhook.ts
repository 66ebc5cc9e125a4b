import type { DeliveryReport, InboundMessage, RawWebhook } from '@sms/provider-port';
import { classifyAwsEvent, isAwsSmsEventType, mapAwsEvent } from './aws.codes';
import { parseSnsEnvelope, type SnsEnvelope } from './aws.sns-signature';

/** The SNS envelope of a webhook when it is a Notification; events and MOs only ever come as those. */
export function notificationOf(webhook: RawWebhook): SnsEnvelope | undefined {
  const envelope = parseSnsEnvelope(webhook.body);

  return envelope?.Type === 'Notification' ? envelope : undefined;
}

function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);

    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function text(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];

  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Epoch milliseconds (EUM events) to a Date; anything else is dropped, not guessed. */
function epochMs(value: unknown): Date | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    return undefined;
  }
  const date = new Date(value);

  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * An EUM SMS event (configuration-set destination → SNS → us), or the same JSON under EventBridge's `detail`.
 * One event = one report; unknown event types (voice, MMS, future ones) yield nothing.
 */
export function parseAwsEvent(message: string): DeliveryReport[] {
  const outer = jsonObject(message);
  const detail = outer !== undefined && typeof outer['detail'] === 'object' ? outer['detail'] : outer;
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
    return [];
  }
  const event = detail as Record<string, unknown>;
  const type = event['eventType'];
  const messageId = text(event, 'messageId');
  if (!isAwsSmsEventType(type) || messageId === undefined) {
    return [];
  }
  // Events without the flag are treated as not final: the conservative reading of TEXT_SUCCESSFUL.
  const status = mapAwsEvent(type, event['isFinal'] === true);
  const errorClass = classifyAwsEvent(type);
  const occurredAt = epochMs(event['eventTimestamp']);

  return [
    {
      providerMessageId: messageId,
      status,
      providerStatus: type,
      ...(errorClass !== undefined && { errorCode: type, errorClass }),
      ...(occurredAt !== undefined && { occurredAt }),
    },
  ];
}

/** A two-way MO: `originationNumber` is the customer, `destinationNumber` our number. */
export function parseAwsInbound(envelope: SnsEnvelope): InboundMessage | null {
  const mo = jsonObject(envelope.Message);
  if (mo === undefined) {
    return null;
  }
  const id = text(mo, 'inboundMessageId');
  const from = text(mo, 'originationNumber');
  const to = text(mo, 'destinationNumber');
  const body = mo['messageBody'];
  if (id === undefined || from === undefined || to === undefined || typeof body !== 'string') {
    return null;
  }
  const receivedAt = new Date(envelope.Timestamp);

  return { providerMessageId: id, from, to, body, ...(!Number.isNaN(receivedAt.getTime()) && { receivedAt }) };
}
