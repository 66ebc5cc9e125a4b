import { formatMicros, perPart, storedMicros, toMicros } from './money';

describe('money in micro-units', () => {
  it.each<[string, bigint]>([
    ['0', 0n],
    ['0.04', 40_000n],
    ['0.0079', 7_900n],
    ['0.00755', 7_550n],
    ['12.5', 12_500_000n],
    // Vonage's message-price has eight decimals: exact when the last two are zero, else rounded half up.
    ['0.03330000', 33_300n],
    ['0.00000049', 0n],
    ['0.0000005', 1n],
  ])('reads %s as %s micro-units', (text, micros) => {
    expect(toMicros(text)).toBe(micros);
  });

  it.each([null, undefined, '', '-0.01', '1e-3', '.5', '5.', '0,04', ' 0.04', 'abc'])('refuses %p', (text) => {
    expect(toMicros(text)).toBeNull();
  });

  it.each<[bigint, string]>([
    [0n, '0.00'],
    [40_000n, '0.04'],
    [22_650n, '0.02265'],
    [3_000_000n, '3.00'],
    [1n, '0.000001'],
    [-7_900n, '-0.0079'],
    // Past 2^53: a float would lose the last digits.
    [9_007_199_254_740_993n, '9007199254.740993'],
  ])('writes %s micro-units as %s', (micros, text) => {
    expect(formatMicros(micros)).toBe(text);
  });

  it('sums exactly where floats drift: 0.1 + 0.2, and 0.0079 a thousand times', () => {
    expect(formatMicros((toMicros('0.1') ?? 0n) + (toMicros('0.2') ?? 0n))).toBe('0.30');
    let sum = 0n;
    for (let n = 0; n < 1_000; n++) {
      sum += toMicros('0.0079') ?? 0n;
    }
    expect(formatMicros(sum)).toBe('7.90');
  });

  it('reads stored integers from either driver', () => {
    expect(storedMicros('9007199254740993')).toBe(9_007_199_254_740_993n);
    expect(storedMicros(40_000)).toBe(40_000n);
    expect(storedMicros('40000.0000')).toBe(40_000n);
    expect(storedMicros(null)).toBe(0n);
  });

  it('spreads a message price over its segments, rounding half up', () => {
    expect(perPart(100_000n, 1)).toBe(100_000n);
    expect(perPart(100_000n, 3)).toBe(33_333n);
    expect(perPart(5n, 2)).toBe(3n);
  });
});
