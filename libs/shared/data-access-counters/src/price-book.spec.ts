import { decimalToMicros, microsToDecimal, parsePriceBook } from './price-book';

describe('price book money', () => {
  it.each([
    ['0.0450', 45_000],
    ['25', 25_000_000],
    ['25.00', 25_000_000],
    ['0.000001', 1],
    ['9000000000', 9_000_000_000_000_000],
  ])('reads %s exactly', (text, micros) => {
    expect(decimalToMicros(text)).toBe(micros);
  });

  // The last one fits the pattern but not a safe integer of micro-units.
  it.each(['-1', '0.0000001', '1e3', 'abc', '', '1.', '.5', '0x10', '123456789012.999999'])('refuses %s', (text) => {
    expect(decimalToMicros(text)).toBeNull();
  });

  it('writes the shortest exact decimal', () => {
    expect(microsToDecimal(45_000)).toBe('0.045');
    expect(microsToDecimal(25_000_000)).toBe('25');
    expect(microsToDecimal(0)).toBe('0');
    expect(microsToDecimal(-1_500_000)).toBe('-1.5');
    expect(decimalToMicros(microsToDecimal(29_270_001))).toBe(29_270_001);
  });

  it('parses a published book and refuses malformed ones', () => {
    const book = { maxPerSegmentMicros: { USD: { GB: 45_000 } }, publishedAt: '2026-12-06T00:00:00.000Z' };

    expect(parsePriceBook(JSON.stringify(book))).toEqual(book);
    expect(parsePriceBook(null)).toBeNull();
    expect(parsePriceBook('not json')).toBeNull();
    expect(parsePriceBook(JSON.stringify({ maxPerSegmentMicros: { USD: { GB: 0.5 } } }))).toBeNull();
    expect(parsePriceBook(JSON.stringify({ maxPerSegmentMicros: { USD: { GB: -1 } } }))).toBeNull();
    expect(parsePriceBook(JSON.stringify({ other: 1 }))).toBeNull();
  });
});
