// The max metadata: `min` only checks lengths (its isValid() is isPossible()), and routing, pricing and the
// NANP/Crown-dependency country split need real number ranges (docs/performance.md, "Reference figures").
import {
  getCountries,
  getCountryCallingCode,
  isSupportedCountry,
  ParseError,
  parsePhoneNumberWithError,
  validatePhoneNumberLength,
} from 'libphonenumber-js/max';
import type { CountryCode, NumberType, PhoneNumber } from 'libphonenumber-js/max';

export type PhoneNumberType = Exclude<NumberType, undefined>;

export type PhoneParseFailure = 'NOT_A_NUMBER' | 'INVALID_COUNTRY' | 'TOO_SHORT' | 'TOO_LONG' | 'INVALID';

export type PhoneParseResult =
  | {
      readonly ok: true;
      /** `+` and digits only, e.g. `+447400123456`. */
      readonly e164: string;
      /** ISO 3166-1 alpha-2 of the number itself, which may differ from the hint (`+33...` with hint GB is FR). */
      readonly country: string;
      readonly type?: PhoneNumberType;
    }
  | { readonly ok: false; readonly reason: PhoneParseFailure };

/** E.164 allows 15 digits; 32 leaves room for spaces, dashes and brackets while capping the work per request. */
const MAX_INPUT_LENGTH = 32;

/**
 * Parses a recipient or sender number and accepts it only if the max metadata says it is a real, assigned range.
 *
 * - International format (`+...`) always; national format only with `defaultCountry`, a supported ISO alpha-2
 *   code (case-insensitive). A `+` number ignores the hint.
 * - Only ASCII digits, spaces, `-`, `.`, `(`, `)`, `/` and a leading `+`, after trimming spaces: libphonenumber
 *   itself would pick a number out of `+1 213 373 4253 abc`, and we do not want to guess what a caller meant.
 * - Non-geographic numbers (`+800`, `+882`, ...) have no country, which routing needs: `INVALID_COUNTRY`.
 */
export function parsePhone(input: string, defaultCountry?: string): PhoneParseResult {
  if (input.length > MAX_INPUT_LENGTH) {
    return failure('TOO_LONG');
  }
  let country: CountryCode | undefined;
  if (defaultCountry !== undefined) {
    const upper = defaultCountry.toUpperCase();
    if (!isSupportedCountry(upper)) {
      return failure('INVALID_COUNTRY');
    }
    country = upper;
  }
  // Checked before trimming: trim() would also strip CR, LF and tabs, which we reject rather than forgive.
  if (!hasOnlyPhoneCharacters(input)) {
    return failure('NOT_A_NUMBER');
  }
  const text = input.trim();
  if (text.length === 0) {
    return failure('NOT_A_NUMBER');
  }
  if (!text.startsWith('+') && country === undefined) {
    return failure('INVALID_COUNTRY');
  }

  let phone: PhoneNumber;
  try {
    phone = parsePhoneNumberWithError(text, country === undefined ? undefined : { defaultCountry: country });
  } catch (error) {
    if (error instanceof ParseError) {
      return failure(parseErrorReason(error.message));
    }
    throw error;
  }

  if (!phone.isValid()) {
    // A wrong length is the most useful thing to tell a caller; anything else is an unassigned range.
    const length = validatePhoneNumberLength(phone.number);

    return failure(length === 'TOO_SHORT' || length === 'TOO_LONG' ? length : 'INVALID');
  }
  if (phone.country === undefined) {
    return failure('INVALID_COUNTRY');
  }
  const type = phone.getType();

  return type === undefined
    ? { ok: true, e164: phone.number, country: phone.country }
    : { ok: true, e164: phone.number, country: phone.country, type };
}

/**
 * An alphanumeric sender ID as carriers accept it: 1-11 ASCII letters, digits and spaces, at least one letter
 * (all digits would be read as a short code or a number), no leading or trailing space.
 */
/** True for an ISO 3166-1 alpha-2 code that has a numbering plan in the metadata (case-insensitive). */
export function isSupportedCountryCode(code: string): boolean {
  return /^[A-Za-z]{2}$/.test(code) && isSupportedCountry(code.toUpperCase());
}

export function isAlphanumericSenderId(value: string): boolean {
  if (value.length < 1 || value.length > 11 || value.startsWith(' ') || value.endsWith(' ')) {
    return false;
  }
  let hasLetter = false;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) {
      hasLetter = true;
    } else if (!(code >= 0x30 && code <= 0x39) && code !== 0x20) {
      return false;
    }
  }

  return hasLetter;
}

/**
 * For logs: the country calling code and the last 2 digits, every other digit masked, so `+447400123456`
 * becomes `+44********56`. The length stays visible because a wrong length is what one debugs; the subscriber
 * part does not. Anything that is not E.164 is replaced whole rather than echoed.
 */
export function redactPhone(e164: string): string {
  if (!E164_PATTERN.test(e164)) {
    return '[redacted]';
  }
  const digits = e164.slice(1);
  const codeLength = callingCodeLength(digits);

  return `+${digits.slice(0, codeLength)}${'*'.repeat(digits.length - codeLength - 2)}${digits.slice(-2)}`;
}

const E164_PATTERN = /^\+[1-9]\d{3,14}$/;

// ITU calling codes that belong to no country (freephone, satellite, global services): E.164 still uses them.
const NON_GEOGRAPHIC_CALLING_CODES = ['800', '808', '870', '878', '881', '882', '883', '888', '979'];

const CALLING_CODES: ReadonlySet<string> = new Set([
  ...getCountries().map((country) => getCountryCallingCode(country)),
  ...NON_GEOGRAPHIC_CALLING_CODES,
]);

/** Calling codes are prefix-free (ITU-T E.164), so the first 1-3 digit prefix that is one is the one. */
function callingCodeLength(digits: string): number {
  for (let length = 1; length <= 3; length++) {
    if (CALLING_CODES.has(digits.slice(0, length))) {
      return length;
    }
  }

  // Unknown code: keep nothing but the last 2 digits rather than guess how much is safe to show.
  return 0;
}

/** ASCII digits, space, `-`, `.`, `(`, `)`, `/`, and `+` only as the first character after leading spaces. */
function hasOnlyPhoneCharacters(text: string): boolean {
  let first = 0;
  while (text.charCodeAt(first) === 0x20) {
    first++;
  }
  for (let i = first; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const allowed =
      (code >= 0x30 && code <= 0x39) || // 0-9
      code === 0x20 || // space
      code === 0x2d || // -
      code === 0x2e || // .
      code === 0x28 || // (
      code === 0x29 || // )
      code === 0x2f || // /
      (code === 0x2b && i === first);
    if (!allowed) {
      return false;
    }
  }

  return true;
}

function parseErrorReason(message: string): PhoneParseFailure {
  switch (message) {
    case 'NOT_A_NUMBER':
    case 'INVALID_COUNTRY':
    case 'TOO_SHORT':
    case 'TOO_LONG':
      return message;
    default:
      // INVALID_LENGTH and anything a later library version adds.
      return 'INVALID';
  }
}

function failure(reason: PhoneParseFailure): PhoneParseResult {
  return { ok: false, reason };
}
