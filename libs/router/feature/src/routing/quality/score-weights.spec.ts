import { type ApiError } from '@sms/platform';
import { parseScope, parseWeights } from './score-weights';

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    return `${(error as ApiError).status} ${(error as ApiError).code}`;
  }
  throw new Error('accepted');
};

describe('score weights input', () => {
  const valid = { cost: 1, delivery: 1, latency: 0.25, errors: 0.5 };

  it('accepts four finite weights from 0 to 1000, not all zero', () => {
    expect(parseWeights(valid)).toEqual(valid);
    expect(parseWeights({ ...valid, cost: 0 })).toMatchObject({ cost: 0 });
  });

  it('refuses each broken rule with its own code', () => {
    expect(codeOf(() => parseWeights({ ...valid, cost: -1 }))).toBe('422 INVALID_WEIGHT');
    expect(codeOf(() => parseWeights({ ...valid, latency: 'NaN' }))).toBe('422 INVALID_WEIGHT');
    expect(codeOf(() => parseWeights({ ...valid, latency: Number.NaN }))).toBe('422 INVALID_WEIGHT');
    expect(codeOf(() => parseWeights({ ...valid, errors: 1e400 }))).toBe('422 INVALID_WEIGHT');
    expect(codeOf(() => parseWeights({ ...valid, errors: 1001 }))).toBe('422 INVALID_WEIGHT');
    expect(codeOf(() => parseWeights({ cost: 0, delivery: 0, latency: 0, errors: 0 }))).toBe('422 WEIGHTS_ALL_ZERO');
    expect(codeOf(() => parseWeights({ cost: 1 }))).toBe('422 WEIGHT_REQUIRED');
    expect(codeOf(() => parseWeights({ ...valid, speed: 1 }))).toBe('422 UNKNOWN_FIELD');
    expect(codeOf(() => parseWeights([1, 2]))).toBe('400 INVALID_JSON');
  });

  it("takes a supported country or 'default' as the scope", () => {
    expect(parseScope('gb')).toBe('GB');
    expect(parseScope('default')).toBe('default');
    expect(codeOf(() => parseScope('XX'))).toBe('422 INVALID_COUNTRY');
    expect(codeOf(() => parseScope('GBR'))).toBe('422 INVALID_COUNTRY');
  });
});
