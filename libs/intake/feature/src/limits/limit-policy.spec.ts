import type { AppConfig } from '@sms/platform';
import { loadConfig } from '@sms/platform';
import {
  type AccountLimits,
  countryPermitted,
  defaultAccountLimits,
  type KeyLimits,
  numberTypePermitted,
  PUMPING_RISK_COUNTRIES,
  raisedFields,
} from './limit-policy';

const config: AppConfig = loadConfig({});
const defaults = defaultAccountLimits(config.intake.limits);
const NO_KEY_QUOTAS = {
  messagesPerSecond: null,
  messagesPerDay: null,
  segmentsPerDay: null,
  spendPerDayMicros: null,
  spendPerMonthMicros: null,
};

describe(defaultAccountLimits.name, () => {
  it('takes the quotas from config, spend in micro-units, 0 as no limit', () => {
    const limits = defaultAccountLimits(
      loadConfig({ LIMITS_MESSAGES_PER_SECOND: '0', LIMITS_SPEND_PER_DAY: '12.50', LIMITS_SPEND_PER_MONTH: '0' }).intake
        .limits,
    );

    expect(limits).toMatchObject({
      messagesPerSecond: null,
      messagesPerDay: 100_000,
      segmentsPerDay: 200_000,
      spendPerDayMicros: 12_500_000,
      spendPerMonthMicros: null,
    });
  });

  it('refuses premium-rate and shared-cost numbers and the pumping-risk countries by default', () => {
    expect(numberTypePermitted('PREMIUM_RATE', defaults, null)).toBe(false);
    expect(numberTypePermitted('SHARED_COST', defaults, null)).toBe(false);
    expect(numberTypePermitted('MOBILE', defaults, null)).toBe(true);
    expect(numberTypePermitted('UNKNOWN', defaults, null)).toBe(true);
    expect(PUMPING_RISK_COUNTRIES.length).toBeGreaterThan(0);
    for (const country of PUMPING_RISK_COUNTRIES) {
      expect(countryPermitted(country, defaults, null)).toBe(false);
    }
    expect(countryPermitted('GB', defaults, null)).toBe(true);
  });
});

describe('key permissions', () => {
  const key = (fields: Partial<KeyLimits>): KeyLimits => ({
    ...NO_KEY_QUOTAS,
    allowedCountries: null,
    blockedCountries: null,
    numberTypes: null,
    ...fields,
  });

  it('narrow the account: a key never reaches a country or number type its account may not', () => {
    expect(countryPermitted('AZ', defaults, key({ allowedCountries: ['AZ', 'GB'] }))).toBe(false);
    expect(countryPermitted('GB', defaults, key({ allowedCountries: ['AZ', 'GB'] }))).toBe(true);
    expect(countryPermitted('US', defaults, key({ allowedCountries: ['GB'] }))).toBe(false);
    expect(countryPermitted('GB', defaults, key({ blockedCountries: ['GB'] }))).toBe(false);
    expect(numberTypePermitted('PREMIUM_RATE', defaults, key({ numberTypes: ['PREMIUM_RATE'] }))).toBe(false);
    expect(numberTypePermitted('FIXED_LINE', defaults, key({ numberTypes: ['MOBILE'] }))).toBe(false);
    expect(numberTypePermitted('MOBILE', defaults, key({ numberTypes: ['MOBILE'] }))).toBe(true);
  });
});

describe(raisedFields.name, () => {
  const countries = ['GB', 'US', 'AZ', 'FR'];
  const current: AccountLimits = {
    ...defaults,
    messagesPerSecond: 10,
    messagesPerDay: null,
    spendPerDayMicros: 5_000_000,
    allowedCountries: ['GB', 'US'],
  };

  it('finds nothing raised in a change that only lowers', () => {
    const lower: AccountLimits = {
      ...current,
      messagesPerSecond: 5,
      messagesPerDay: 1000,
      spendPerDayMicros: 0,
      allowedCountries: ['GB'],
      numberTypes: ['MOBILE'],
    };

    expect(raisedFields(current, lower, countries)).toEqual([]);
    expect(raisedFields(current, current, countries)).toEqual([]);
  });

  it('names every raised quota, a removed limit counting as raised', () => {
    const raised: AccountLimits = { ...current, messagesPerSecond: 11, spendPerDayMicros: null };

    expect(raisedFields(current, raised, countries)).toEqual(['messagesPerSecond', 'spendPerDay']);
  });

  it('counts a newly permitted country or number type as raised', () => {
    expect(raisedFields(current, { ...current, allowedCountries: '*' }, countries)).toEqual(['allowedCountries']);
    expect(
      raisedFields(current, { ...current, blockedCountries: [], allowedCountries: ['GB', 'US', 'AZ'] }, countries),
    ).toEqual(['allowedCountries']);
    expect(
      raisedFields(current, { ...current, numberTypes: [...current.numberTypes, 'PREMIUM_RATE'] }, countries),
    ).toEqual(['numberTypes']);
  });
});
