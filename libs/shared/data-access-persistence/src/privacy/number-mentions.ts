/**
 * Finding a person's number in text the gateway stored as received (raw provider webhooks, provider
 * answers, callback and webhook payloads). Providers write a number as E.164 (`+447400123456`, Twilio, AWS),
 * without the plus (`447400123456`, Vonage, Sinch, SMPP) or URL-encoded (`%2B447400123456`): each holds the
 * digits, so the digits, not followed or preceded by another digit, find them all. The boundary keeps a
 * longer number that contains these digits, or an id with them inside, from being taken for this one.
 */
export interface NumberPattern {
  /** The digits alone: a SQL `LIKE '%…%'` prefilter that every mention passes. */
  readonly digits: string;
  /** True when `text` mentions the number. */
  mentions(text: string | null | undefined): boolean;
  /** `text` with every mention (with or without `+`, `%2B`) replaced by `replacement`. */
  replace(text: string, replacement: string): string;
}

export function numberPattern(number: string): NumberPattern {
  const digits = number.replace(/\D/g, '');
  if (digits.length < 6) {
    throw new RangeError('a number to erase has at least 6 digits');
  }
  const mention = new RegExp(`(?:\\+|%2B|%2b)?(?<!\\d)${digits}(?!\\d)`, 'g');

  return {
    digits,
    mentions: (text) => typeof text === 'string' && text.includes(digits) && new RegExp(mention.source).test(text),
    replace: (text, replacement) => text.replace(mention, replacement),
  };
}

/** Keys whose values are message text in the payloads the gateway keeps (ours and the providers'). */
const BODY_KEYS = new Set(['body', 'Body', 'text', 'Text', 'messageBody', 'short_message', 'shortMessage']);

/**
 * A stored payload that mentions the number, with the number replaced by `token` and every message text
 * emptied, in its own format: JSON (strings that hold JSON, such as an SNS envelope's `Message`, included)
 * and form-encoded bodies keep their shape, so the row still reads as what it was; other text keeps its
 * shape with the number replaced (receipts carry no message text).
 */
export function scrubPayload(text: string, pattern: NumberPattern, token: string): string {
  const json = parseJson(text);
  if (json !== undefined) {
    return JSON.stringify(scrubValue(json, pattern, token));
  }
  if (/^[^=&\s]+=[^&\s]*(&[^=&\s]+=[^&\s]*)*$/.test(text.trim())) {
    const form = new URLSearchParams(text.trim());
    const scrubbed = new URLSearchParams();
    for (const [key, value] of form) {
      scrubbed.append(key, BODY_KEYS.has(key) ? '' : pattern.replace(value, token));
    }

    return scrubbed.toString();
  }

  return pattern.replace(text, token);
}

function parseJson(text: string): unknown {
  const start = text.trimStart()[0];
  if (start !== '{' && start !== '[') {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function scrubValue(value: unknown, pattern: NumberPattern, token: string): unknown {
  if (typeof value === 'string') {
    const nested = parseJson(value);
    if (nested !== undefined) {
      return JSON.stringify(scrubValue(nested, pattern, token));
    }

    return pattern.mentions(value) ? pattern.replace(value, token) : value;
  }
  if (Array.isArray(value)) {
    return value.map((item) => scrubValue(item, pattern, token));
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        BODY_KEYS.has(key) && typeof item === 'string' ? '' : scrubValue(item, pattern, token),
      ]),
    );
  }

  return value;
}
