import { ApiError, unprocessable } from '@sms/platform';

/**
 * Plain checks for the operator API's bodies: each broken rule gets its own stable code and the
 * field at fault (api.md), which decorator validation would flatten into one generic error.
 */
export type Body = Record<string, unknown>;

export function readBody(input: unknown, allowed: readonly string[]): Body {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ApiError(400, 'INVALID_JSON', 'Request body must be a JSON object');
  }
  const body = input as Body;
  const unknownField = Object.keys(body).find((key) => !allowed.includes(key));
  if (unknownField !== undefined) {
    const field = unknownField.slice(0, 64);
    throw unprocessable('UNKNOWN_FIELD', `Unknown field '${field}'`, field);
  }

  return body;
}

interface Rule<T> {
  readonly code: string;
  readonly message: string;
  readonly test: (value: unknown) => value is T;
}

/** The field's value if present and valid; undefined if absent; throws its code if invalid. */
export function optional<T>(body: Body, field: string, rule: Rule<T>): T | undefined {
  const value = body[field];
  if (value === undefined) {
    return undefined;
  }
  if (!rule.test(value)) {
    throw unprocessable(rule.code, `${field} ${rule.message}`, field);
  }

  return value;
}

export function required<T>(body: Body, field: string, rule: Rule<T>): T {
  const value = optional(body, field, rule);
  if (value === undefined) {
    throw unprocessable(rule.code, `${field} is required and ${rule.message}`, field);
  }

  return value;
}

const matching = (pattern: RegExp, code: string, message: string): Rule<string> => ({
  code,
  message,
  test: (v): v is string => typeof v === 'string' && pattern.test(v),
});

export const PROVIDER_ID = matching(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'INVALID_PROVIDER', 'must be 1-64 of a-z 0-9 _ -');
export const PROVIDER_KIND = matching(
  /^(twilio|vonage|aws|sinch|smpp)$/,
  'INVALID_PROVIDER_KIND',
  'must be one of twilio, vonage, aws, sinch, smpp',
);
export const NAME = matching(/^[^\u0000-\u001f]{1,128}$/, 'INVALID_NAME', 'must be 1-128 printable characters');
export const COUNTRY = matching(/^[A-Z]{2}$/, 'INVALID_COUNTRY', 'must be an ISO 3166-1 alpha-2 code such as GB');
export const SENDER_TYPE = matching(
  /^(longcode|shortcode|tollfree|alphanumeric)$/,
  'INVALID_SENDER_TYPE',
  'must be longcode, shortcode, tollfree or alphanumeric',
);
/** An account id as the accounts API makes them (a UUID). */
export const ACCOUNT_ID = matching(
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  'INVALID_ACCOUNT_ID',
  'must be an account id (a lowercase UUID)',
);
export const MONEY = matching(/^\d{1,8}(\.\d{1,6})?$/, 'INVALID_PRICE', 'must be a decimal string such as "0.0400"');
export const CURRENCY = matching(/^[A-Z]{3}$/, 'INVALID_CURRENCY', 'must be an ISO 4217 code such as USD');
export const PREFIX = matching(/^\d{0,15}$/, 'INVALID_PREFIX', 'must be up to 15 digits of E.164 without +');
export const MCC = matching(/^\d{3}$/, 'INVALID_NETWORK', 'must be a mobile country code of 3 digits such as "234"');
export const MNC = matching(/^\d{2,3}$/, 'INVALID_NETWORK', 'must be a mobile network code of 2-3 digits such as "30"');
export const LOOKUP_TTL_SECONDS: Rule<number> = {
  code: 'INVALID_LOOKUP_TTL',
  message: 'must be an integer number of seconds from 60 to 7776000 (90 days)',
  test: (v): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 60 && v <= 7_776_000,
};
export const SENDER_ID_POLICY = matching(
  /^(allowed|registration|forbidden)$/,
  'INVALID_SENDER_ID_POLICY',
  'must be allowed, registration or forbidden',
);
export const BOOLEAN: Rule<boolean> = {
  code: 'INVALID_FIELD',
  message: 'must be true or false',
  test: (v): v is boolean => typeof v === 'boolean',
};
export const THROUGHPUT: Rule<number> = {
  code: 'INVALID_THROUGHPUT',
  message: 'must be a number of segments per second between 0.01 and 10000',
  test: (v): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0.01 && v <= 10_000,
};

export function listOf(allowed: readonly string[], code: string): Rule<string[]> {
  return {
    code,
    message: `must be a list of ${allowed.join(', ')} without repeats`,
    test: (v): v is string[] =>
      Array.isArray(v) &&
      v.every((item) => typeof item === 'string' && allowed.includes(item)) &&
      new Set(v).size === v.length,
  };
}

/** A pool entry's value must fit its type. */
export function checkNumberFormat(number: unknown, type: string): string {
  const patterns: Record<string, RegExp> = {
    longcode: /^\+[1-9]\d{6,14}$/,
    tollfree: /^\+[1-9]\d{6,14}$/,
    shortcode: /^\d{3,8}$/,
    alphanumeric: /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/,
  };
  if (typeof number !== 'string' || !patterns[type]?.test(number)) {
    throw unprocessable(
      'INVALID_NUMBER',
      `number must be E.164 for a ${type === 'shortcode' ? 'short code: 3-8 digits' : type === 'alphanumeric' ? 'sender ID: 1-11 letters, digits, spaces, one letter at least' : `${type}: +digits`}`,
      'number',
    );
  }

  return number;
}
