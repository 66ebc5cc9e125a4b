import { apiErrorOf, queryOf } from '../src/api/client';
import { pollDelay } from '../src/ui/hooks';

describe('the console reads API errors as the API words them', () => {
  it('keeps the code, message and field of the house error format', () => {
    const error = apiErrorOf(422, {
      error: { code: 'INVALID_PRICE', message: 'price must be a decimal', field: 'price' },
    });
    expect([error.status, error.code, error.message, error.field]).toEqual([
      422,
      'INVALID_PRICE',
      'price must be a decimal',
      'price',
    ]);
  });

  it('names the status when the body is not the house format, with the simulator problems listed', () => {
    expect(apiErrorOf(502, null)).toMatchObject({ code: 'HTTP_502', message: 'the server answered 502' });
    expect(apiErrorOf(400, { error: 'invalid knobs', problems: ['latencyMs must be ≥ 0'] })).toMatchObject({
      code: 'HTTP_400',
      message: 'invalid knobs: latencyMs must be ≥ 0',
    });
  });
});

describe('queryOf', () => {
  it('keeps only filled-in fields, trimmed and encoded', () => {
    expect(queryOf({ to: ' +447400123456 ', from: '', limit: 25, cursor: undefined, status: null })).toBe(
      '?to=%2B447400123456&limit=25',
    );
    expect(queryOf({ to: '' })).toBe('');
  });
});

describe('polling back-off', () => {
  it('polls at the base rate while healthy and doubles per failure up to the cap', () => {
    expect([0, 1, 2, 3].map((failures) => pollDelay(5_000, failures, 60_000))).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(pollDelay(5_000, 4, 60_000)).toBe(60_000);
    expect(pollDelay(5_000, 1_000, 60_000)).toBe(60_000);
  });
});
