import { type CallbackFormat, MessageClass } from '@sms/contracts';
import { isAlphanumericSenderId, isSupportedCountryCode } from '@sms/phone';
import { ApiError, type OutboundPolicy, STRICT_OUTBOUND_POLICY, unprocessable } from '@sms/platform';
import { countSegments } from '@sms/segments';
import { callbackUrlRefusal } from './callback-url';
import { phoneParseCache } from './phone-cache';

/** A send request that passed every rule: what the ledger stores. */
export interface ValidatedMessage {
  readonly to: string;
  readonly country: string;
  readonly body: string;
  readonly from: string | null;
  readonly messageClass: MessageClass;
  readonly callbackUrl: string | null;
  /** The callbacks' format when not the gateway's JSON (set by the Twilio-compatible API, never by a body). */
  readonly callbackFormat?: CallbackFormat | null;
  readonly clientReference: string | null;
  readonly validitySeconds: number | null;
  readonly encoding: 'GSM-7' | 'UCS-2';
  readonly segments: number;
  /** The request's smart-encoding choice; absent: the account's default decides (smart-encoding.ts). */
  readonly smartEncoding?: boolean;
  /** Segments smart encoding saved; set once it was considered. */
  readonly segmentsSaved?: number;
  /** Held `scheduled` until then; null sends now (see validateSendAt). */
  readonly sendAt: Date | null;
}

const REST_FIELDS = new Set([
  'to',
  'body',
  'from',
  'country',
  'messageClass',
  'callbackUrl',
  'clientReference',
  'validitySeconds',
  'smartEncoding',
  'sendAt',
]);

export const MAX_BODY_CHARACTERS = 1600;
const MIN_VALIDITY_SECONDS = 60;
const MAX_VALIDITY_SECONDS = 259_200;
/** How far ahead a message may be scheduled (issue #21): 35 days. */
export const MAX_SCHEDULE_AHEAD_MS = 35 * 24 * 3600_000;
/**
 * A `sendAt` this little in the past is the caller's clock running behind ours, not a mistake: the
 * message is sent now. Anything older is refused, so a stale timestamp never sends by surprise.
 */
export const SEND_AT_PAST_TOLERANCE_MS = 60_000;
/**
 * RFC 3339's date-time (section 5.6): `T` between date and time, seconds required, an optional fraction and
 * a `Z` or numeric offset required. Date.parse alone accepts far more (no offset: local time; "March 7").
 */
const RFC_3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|([+-])(\d{2}):(\d{2}))$/;

/**
 * Applies api.md's rules to a send request, REST or `sms.send.v1` alike, and throws the first broken
 * rule as an {@link ApiError} with its stable code. Written as plain checks rather than decorators:
 * it is the hot path of intake, and each rule has its own code.
 */
export function validateMessageRequest(
  input: unknown,
  extraFields: readonly string[] = [],
  callbackPolicy: OutboundPolicy = STRICT_OUTBOUND_POLICY,
  now: Date = new Date(),
): ValidatedMessage {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw unprocessable('INVALID_REQUEST', 'Request body must be a JSON object');
  }
  const record = input as Record<string, unknown>;
  for (const field of Object.keys(record)) {
    if (!REST_FIELDS.has(field) && !extraFields.includes(field)) {
      throw unprocessable('UNKNOWN_FIELD', `Unknown field '${field.slice(0, 64)}'`, field.slice(0, 64));
    }
  }

  const country = optionalString(record, 'country');
  if (country !== null && (!/^[A-Z]{2}$/.test(country) || !isSupportedCountryCode(country))) {
    throw unprocessable('INVALID_COUNTRY', 'country must be an ISO 3166-1 alpha-2 code such as GB', 'country');
  }

  const rawTo = record['to'];
  if (typeof rawTo !== 'string' || rawTo.length === 0) {
    throw unprocessable('INVALID_PHONE_NUMBER', 'to is required: an E.164 number such as +447400123456', 'to');
  }
  const phone = phoneParseCache.parse(rawTo, country ?? undefined);
  if (!phone.ok) {
    throw unprocessable('INVALID_PHONE_NUMBER', `to is not a valid phone number (${phone.reason})`, 'to');
  }

  const body = validateBody(record['body']);
  const from = validateSender(record['from']);

  const messageClass = parseMessageClass(optionalString(record, 'messageClass'));

  const callbackUrl = optionalString(record, 'callbackUrl');
  const callbackRefusal = callbackUrl === null ? null : callbackUrlRefusal(callbackUrl, callbackPolicy);
  if (callbackRefusal !== null) {
    throw unprocessable(
      'INVALID_CALLBACK_URL',
      `callbackUrl must be an https URL on a public host (${callbackRefusal})`,
      'callbackUrl',
    );
  }

  const clientReference = optionalString(record, 'clientReference');
  if (clientReference !== null && (clientReference.length > 128 || /[\u0000-\u001f\u007f]/.test(clientReference))) {
    throw unprocessable(
      'INVALID_CLIENT_REFERENCE',
      'clientReference must be at most 128 printable characters',
      'clientReference',
    );
  }

  const validitySeconds = record['validitySeconds'] ?? null;
  if (
    validitySeconds !== null &&
    (typeof validitySeconds !== 'number' ||
      !Number.isInteger(validitySeconds) ||
      validitySeconds < MIN_VALIDITY_SECONDS ||
      validitySeconds > MAX_VALIDITY_SECONDS)
  ) {
    throw unprocessable('INVALID_VALIDITY', 'validitySeconds must be an integer from 60 to 259200', 'validitySeconds');
  }

  const smartEncoding = record['smartEncoding'] ?? null;
  if (smartEncoding !== null && typeof smartEncoding !== 'boolean') {
    throw unprocessable('INVALID_SMART_ENCODING', 'smartEncoding must be true or false', 'smartEncoding');
  }
  const sendAt = validateSendAt(record['sendAt'], now);

  const segments = countSegments(body);

  return {
    to: phone.e164,
    country: phone.country,
    body,
    from,
    messageClass,
    callbackUrl,
    clientReference,
    validitySeconds,
    encoding: segments.encoding,
    segments: segments.segments,
    ...(smartEncoding === null ? {} : { smartEncoding }),
    sendAt,
  };
}

