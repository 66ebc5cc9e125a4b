import { isAlphanumericSenderId, parsePhone } from '@sms/phone';
import { unprocessable } from '@sms/platform';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

/** A query string as the HTTP layer parsed it: a repeated parameter is an array. */
export type QueryValues = Readonly<Record<string, string | readonly string[]>>;

/**
 * The query object with every parameter checked against the route's list: an unknown one is refused
 * (422 UNKNOWN_PARAMETER) rather than ignored, so a misspelt filter never silently widens a search.
 */
export function readQuery(query: unknown, allowed: readonly string[]): QueryValues {
  const values = (query ?? {}) as Record<string, unknown>;
  for (const [name, value] of Object.entries(values)) {
    if (!allowed.includes(name)) {
      throw unprocessable('UNKNOWN_PARAMETER', `unknown query parameter ${JSON.stringify(name.slice(0, 64))}`, name);
    }
    const isText = (item: unknown): boolean => typeof item === 'string';
    if (!(isText(value) || (Array.isArray(value) && value.every(isText)))) {
      throw unprocessable('INVALID_REQUEST', `query parameter ${name} is malformed`, name);
    }
  }

  return values as QueryValues;
}

/** A parameter that may appear once; absent or empty is undefined. */
export function single(query: QueryValues, name: string, code: string): string | undefined {
  const value = query[name];
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== 'string') {
    throw unprocessable(code, `${name} may be given once`, name);
  }

  return value.length === 0 ? undefined : value;
}

/** Comma-separated and/or repeated values (`status=sent,delivered` or `status=sent&status=delivered`). */
export function list(query: QueryValues, name: string): string[] {
  const value = query[name];
  const items = value === undefined ? [] : typeof value === 'string' ? [value] : value;

  return [...new Set(items.flatMap((item) => item.split(',')).map((item) => item.trim()))].filter(Boolean);
}

/** `limit`: a whole number from 1 to 1000, 50 when absent. */
export function parseLimit(query: QueryValues): number {
  const text = single(query, 'limit', 'INVALID_LIMIT');
  if (text === undefined) {
    return DEFAULT_PAGE_SIZE;
  }
  const limit = /^\d{1,4}$/.test(text) ? Number(text) : Number.NaN;
  if (!(limit >= 1 && limit <= MAX_PAGE_SIZE)) {
    throw unprocessable('INVALID_LIMIT', `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`, 'limit');
  }

  return limit;
}

/** `2026-01-31`, or a date and time with `Z` or an offset (`2026-01-31T12:00:00.000+01:00`). */
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * An ISO 8601 instant. A date alone means its midnight UTC; a time must name its zone (a local time
 * would mean something else on every server). Impossible dates (`2026-02-30`) are refused, not rolled over.
 */
export function parseInstant(query: QueryValues, name: string): Date | undefined {
  const text = single(query, name, 'INVALID_DATE');
  if (text === undefined) {
    return undefined;
  }
  const match = ISO_INSTANT.exec(text);
  const at = match ? new Date(match[4] === undefined ? `${text}T00:00:00Z` : text) : null;
  const [, year, month, day, hour, minute, second] = match ?? [];
  const fieldsValid =
    match !== null &&
    Number(month) >= 1 &&
    Number(month) <= 12 &&
    Number(day) >= 1 &&
    Number(day) <= new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate() &&
    Number(hour ?? 0) <= 23 &&
    Number(minute ?? 0) <= 59 &&
    Number(second ?? 0) <= 59;
  if (!fieldsValid || at === null || Number.isNaN(at.getTime()) || at.getUTCFullYear() < 1970) {
    throw unprocessable(
      'INVALID_DATE',
      `${name} must be an ISO 8601 date (2026-01-31) or date and time with a zone (2026-01-31T12:00:00Z)`,
      name,
    );
  }

  return at;
}

/** `[after, before)`: an empty or inverted range is a mistake worth telling, not an empty page. */
export function checkRange(after: Date | undefined, before: Date | undefined, afterName: string, beforeName: string) {
  if (after && before && after.getTime() >= before.getTime()) {
    throw unprocessable('INVALID_DATE_RANGE', `${afterName} must be earlier than ${beforeName}`, afterName);
  }
}

/**
 * A phone number filter in E.164. An unencoded `+` in a query string arrives as a space: a leading space
 * before digits is read as the `+` the caller meant.
 */
export function parseNumber(query: QueryValues, name: string): string | undefined {
  const text = single(query, name, 'INVALID_PHONE_NUMBER');
  if (text === undefined) {
    return undefined;
  }
  const phone = parsePhone(text.replace(/^ (?=\d)/, '+'));
  if (!phone.ok) {
    throw unprocessable('INVALID_PHONE_NUMBER', `${name} must be a phone number in E.164 (+447400123456)`, name);
  }

  return phone.e164;
}

/** A sender filter: an E.164 number (as parseNumber) or an alphanumeric sender ID, as `from` is sent. */
export function parseSender(query: QueryValues, name: string): string | undefined {
  const text = single(query, name, 'INVALID_SENDER');
  if (text === undefined) {
    return undefined;
  }
  if (isAlphanumericSenderId(text)) {
    return text;
  }
  const phone = parsePhone(text.replace(/^ (?=\d)/, '+'));
  if (!phone.ok || !/^[+ ]/.test(text)) {
    throw unprocessable('INVALID_SENDER', `${name} must be an E.164 number or an alphanumeric sender ID`, name);
  }

  return phone.e164;
}
