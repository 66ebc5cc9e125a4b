import { MessageStatus, VALIDITY_EXPIRED } from './enums';

/**
 * The Twilio-compatible surface's identifiers (docs/twilio-compat.md). Our ids are UUIDs; Twilio's are a
 * two-letter prefix and 32 lower-case hex digits, so the mapping is the UUID without its dashes: it is
 * reversible, needs no table, and keeps every Twilio client's SID checks (`AC…` for accounts) happy.
 */
export const TWILIO_API_VERSION = '2010-04-01';

/** Callback formats a message may ask for: absent (null) is the gateway's own signed JSON. */
export const CALLBACK_FORMATS = ['twilio'] as const;
export type CallbackFormat = (typeof CALLBACK_FORMATS)[number];

const SID = /^([A-Z]{2})([0-9a-f]{32})$/;

const sidOf = (prefix: string, uuid: string): string => `${prefix}${uuid.replace(/-/g, '').toLowerCase()}`;

function uuidOf(prefix: string, sid: string): string | null {
  const match = SID.exec(sid);
  if (!match || match[1] !== prefix) {
    return null;
  }
  const hex = match[2] ?? '';

  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** `AC` + the account id's 32 hex digits. */
export const accountSidOf = (accountId: string): string => sidOf('AC', accountId);
/** The account id an AccountSid names, or null when it is not `AC` + 32 lower-case hex digits. */
export const accountIdOfSid = (sid: string): string | null => uuidOf('AC', sid);
/** `SM` + the message id's 32 hex digits. */
export const messageSidOf = (messageId: string): string => sidOf('SM', messageId);
/** The message id a MessageSid names, or null when it is not `SM` + 32 lower-case hex digits. */
export const messageIdOfSid = (sid: string): string | null => uuidOf('SM', sid);

/**
 * Our status as Twilio names it. Twilio has no `unknown` (sent, then no receipt and no answer from the
 * provider): its last certain state, `sent`, is what a Twilio application expects to see then. Twilio spells
 * `canceled` with one l, and a message that outlived its ValidityPeriod is `failed` there (error 30001), not
 * a status of its own. Any other status is Twilio's name too (`scheduled`, `queued`, …).
 */
const TWILIO_STATUS_NAMES: Readonly<Record<string, string>> = {
  [MessageStatus.Unknown]: 'sent',
  [MessageStatus.Cancelled]: 'canceled',
  [MessageStatus.Expired]: 'failed',
};

export const twilioStatusOf = (status: string): string => TWILIO_STATUS_NAMES[status] ?? status;

/** Twilio's "Queue overflow": the code of a message that expired in the queue (our VALIDITY_EXPIRED). */
export const TWILIO_QUEUE_OVERFLOW = 30001;

/** Twilio's "Unknown error": the code a message error gets when the provider's code is not Twilio's. */
export const TWILIO_UNKNOWN_ERROR = 30008;

/**
 * A message error as Twilio's numeric `error_code`/`ErrorCode`. Twilio's own codes are five digits (30003
 * unreachable handset, 21610 unsubscribed recipient, …) and pass through, so a message the Twilio provider
 * sent reports what Twilio said. Other providers' codes (Vonage's small numbers, SMPP's `err:…`, our
 * `TIMEOUT`) mean nothing in Twilio's table, so they become 30008; the original stays in `error_message`.
 */
export function twilioErrorCodeOf(errorCode: string | null | undefined): number | null {
  if (errorCode === null || errorCode === undefined || errorCode === '') {
    return null;
  }

  if (errorCode === VALIDITY_EXPIRED) {
    return TWILIO_QUEUE_OVERFLOW;
  }

  return /^[1-9]\d{4}$/.test(errorCode) ? Number(errorCode) : TWILIO_UNKNOWN_ERROR;
}
