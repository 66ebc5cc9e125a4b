import { decimalToMicros, microsToDecimal } from '@sms/counters';
import { isSupportedCountryCode } from '@sms/phone';
import { unprocessable } from '@sms/platform';
import { type AccountLimits, type KeyLimits, NUMBER_TYPES, type NumberTypeName, type Quotas } from './limit-policy';

/** Counts above this are refused as a typo rather than stored as a limit nobody meant. */
const MAX_COUNT = 1_000_000_000;
const MAX_LIST = 300;

const COUNT_FIELDS = ['messagesPerSecond', 'messagesPerDay', 'segmentsPerDay'] as const;
const SPEND_FIELDS = [
  ['spendPerDay', 'spendPerDayMicros'],
  ['spendPerMonth', 'spendPerMonthMicros'],
] as const;
const FIELDS = new Set<string>([
  ...COUNT_FIELDS,
  ...SPEND_FIELDS.map(([field]) => field),
  'allowedCountries',
  'blockedCountries',
  'numberTypes',
]);

/** The API's view of limits: counts as numbers, money as decimal strings, null = no limit. */
export interface LimitsView {
  readonly messagesPerSecond: number | null;
  readonly messagesPerDay: number | null;
  readonly segmentsPerDay: number | null;
  readonly spendPerDay: string | null;
  readonly spendPerMonth: string | null;
  readonly allowedCountries: '*' | readonly string[] | null;
  readonly blockedCountries: readonly string[] | null;
  readonly numberTypes: readonly string[] | null;
}

export function toLimitsView(limits: AccountLimits | KeyLimits): LimitsView {
  const money = (micros: number | null): string | null => (micros === null ? null : microsToDecimal(micros));

  return {
    messagesPerSecond: limits.messagesPerSecond,
    messagesPerDay: limits.messagesPerDay,
    segmentsPerDay: limits.segmentsPerDay,
    spendPerDay: money(limits.spendPerDayMicros),
    spendPerMonth: money(limits.spendPerMonthMicros),
    allowedCountries: limits.allowedCountries,
    blockedCountries: limits.blockedCountries,
    numberTypes: limits.numberTypes,
  };
}

/**
 * An account's limits from a PUT body: every field given replaces the stored one, every field left
 * out takes the configured default (a PUT is the whole document). 422 with a stable code and the
 * field for anything malformed.
 */
export function parseAccountLimits(input: unknown, defaults: AccountLimits): AccountLimits {
  const body = readObject(input);
  const quotas = parseQuotas(body, defaults);

  return {
    ...quotas,
    allowedCountries: 'allowedCountries' in body ? allowList(body['allowedCountries']) : defaults.allowedCountries,
    blockedCountries:
      'blockedCountries' in body
        ? countryList(body['blockedCountries'], 'blockedCountries')
        : defaults.blockedCountries,
    numberTypes: 'numberTypes' in body ? numberTypes(body['numberTypes']) : defaults.numberTypes,
  };
}

/** A key's own limits: a field left out or null adds nothing to the account's. */
export function parseKeyLimits(input: unknown): KeyLimits {
  const body = readObject(input);
  const none: Quotas = {
    messagesPerSecond: null,
    messagesPerDay: null,
    segmentsPerDay: null,
    spendPerDayMicros: null,
    spendPerMonthMicros: null,
  };
  const present = (field: string): boolean => body[field] !== undefined && body[field] !== null;

  return {
    ...parseQuotas(body, none),
    allowedCountries: present('allowedCountries') ? allowList(body['allowedCountries']) : null,
    blockedCountries: present('blockedCountries') ? countryList(body['blockedCountries'], 'blockedCountries') : null,
    numberTypes: present('numberTypes') ? numberTypes(body['numberTypes']) : null,
  };
}

function readObject(input: unknown): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw unprocessable('INVALID_REQUEST', 'Request body must be a JSON object');
  }
  const body = input as Record<string, unknown>;
  for (const field of Object.keys(body)) {
    if (!FIELDS.has(field)) {
      throw unprocessable('UNKNOWN_FIELD', `Unknown field '${field.slice(0, 64)}'`, field.slice(0, 64));
    }
  }

  return body;
}

function parseQuotas(body: Record<string, unknown>, defaults: Quotas): Quotas {
  const quotas: Record<keyof Quotas, number | null> = { ...defaults };
  for (const field of COUNT_FIELDS) {
    if (!(field in body)) {
      continue;
    }
    const value = body[field];
    if (value !== null && (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_COUNT)) {
      throw unprocessable(
        'INVALID_LIMIT',
        `${field} must be an integer from 0 to ${MAX_COUNT}, or null for none`,
        field,
      );
    }
    quotas[field] = value;
  }
  for (const [field, key] of SPEND_FIELDS) {
    if (!(field in body)) {
      continue;
    }
    const value = body[field];
    if (value === null) {
      quotas[key] = null;
      continue;
    }
    const micros = typeof value === 'string' && /^\d{1,9}(\.\d{1,6})?$/.test(value) ? decimalToMicros(value) : null;
    if (micros === null) {
      throw unprocessable(
        'INVALID_LIMIT',
        `${field} must be a decimal string such as "250.00", or null for none`,
        field,
      );
    }
    quotas[key] = micros;
  }

  return quotas;
}

function allowList(value: unknown): '*' | string[] {
  return value === '*' ? '*' : countryList(value, 'allowedCountries');
}

function countryList(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.length > MAX_LIST) {
    throw unprocessable('INVALID_COUNTRY', `${field} must be a list of ISO 3166-1 alpha-2 codes such as ["GB"]`, field);
  }
  for (const code of value) {
    if (typeof code !== 'string' || !/^[A-Z]{2}$/.test(code) || !isSupportedCountryCode(code)) {
      throw unprocessable('INVALID_COUNTRY', `${field} must hold ISO 3166-1 alpha-2 codes such as GB`, field);
    }
  }

  return [...new Set(value as string[])].sort();
}

function numberTypes(value: unknown): NumberTypeName[] {
  if (
    !Array.isArray(value) ||
    !value.every((type) => typeof type === 'string' && (NUMBER_TYPES as readonly string[]).includes(type))
  ) {
    throw unprocessable(
      'INVALID_NUMBER_TYPE',
      `numberTypes must be a list of ${NUMBER_TYPES.join(', ')}`,
      'numberTypes',
    );
  }

  return [...new Set(value as NumberTypeName[])].sort();
}
