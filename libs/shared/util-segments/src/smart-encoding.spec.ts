import { countSegments, isGsm7 } from './segments';
import { SMART_ENCODING_REPLACEMENTS, smartEncode } from './smart-encoding';

/**
 * Twilio's published "List of characters replaced by Smart Encoding" (Messaging Services docs), row by row:
 * code point → transliterated text. The rows for the en and em dash, the ellipsis and the spaces follow Telnyx's
 * smart-encoding page (its examples: “ → ", — → -, … → ..., non-breaking spaces → space).
 */
const PUBLISHED: readonly (readonly [number, string])[] = [
  // double quotation marks
  [0x00ab, '"'],
  [0x00bb, '"'],
  [0x201c, '"'],
  [0x201d, '"'],
  [0x02ba, '"'],
  [0x02ee, '"'],
  [0x201f, '"'],
  [0x275d, '"'],
  [0x275e, '"'],
  [0x301d, '"'],
  [0x301e, '"'],
  [0xff02, '"'],
  // single quotation marks and apostrophes
  [0x2018, "'"],
  [0x2019, "'"],
  [0x02bb, "'"],
  [0x02c8, "'"],
  [0x02bc, "'"],
  [0x02bd, "'"],
  [0x02b9, "'"],
  [0x201b, "'"],
  [0xff07, "'"],
  [0x00b4, "'"],
  [0x02ca, "'"],
  [0x0060, "'"],
  [0x02cb, "'"],
  [0x275b, "'"],
  [0x275c, "'"],
  [0x0313, "'"],
  [0x0314, "'"],
  [0xfe10, "'"],
  [0xfe11, "'"],
  // division, fractions, slashes
  [0x00f7, '/'],
  [0x00bc, '1/4'],
  [0x00bd, '1/2'],
  [0x00be, '3/4'],
  [0x29f8, '/'],
  [0x0337, '/'],
  [0x0338, '/'],
  [0x2044, '/'],
  [0x2215, '/'],
  [0xff0f, '/'],
  [0x29f9, '\\'],
  [0x29f5, '\\'],
  [0x20e5, '\\'],
  [0xfe68, '\\'],
  [0xff3c, '\\'],
  // low lines and vertical lines
  [0x0332, '_'],
  [0xff3f, '_'],
  [0x20d2, '|'],
  [0x20d3, '|'],
  [0x2223, '|'],
  [0xff5c, '|'],
  [0x23b8, '|'],
  [0x23b9, '|'],
  [0x23d0, '|'],
  [0x239c, '|'],
  [0x239f, '|'],
  // hyphens, dashes and bullets
  [0x23bc, '-'],
  [0x23bd, '-'],
  [0x2015, '-'],
  [0xfe63, '-'],
  [0xff0d, '-'],
  [0x2010, '-'],
  [0x2022, '-'],
  [0x2043, '-'],
  [0x2013, '-'],
  [0x2014, '-'],
  // other ASCII symbols in small and fullwidth forms
  [0xfe6b, '@'],
  [0xff20, '@'],
  [0xfe69, '$'],
  [0xff04, '$'],
  [0x01c3, '!'],
  [0xfe15, '!'],
  [0xfe57, '!'],
  [0xff01, '!'],
  [0xfe5f, '#'],
  [0xff03, '#'],
  [0xfe6a, '%'],
  [0xff05, '%'],
  [0xfe60, '&'],
  [0xff06, '&'],
  [0x201a, ','],
  [0x0326, ','],
  [0xfe50, ','],
  [0x3001, ','],
  [0xfe51, ','],
  [0xff0c, ','],
  [0xff64, ','],
  [0x2768, '('],
  [0x276a, '('],
  [0xfe59, '('],
  [0xff08, '('],
  [0x27ee, '('],
  [0x2985, '('],
  [0x2769, ')'],
  [0x276b, ')'],
  [0xfe5a, ')'],
  [0xff09, ')'],
  [0x27ef, ')'],
  [0x2986, ')'],
  [0x204e, '*'],
  [0x2217, '*'],
  [0x229b, '*'],
  [0x2722, '*'],
  [0x2731, '*'],
  [0xfe61, '*'],
  [0xff0a, '*'],
  [0x02d6, '+'],
  [0xfe62, '+'],
  [0xff0b, '+'],
  [0x3002, '.'],
  [0xfe52, '.'],
  [0xff0e, '.'],
  [0xff61, '.'],
  [0xff10, '0'],
  [0xff19, '9'],
  [0x02d0, ':'],
  [0x02f8, ':'],
  [0x2982, ':'],
  [0xa789, ':'],
  [0xfe13, ':'],
  [0xff1a, ':'],
  [0x204f, ';'],
  [0xfe14, ';'],
  [0xfe54, ';'],
  [0xff1b, ';'],
  [0xfe64, '<'],
  [0xff1c, '<'],
  [0x0347, '='],
  [0xa78a, '='],
  [0xfe66, '='],
  [0xff1d, '='],
  [0xfe65, '>'],
  [0xff1e, '>'],
  [0xfe16, '?'],
  [0xfe56, '?'],
  [0xff1f, '?'],
  [0xff21, 'A'],
  [0xff3a, 'Z'],
  [0xff3b, '['],
  [0xff3d, ']'],
  [0x02c4, '^'],
  [0x02c6, '^'],
  [0x1dba, '^'],
  [0x2038, '^'],
  [0x2303, '^'],
  [0xff3e, '^'],
  [0xff41, 'a'],
  [0xff5a, 'z'],
  [0x2774, '{'],
  [0xfe5b, '{'],
  [0xff5b, '{'],
  [0x2775, '}'],
  [0xfe5c, '}'],
  [0xff5d, '}'],
  [0x223c, '~'],
  [0xff5e, '~'],
  // ellipsis and spaces
  [0x2026, '...'],
  [0x00a0, ' '],
  [0x2000, ' '],
  [0x2002, ' '],
  [0x2003, ' '],
  [0x2007, ' '],
  [0x2009, ' '],
  [0x200a, ' '],
  [0x202f, ' '],
  [0x205f, ' '],
  [0x3000, ' '],
];