/**
 * `sendAt`: RFC 3339, from now (less {@link SEND_AT_PAST_TOLERANCE_MS}) up to 35 days ahead. Null when
 * absent or not in the future (the message is sent now).
 */
function validateSendAt(value: unknown, now: Date): Date | null {
  if (value === undefined || value === null) {
    return null;
  }
  if (typeof value !== 'string') {
    throw new ApiError(422, 'INVALID_FIELD_TYPE', 'sendAt must be a string', 'sendAt');
  }
  const at = parseRfc3339(value);
  if (at === null) {
    throw unprocessable(
      'INVALID_SEND_AT',
      'sendAt must be an RFC 3339 date-time with an offset, such as 2026-03-01T09:30:00Z',
      'sendAt',
    );
  }
  const ahead = at.getTime() - now.getTime();
  if (ahead < -SEND_AT_PAST_TOLERANCE_MS) {
    throw unprocessable('SEND_AT_IN_PAST', 'sendAt is in the past', 'sendAt');
  }
  if (ahead > MAX_SCHEDULE_AHEAD_MS) {
    throw unprocessable('SEND_AT_TOO_FAR', 'sendAt must be at most 35 days ahead', 'sendAt');
  }

  return ahead > 0 ? at : null;
}

/** The instant of an RFC 3339 date-time, or null when the text is not one (including 2026-02-30 or 24:00). */
function parseRfc3339(text: string): Date | null {
  const match = RFC_3339.exec(text);
  if (match === null) {
    return null;
  }
  const [, year, month, day, hour, minute, second, fraction, , sign, offsetHours, offsetMinutes] = match;
  const fields = [year, month, day, hour, minute, second].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [y, mo, d, h, mi, s] = fields;
  // Date.UTC rolls 2026-02-30 over into March: a date that does not exist comes back different.
  const local = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  if (
    local.getUTCFullYear() !== y ||
    local.getUTCMonth() !== mo - 1 ||
    local.getUTCDate() !== d ||
    local.getUTCHours() !== h ||
    local.getUTCMinutes() !== mi ||
    local.getUTCSeconds() !== s
  ) {
    return null;
  }
  const offH = Number(offsetHours ?? 0);
  const offM = Number(offsetMinutes ?? 0);
  if (offH > 23 || offM > 59) {
    return null;
  }
  const offsetMs = (sign === '-' ? -1 : 1) * (offH * 60 + offM) * 60_000;
  const millis = fraction === undefined ? 0 : Math.floor(Number(`0${fraction}`) * 1000);

  return new Date(local.getTime() + millis - offsetMs);
}

function parseMessageClass(value: string | null): MessageClass {
  if (value === null) {
    return MessageClass.Transactional;
  }
  const known = Object.values(MessageClass).find((c) => c === (value as MessageClass));
  if (!known) {
    throw unprocessable('INVALID_MESSAGE_CLASS', 'messageClass must be transactional or marketing', 'messageClass');
  }

  return known;
}

function validateBody(value: unknown): string {
  if (value === undefined || value === null || value === '') {
    throw unprocessable('BODY_EMPTY', 'body is required and must not be empty', 'body');
  }
  if (typeof value !== 'string') {
    throw unprocessable('BODY_NOT_WELL_FORMED', 'body must be a string', 'body');
  }
  // Lone surrogates cannot be encoded for any carrier, and NUL breaks SMPP C-strings and databases.
  if (!value.isWellFormed() || value.includes('\u0000')) {
    throw unprocessable('BODY_NOT_WELL_FORMED', 'body contains a lone surrogate or a NUL character', 'body');
  }
  if (value.length > MAX_BODY_CHARACTERS && codePointLength(value) > MAX_BODY_CHARACTERS) {
    throw unprocessable('BODY_TOO_LONG', `body must be at most ${MAX_BODY_CHARACTERS} characters`, 'body');
  }
  if (value.trim().length === 0) {
    throw unprocessable('BODY_EMPTY', 'body must contain more than whitespace', 'body');
  }

  return value;
}

function validateSender(value: unknown): string | null {
  if (value === undefined || value === null) {
    return null;
  }
  if (typeof value !== 'string') {
    throw unprocessable('INVALID_SENDER', 'from must be an E.164 number or an alphanumeric sender ID', 'from');
  }
  if (value.startsWith('+')) {
    const phone = phoneParseCache.parse(value);
    if (phone.ok) {
      return phone.e164;
    }
  } else if (isAlphanumericSenderId(value)) {
    return value;
  }
  throw unprocessable(
    'INVALID_SENDER',
    'from must be an E.164 number or 1-11 letters, digits and spaces with at least one letter',
    'from',
  );
}

function optionalString(record: Record<string, unknown>, field: string): string | null {
  const value = record[field];
  if (value === undefined || value === null) {
    return null;
  }
  if (typeof value !== 'string') {
    throw new ApiError(422, 'INVALID_FIELD_TYPE', `${field} must be a string`, field);
  }

  return value;
}

function codePointLength(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      i++;
    }
    count++;
  }

  return count;
}
