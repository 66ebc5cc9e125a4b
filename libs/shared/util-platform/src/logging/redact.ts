import { redactPhone } from '@sms/phone';

/**
 * Phone numbers and message bodies never reach a log unredacted (DEVELOPERS.md). They are redacted by
 * field: a structured log line's value is censored when its key names a number, a body or a credential
 * ({@link REDACTED_KEYS}, plus LOG_REDACT_KEYS), at any depth and whatever the key's case (Twilio's form
 * fields are `To`, `From`, `Body`). Free text is never rewritten by a digit pattern, which also masked
 * the digit runs of ids, ports and addresses (`10.0.0.12:3306`, a UUID's groups, a provider's message id)
 * and so hid what an operator needs. The rule for code that logs: a number or a body goes in a field,
 * never into the message text.
 *
 * Free text that code does not control (a provider's error message echoing the number it refused) is
 * the one exception: in the free-text fields ({@link FREE_TEXT_KEYS}, at any depth, and the line's own
 * message) a number written in E.164 form, `+` then 8 to 15 digits, is masked as `redactPhone` does
 * (`+44********56`). The leading `+` is what keeps ids, ports and addresses out of it; a bare digit run is
 * left as it is, because in free text it cannot be told from an id.
 */

/** Keys, lower case, whose values are always censored in structured log lines. */
export const REDACTED_KEYS: ReadonlySet<string> = new Set([
  // message content
  'body',
  'text',
  'short_message',
  'message_body',
  'messagebody',
  'payload',
  'rawbody',
  // phone numbers
  'to',
  'from',
  'sender',
  'recipient',
  'recipients',
  'msisdn',
  'number',
  'numbers',
  'phone',
  'phonenumber',
  'to_number',
  'requested_from',
  'destination',
  'destination_addr',
  'destinationnumber',
  'source_addr',
  'originator',
  'originationnumber',
  'partya',
  'partyb',
  // credentials
  'authorization',
]);

export const REDACTED = '[redacted]';

/** Keys, lower case, whose string values are free text: E.164 numbers inside them are masked. */
export const FREE_TEXT_KEYS: ReadonlySet<string> = new Set(['msg', 'message', 'error', 'stack', 'detail', 'reason']);

/** `+` and 8-15 digits, not glued to a word or another digit: an E.164 number in running text. */
const E164_IN_TEXT = /(?<![\w+])\+[1-9]\d{7,14}(?!\d)/g;

/** Free text with every E.164 number masked; ids, ports and bare digit runs kept (see the file's rule). */
export function maskNumbersInText(text: string): string {
  // Most lines hold no '+': skip the regex for them (logging sits on the per-message path).
  return text.includes('+') ? text.replace(E164_IN_TEXT, redactPhone) : text;
}

/** Objects nested deeper than this are cut (a log line is not a data dump). */
const MAX_DEPTH = 8;

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const proto = Object.getPrototypeOf(value) as unknown;

  return proto === Object.prototype || proto === null;
};

/**
 * A copy of `value` with the value of every key in `keys` (lower case) replaced by {@link REDACTED}, in
 * nested objects and arrays too, and the E.164 numbers of free-text keys masked. Anything else (errors, dates, buffers) is passed through as it is.
 */
export function redactByField(value: unknown, keys: ReadonlySet<string> = REDACTED_KEYS, depth = 0): unknown {
  if (Array.isArray(value)) {
    return depth >= MAX_DEPTH ? REDACTED : value.map((item) => redactByField(item, keys, depth + 1));
  }
  if (!isPlainObject(value)) {
    return value;
  }
  if (depth >= MAX_DEPTH) {
    return REDACTED;
  }
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const lower = key.toLowerCase();
    if (keys.has(lower) && item !== null && item !== undefined) {
      copy[key] = REDACTED;
    } else if (typeof item === 'string') {
      copy[key] = FREE_TEXT_KEYS.has(lower) ? maskNumbersInText(item) : item;
    } else {
      copy[key] = redactByField(item, keys, depth + 1);
    }
  }

  return copy;
}

/** CR/LF in free text are escaped so user data cannot forge a log line (CWE-117). */
export const escapeLineBreaks = (text: string): string => text.replace(/[\r\n]/g, (c) => (c === '\r' ? '\\r' : '\\n'));
