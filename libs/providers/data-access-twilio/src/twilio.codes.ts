import { DeliveryStatus, ErrorClass } from '@sms/provider-port';

/**
 * Twilio error codes we know how to treat (providers.md §1 "Error classification"). 2xxxx codes come back
 * synchronously from the Messages API; 30xxx codes arrive as `ErrorCode` in status callbacks.
 */
export const TWILIO_ERROR_CLASSES = {
  // Too many requests / Twilio-side failures: retry with backoff.
  '20429': ErrorClass.Transient,
  '20500': ErrorClass.Transient,
  '20503': ErrorClass.Transient,
  // Queue overflow, handset unreachable (off / no signal), unknown error, ValidityPeriod expired.
  '30001': ErrorClass.Transient,
  '30003': ErrorClass.Transient,
  '30008': ErrorClass.Transient,
  '30036': ErrorClass.Transient,

  // Invalid To, To unreachable / bad To-From pair, not mobile, landline.
  '21211': ErrorClass.Permanent,
  '21612': ErrorClass.Permanent,
  '21614': ErrorClass.Permanent,
  '21635': ErrorClass.Permanent,
  // Body missing, body over 1600 chars; 21604 (To missing) is a malformed request like 21602.
  '21602': ErrorClass.Permanent,
  '21604': ErrorClass.Permanent,
  '21617': ErrorClass.Permanent,
  // Blocked, unknown handset, landline / unreachable carrier, carrier filtering (do not resend the same text).
  '30004': ErrorClass.Permanent,
  '30005': ErrorClass.Permanent,
  '30006': ErrorClass.Permanent,
  '30007': ErrorClass.Permanent,

  // The recipient replied STOP; Twilio blocks every further send to them from this number.
  '21610': ErrorClass.OptedOut,

  // Bad credentials, unusable From, geo permission, unverified To on a trial account.
  '20003': ErrorClass.Configuration,
  '21212': ErrorClass.Configuration,
  '21606': ErrorClass.Configuration,
  '21601': ErrorClass.Configuration,
  '21408': ErrorClass.Configuration,
  '21608': ErrorClass.Configuration,
  // Account suspended, unverified toll-free, unregistered 10DLC.
  '30002': ErrorClass.Configuration,
  '30032': ErrorClass.Configuration,
  '30034': ErrorClass.Configuration,
} as const satisfies Record<string, ErrorClass>;

/**
 * Table first, then the HTTP status. 429 and 5xx are transient whatever the code says: the request did not
 * complete. An unknown 401 is a credentials problem (page someone); any other unknown code is permanent so an
 * unrecognised refusal never turns into a retry storm.
 */
export function classifyTwilioError(code: string, httpStatus?: number): ErrorClass {
  if (httpStatus === 429 || (httpStatus !== undefined && httpStatus >= 500)) {
    return ErrorClass.Transient;
  }
  const known = (TWILIO_ERROR_CLASSES as Record<string, ErrorClass | undefined>)[code.trim()];
  if (known !== undefined) {
    return known;
  }

  return httpStatus === 401 ? ErrorClass.Configuration : ErrorClass.Permanent;
}

/** Every `MessageStatus` / `status` value Twilio documents for messages. */
export const TWILIO_MESSAGE_STATUSES = [
  'accepted',
  'scheduled',
  'queued',
  'sending',
  'sent',
  'delivered',
  'read',
  'partially_delivered',
  'undelivered',
  'failed',
  'canceled',
  'receiving',
  'received',
] as const;

export type TwilioMessageStatus = (typeof TWILIO_MESSAGE_STATUSES)[number];

export function isTwilioMessageStatus(value: string): value is TwilioMessageStatus {
  return (TWILIO_MESSAGE_STATUSES as readonly string[]).includes(value);
}

/** Maps an outbound status onto ours; null for the inbound-only `receiving`/`received`. */
export function mapTwilioStatus(status: TwilioMessageStatus): DeliveryStatus | null {
  switch (status) {
    case 'accepted': // Messaging Service accepted it, sender not yet chosen
    case 'scheduled':
    case 'queued':
      return DeliveryStatus.Queued;
    case 'sending':
      return DeliveryStatus.Sending;
    case 'sent':
      // Stays final when the carrier never returns a DLR (common for MMS).
      return DeliveryStatus.Sent;
    case 'delivered':
    case 'read': // WhatsApp / RCS read receipt: delivered happened first
    case 'partially_delivered': // some MMS parts delivered: billed and seen by the handset
      return DeliveryStatus.Delivered;
    case 'undelivered':
      return DeliveryStatus.Undelivered;
    case 'failed': // never left Twilio (queue overflow, expired validity, ...)
    case 'canceled': // scheduled message canceled before sending
      return DeliveryStatus.Failed;
    case 'receiving':
    case 'received':
      return null;
    default:
      return assertNever(status);
  }
}

function assertNever(value: never): never {
  throw new Error(`Unhandled Twilio status ${String(value)}`);
}
