import { ApiError, loadConfig } from '@sms/platform';
import { defaultAccountLimits } from './limit-policy';
import { parseAccountLimits, parseKeyLimits, toLimitsView } from './limits-input';

const defaults = defaultAccountLimits(loadConfig({}).intake.limits);

function codeOf(run: () => unknown): { status: number; code: string; field?: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) {
      return { status: error.status, code: error.code, field: error.field };
    }
    throw error;
  }
  throw new Error('did not throw');
}

describe(parseAccountLimits.name, () => {
  it('replaces the fields given and takes the defaults for the others', () => {
    const limits = parseAccountLimits(
      { messagesPerSecond: 5, spendPerDay: '12.345', allowedCountries: ['US', 'GB', 'GB'], numberTypes: ['MOBILE'] },
      defaults,
    );

    expect(limits).toEqual({
      ...defaults,
      messagesPerSecond: 5,
      spendPerDayMicros: 12_345_000,
      allowedCountries: ['GB', 'US'],
      numberTypes: ['MOBILE'],
    });
  });

  it('reads null as no limit, 0 as nothing allowed, and "*" as every country', () => {
    const limits = parseAccountLimits(
      { messagesPerDay: null, segmentsPerDay: 0, spendPerMonth: null, allowedCountries: '*', blockedCountries: [] },
      defaults,
    );

    expect(limits).toMatchObject({
      messagesPerDay: null,
      segmentsPerDay: 0,
      spendPerMonthMicros: null,
      allowedCountries: '*',
      blockedCountries: [],
    });
  });

  it.each([
    [[], 'INVALID_REQUEST', undefined],
    [{ perHour: 1 }, 'UNKNOWN_FIELD', 'perHour'],
    [{ messagesPerSecond: 1.5 }, 'INVALID_LIMIT', 'messagesPerSecond'],
    [{ messagesPerDay: -1 }, 'INVALID_LIMIT', 'messagesPerDay'],
    [{ segmentsPerDay: '10' }, 'INVALID_LIMIT', 'segmentsPerDay'],
    [{ messagesPerDay: 2_000_000_000 }, 'INVALID_LIMIT', 'messagesPerDay'],
    [{ spendPerDay: 12.5 }, 'INVALID_LIMIT', 'spendPerDay'],
    [{ spendPerMonth: '1e3' }, 'INVALID_LIMIT', 'spendPerMonth'],
    [{ spendPerMonth: '-5' }, 'INVALID_LIMIT', 'spendPerMonth'],
    [{ allowedCountries: 'GB' }, 'INVALID_COUNTRY', 'allowedCountries'],
    [{ allowedCountries: ['gb'] }, 'INVALID_COUNTRY', 'allowedCountries'],
    [{ blockedCountries: ['XX'] }, 'INVALID_COUNTRY', 'blockedCountries'],
    [{ numberTypes: ['MOBILE', 'SATELLITE'] }, 'INVALID_NUMBER_TYPE', 'numberTypes'],
    [{ numberTypes: 'MOBILE' }, 'INVALID_NUMBER_TYPE', 'numberTypes'],
  ])('refuses %j with 422 %s', (body, code, field) => {
    expect(codeOf(() => parseAccountLimits(body, defaults))).toEqual({ status: 422, code, field });
  });
});

describe(parseKeyLimits.name, () => {
  it('leaves out (or nulls) everything the key does not limit itself', () => {
    expect(parseKeyLimits({ messagesPerSecond: 2, numberTypes: null })).toEqual({
      messagesPerSecond: 2,
      messagesPerDay: null,
      segmentsPerDay: null,
      spendPerDayMicros: null,
      spendPerMonthMicros: null,
      allowedCountries: null,
      blockedCountries: null,
      numberTypes: null,
    });
  });

  it('has the same codes as the account document', () => {
    expect(codeOf(() => parseKeyLimits({ spendPerDay: 'lots' }))).toMatchObject({ code: 'INVALID_LIMIT' });
  });
});

describe(toLimitsView.name, () => {
  it('shows money as decimal strings', () => {
    expect(toLimitsView({ ...defaults, spendPerDayMicros: 250_000_000, spendPerMonthMicros: null })).toMatchObject({
      spendPerDay: '250',
      spendPerMonth: null,
    });
  });
});