const hex = (code: number): string => `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;

describe('smart encoding: the published character list', () => {
  it.each(PUBLISHED.map(([code, to]) => [hex(code), code, to] as const))('%s is replaced', (_name, code, to) => {
    const char = String.fromCharCode(code);

    expect(SMART_ENCODING_REPLACEMENTS.get(char)).toBe(to);
    const result = smartEncode(`Hi ${char} there`);
    expect(result).toMatchObject({ body: `Hi ${to} there`, encoding: 'GSM-7', replaced: 1 });
  });

  it('every replacement is GSM-7 text, and no key is itself GSM-7', () => {
    for (const [from, to] of SMART_ENCODING_REPLACEMENTS) {
      expect([hex(from.charCodeAt(0)), isGsm7(to)]).toEqual([hex(from.charCodeAt(0)), true]);
      expect([hex(from.charCodeAt(0)), isGsm7(from)]).toEqual([hex(from.charCodeAt(0)), false]);
    }
  });
});

describe('smartEncode', () => {
  it('replaces typographic punctuation that was the only reason for UCS-2, and says what it saved', () => {
    // 100 characters of text with curly quotes: UCS-2 needs 2 segments, GSM-7 fits in 1.
    const text = `“Your order ships today” — it’s on its way… ${'x'.repeat(56)}`;
    expect(countSegments(text)).toMatchObject({ encoding: 'UCS-2', segments: 2 });

    expect(smartEncode(text)).toEqual({
      body: `"Your order ships today" - it's on its way... ${'x'.repeat(56)}`,
      encoding: 'GSM-7',
      segments: 1,
      segmentsSaved: 1,
      replaced: 5,
    });
  });

  it('leaves GSM-7 text untouched', () => {
    expect(smartEncode('Plain text, already GSM: {ok} €5')).toEqual({
      body: 'Plain text, already GSM: {ok} €5',
      encoding: 'GSM-7',
      segments: 1,
      segmentsSaved: 0,
      replaced: 0,
    });
  });

  it.each([
    ['an emoji', 'Thanks — see you soon 😀'],
    ['Cyrillic', '“Привет”'],
    ['a character with no look-alike', '“ok” ✓'],
  ])('leaves the text as is when %s keeps it UCS-2 anyway', (_name, text) => {
    expect(smartEncode(text)).toEqual({
      body: text,
      encoding: 'UCS-2',
      segments: countSegments(text).segments,
      segmentsSaved: 0,
      replaced: 0,
    });
  });

  it('does not apply a replacement that would need more segments', () => {
    // 70 ellipses: one UCS-2 segment; as 210 dots, two GSM-7 segments.
    const text = '…'.repeat(70);

    expect(smartEncode(text)).toMatchObject({ body: text, encoding: 'UCS-2', segments: 1, replaced: 0 });
  });

  it('keeps a replacement that saves nothing but is no longer (GSM-7 reaches more handsets)', () => {
    expect(smartEncode('it’s')).toEqual({
      body: "it's",
      encoding: 'GSM-7',
      segments: 1,
      segmentsSaved: 0,
      replaced: 1,
    });
  });

  it('counts an extension-table look-alike as two septets', () => {
    // 79 fullwidth braces: two UCS-2 parts; as 79 '{' they take 158 septets, one GSM-7 part.
    const text = '｛'.repeat(79);

    expect(smartEncode(text)).toMatchObject({ encoding: 'GSM-7', segments: 1, segmentsSaved: 1 });
    expect(countSegments(smartEncode(text).body).units).toBe(158);
  });
});
