import { decimalToMicros } from '@sms/counters';
import type { LimitsSettings } from '@sms/platform';

/**
 * Countries whose sending is OFF by default for every account, until an operator turns them on for an
 * account that needs them (PUT /v1/accounts/:id/limits with a `blockedCountries` list without them).
 *
 * Why these: SMS pumping (artificially inflated traffic) pays the fraudster out of termination fees, so
 * it targets destinations with high termination rates where complicit or lax operators share revenue;
 * messaging providers' geo-permission tools flag these countries as high fraud risk and recommend
 * keeping them off unless an account sends there. An account that never sends to a country loses
 * nothing by having it off, and one stolen key cannot spend into it. Operators review this list; it is
 * the default of new accounts, never applied to an account's stored limits retroactively.
 */
export const PUMPING_RISK_COUNTRIES: readonly string[] = [
  'AF', // Afghanistan
  'AZ', // Azerbaijan
  'BY', // Belarus
  'KG', // Kyrgyzstan
  'MM', // Myanmar
  'TJ', // Tajikistan
  'TM', // Turkmenistan
  'UZ', // Uzbekistan
];

/** libphonenumber's number types, plus UNKNOWN for a valid number the metadata cannot type. */
export const NUMBER_TYPES = [
  'MOBILE',
  'FIXED_LINE',
  'FIXED_LINE_OR_MOBILE',
  'TOLL_FREE',
  'PREMIUM_RATE',
  'SHARED_COST',
  'VOIP',
  'PERSONAL_NUMBER',
  'PAGER',
  'UAN',
  'VOICEMAIL',
  'UNKNOWN',
] as const;
export type NumberTypeName = (typeof NUMBER_TYPES)[number];

/**
 * Refused unless an operator permits them: a text to a premium-rate or shared-cost number earns its
 * owner a share of the charge, which is exactly what a pumping attack is after, and no business
 * notification needs to reach one.
 */
export const NUMBER_TYPES_REFUSED_BY_DEFAULT: readonly NumberTypeName[] = ['PREMIUM_RATE', 'SHARED_COST'];

/** Quantities; null = no limit. Spend in micro-units of LIMITS_CURRENCY. */
export interface Quotas {
  readonly messagesPerSecond: number | null;
  readonly messagesPerDay: number | null;
  readonly segmentsPerDay: number | null;
  readonly spendPerDayMicros: number | null;
  readonly spendPerMonthMicros: number | null;
}

/** An account's limits, complete (stored, or the defaults from config). */
export interface AccountLimits extends Quotas {
  /** `*` = every country not blocked. */
  readonly allowedCountries: '*' | readonly string[];
  readonly blockedCountries: readonly string[];
  readonly numberTypes: readonly NumberTypeName[];
}

/**
 * A key's own limits: quantities counted on the key's traffic alone (null = none beyond the account's)
 * and permissions that narrow the account's (null = the account's). A key can never do more than its
 * account.
 */
export interface KeyLimits extends Quotas {
  readonly allowedCountries: '*' | readonly string[] | null;
  readonly blockedCountries: readonly string[] | null;
  readonly numberTypes: readonly NumberTypeName[] | null;
}

export const QUOTA_FIELDS = [
  'messagesPerSecond',
  'messagesPerDay',
  'segmentsPerDay',
  'spendPerDayMicros',
  'spendPerMonthMicros',
] as const satisfies readonly (keyof Quotas)[];

const orNull = (value: number): number | null => (value === 0 ? null : value);

/** The limits of an account that has none stored: the configured defaults. */
export function defaultAccountLimits(limits: LimitsSettings): AccountLimits {
  return {
    messagesPerSecond: orNull(limits.messagesPerSecond),
    messagesPerDay: orNull(limits.messagesPerDay),
    segmentsPerDay: orNull(limits.segmentsPerDay),
    spendPerDayMicros: orNull(decimalToMicros(limits.spendPerDay) ?? 0),
    spendPerMonthMicros: orNull(decimalToMicros(limits.spendPerMonth) ?? 0),
    allowedCountries: '*',
    blockedCountries: PUMPING_RISK_COUNTRIES,
    numberTypes: NUMBER_TYPES.filter((type) => !NUMBER_TYPES_REFUSED_BY_DEFAULT.includes(type)),
  };
}

/** True when the country passes an allow-list and a block-list. */
export function countryPasses(country: string, allowed: '*' | readonly string[], blocked: readonly string[]): boolean {
  return (allowed === '*' || allowed.includes(country)) && !blocked.includes(country);
}

/** The account's permissions, then the key's narrower ones when it has them. */
export function countryPermitted(country: string, account: AccountLimits, key: KeyLimits | null): boolean {
  return (
    countryPasses(country, account.allowedCountries, account.blockedCountries) &&
    (key === null || countryPasses(country, key.allowedCountries ?? '*', key.blockedCountries ?? []))
  );
}

export function numberTypePermitted(type: NumberTypeName, account: AccountLimits, key: KeyLimits | null): boolean {
  const keyTypes = key?.numberTypes ?? null;

  return account.numberTypes.includes(type) && (keyTypes === null || keyTypes.includes(type));
}

/**
 * The fields of `next` that permit more than `current`: a higher or removed quota, a country or a
 * number type it did not permit. An account's own admin may only lower its limits, so a non-empty
 * answer refuses an admin's change.
 */
export function raisedFields(current: AccountLimits, next: AccountLimits, countries: readonly string[]): string[] {
  const raised: string[] = QUOTA_FIELDS.filter((field) => exceeds(next[field], current[field])).map(apiFieldOf);
  const widened = countries.some(
    (country) =>
      countryPasses(country, next.allowedCountries, next.blockedCountries) &&
      !countryPasses(country, current.allowedCountries, current.blockedCountries),
  );
  if (widened) {
    raised.push('allowedCountries');
  }
  if (next.numberTypes.some((type) => !current.numberTypes.includes(type))) {
    raised.push('numberTypes');
  }

  return raised;
}

/** null is no limit: above every number. */
function exceeds(next: number | null, current: number | null): boolean {
  if (current === null) {
    return false;
  }

  return next === null || next > current;
}

/** The API spells spend as a decimal field without the unit suffix. */
export function apiFieldOf(field: keyof Quotas): string {
  return field.replace(/Micros$/, '');
}
