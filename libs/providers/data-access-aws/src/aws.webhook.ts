import {
  type DeliveryReport,
  type InboundMessage,
  type RawWebhook,
  receiptNetwork,
  receiptPrice,
} from '@sms/provider-port';
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
  const price = awsPrice(event['totalMessagePrice'], event['totalCarrierFee']);
  const network = receiptNetwork(`${text(event, 'mcc') ?? ''}${text(event, 'mnc') ?? ''}`);

  return [
    {
      providerMessageId: messageId,
      status,
      providerStatus: type,
      ...(errorClass !== undefined && { errorCode: type, errorClass }),
      ...(occurredAt !== undefined && { occurredAt }),
      ...(price !== undefined && { price }),
      ...(network !== undefined && { network }),
    },
  ];
}

/** Digits kept of an event's USD amounts: AWS reports five decimals; eight leave room without float noise. */
const PRICE_SCALE = 100_000_000;

/**
 * What AWS says the message cost, in USD: `totalMessagePrice` (all parts) plus `totalCarrierFee`, which AWS
 * lists apart. JSON numbers, summed in integer units of 1e-8 so no float noise reaches the ledger; an event
 * without a price, or with a negative or non-numeric one, has none.
 */
function awsPrice(messagePrice: unknown, carrierFee: unknown): DeliveryReport['price'] {
  const units = (value: unknown): number | undefined =>
    typeof value === 'number' && Number.isFinite(value) && value >= 0 && value < 1_000_000
      ? Math.round(value * PRICE_SCALE)
      : undefined;
  const price = units(messagePrice);
  if (price === undefined) {
    return undefined;
  }
  const total = price + (units(carrierFee) ?? 0);
  const whole = Math.floor(total / PRICE_SCALE);
  const fraction = String(total % PRICE_SCALE).padStart(8, '0');

  return receiptPrice(`${whole}.${fraction}`, 'USD');
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
