import { GSM7_BASIC_TABLE, GSM7_ESCAPE, GSM7_EXTENSION_TABLE } from './gsm7';
import { countSegments, isGsm7, splitSegments } from './segments';
import type { SegmentInfo } from './segments';

const a = (n: number): string => 'a'.repeat(n);
const zhe = (n: number): string => 'ж'.repeat(n); // Cyrillic: one UTF-16 unit, not in GSM 03.38
const GRIN = '😀'; // U+1F600, a surrogate pair

type Expected = Omit<SegmentInfo, 'perSegment'> & { parts?: readonly string[] };

describe('countSegments', () => {
  it.each<[string, string, Expected]>([
    [
      'empty string: one GSM-7 part of 0 septets',
      '',
      { encoding: 'GSM-7', segments: 1, units: 0, remainingInSegment: 160 },
    ],
    ['160 ASCII: fills one part', a(160), { encoding: 'GSM-7', segments: 1, units: 160, remainingInSegment: 0 }],
    ['161 ASCII: two parts of 153', a(161), { encoding: 'GSM-7', segments: 2, units: 161, remainingInSegment: 145 }],
    ['306 ASCII: two full parts', a(306), { encoding: 'GSM-7', segments: 2, units: 306, remainingInSegment: 0 }],
    ['307 ASCII: a third part', a(307), { encoding: 'GSM-7', segments: 3, units: 307, remainingInSegment: 152 }],
    ['"€" is an extension char: 2 septets', '€', { encoding: 'GSM-7', segments: 1, units: 2, remainingInSegment: 158 }],
    ['form feed is an extension char', '\f', { encoding: 'GSM-7', segments: 1, units: 2, remainingInSegment: 158 }],
    [
      '80 x "€" = 160 septets: one part',
      '€'.repeat(80),
      { encoding: 'GSM-7', segments: 1, units: 160, remainingInSegment: 0 },
    ],
    [
      '81 x "€": 76 escape pairs (152 septets) per part',
      '€'.repeat(81),
      { encoding: 'GSM-7', segments: 2, units: 162, remainingInSegment: 143, parts: ['€'.repeat(76), '€'.repeat(5)] },
    ],
    [
      'escape pair at septets 153-154 moves whole to part 2 (part 1 holds 152)',
      a(152) + '{' + a(10),
      { encoding: 'GSM-7', segments: 2, units: 164, remainingInSegment: 141, parts: [a(152), '{' + a(10)] },
    ],
    [
      'escape pair at septets 152-153 fits part 1 exactly',
      a(151) + '{' + a(10),
      { encoding: 'GSM-7', segments: 2, units: 163, remainingInSegment: 143, parts: [a(151) + '{', a(10)] },
    ],
    [
      'a 153rd-septet escape pair pushes an otherwise 2-part text to 3',
      a(152) + '|' + a(152),
      { encoding: 'GSM-7', segments: 3, units: 306, remainingInSegment: 152, parts: [a(152), '|' + a(151), 'a'] },
    ],
    [
      'Greek capital Delta is in the basic table',
      'Δ',
      { encoding: 'GSM-7', segments: 1, units: 1, remainingInSegment: 159 },
    ],
    [
      'capital C-cedilla is in the basic table (0x09)',
      'Ç',
      { encoding: 'GSM-7', segments: 1, units: 1, remainingInSegment: 159 },
    ],
    [
      'small c-cedilla is not (TS 23.038 has the capital)',
      'ç',
      { encoding: 'UCS-2', segments: 1, units: 1, remainingInSegment: 69 },
    ],
    ['a-circumflex is not in GSM 03.38', 'â', { encoding: 'UCS-2', segments: 1, units: 1, remainingInSegment: 69 }],
    [
      'e-grave is, a-circumflex still forces UCS-2',
      'Crème château',
      { encoding: 'UCS-2', segments: 1, units: 13, remainingInSegment: 57 },
    ],
    [
      'backtick is the one printable ASCII char outside it',
      '`',
      { encoding: 'UCS-2', segments: 1, units: 1, remainingInSegment: 69 },
    ],
    ['raw ESC is not a character', '\u001b(', { encoding: 'UCS-2', segments: 1, units: 2, remainingInSegment: 68 }],
    ['no-break space is not GSM', 'a\u00a0b', { encoding: 'UCS-2', segments: 1, units: 3, remainingInSegment: 67 }],
    [
      'one non-GSM char makes the whole text UCS-2',
      a(100) + 'ж',
      { encoding: 'UCS-2', segments: 2, units: 101, remainingInSegment: 33 },
    ],
    ['70 UCS-2 units: one part', zhe(70), { encoding: 'UCS-2', segments: 1, units: 70, remainingInSegment: 0 }],
    ['71 UCS-2 units: two parts of 67', zhe(71), { encoding: 'UCS-2', segments: 2, units: 71, remainingInSegment: 63 }],
    [
      '134 UCS-2 units: two full parts',
      zhe(134),
      { encoding: 'UCS-2', segments: 2, units: 134, remainingInSegment: 0 },
    ],
    ['135 UCS-2 units: a third part', zhe(135), { encoding: 'UCS-2', segments: 3, units: 135, remainingInSegment: 66 }],
    [
      '35 emoji = 70 units: one part',
      GRIN.repeat(35),
      { encoding: 'UCS-2', segments: 1, units: 70, remainingInSegment: 0 },
    ],
    [
      '36 emoji: 33 pairs (66 units) per part',
      GRIN.repeat(36),
      { encoding: 'UCS-2', segments: 2, units: 72, remainingInSegment: 61, parts: [GRIN.repeat(33), GRIN.repeat(3)] },
    ],
    [
      'surrogate pair at units 67-68 moves whole to part 2 (part 1 holds 66)',
      zhe(66) + GRIN + zhe(10),
      { encoding: 'UCS-2', segments: 2, units: 78, remainingInSegment: 55, parts: [zhe(66), GRIN + zhe(10)] },
    ],
    [
      'surrogate pair at units 66-67 fits part 1 exactly',
      zhe(65) + GRIN + zhe(10),
      { encoding: 'UCS-2', segments: 2, units: 77, remainingInSegment: 57, parts: [zhe(65) + GRIN, zhe(10)] },
    ],
    [
      'lone surrogate counts as one unit',
      zhe(69) + '\ud83d',
      { encoding: 'UCS-2', segments: 1, units: 70, remainingInSegment: 0 },
    ],
    ['1600 ASCII', a(1600), { encoding: 'GSM-7', segments: 11, units: 1600, remainingInSegment: 83 }],
    ['1600 x "€"', '€'.repeat(1600), { encoding: 'GSM-7', segments: 22, units: 3200, remainingInSegment: 145 }],
    ['1600 Cyrillic', zhe(1600), { encoding: 'UCS-2', segments: 24, units: 1600, remainingInSegment: 8 }],
    [
      '800 emoji (1600 units)',
      GRIN.repeat(800),
      { encoding: 'UCS-2', segments: 25, units: 1600, remainingInSegment: 51 },
    ],
  ])('%s', (_name, text, expected) => {
    const info = countSegments(text);
    const multi = expected.segments > 1;
    const perSegment = expected.encoding === 'GSM-7' ? (multi ? 153 : 160) : multi ? 67 : 70;

    expect(info).toEqual({
      encoding: expected.encoding,
      segments: expected.segments,
      units: expected.units,
      perSegment,
      remainingInSegment: expected.remainingInSegment,
    });
    expect(isGsm7(text)).toBe(expected.encoding === 'GSM-7');
    if (expected.parts) {
      expect(splitSegments(text)).toEqual(expected.parts);
    }
  });
});

describe('GSM 03.38 tables', () => {
  it('the basic table has 128 positions, 127 distinct characters plus the escape', () => {
    expect(GSM7_BASIC_TABLE).toHaveLength(128);
    expect(GSM7_BASIC_TABLE.charCodeAt(GSM7_ESCAPE)).toBe(0x1b);
    expect(new Set(GSM7_BASIC_TABLE).size).toBe(128);
  });

  it.each([
    [0x00, '@'],
    [0x02, '$'],
    [0x09, 'Ç'],
    [0x0a, '\n'],
    [0x0d, '\r'],
    [0x10, 'Δ'],
    [0x11, '_'],
    [0x1f, 'É'],
    [0x24, '¤'],
    [0x40, '¡'],
    [0x5f, '§'],
    [0x60, '¿'],
    [0x7f, 'à'],
  ])('septet 0x%s is %j', (septet, char) => {
    expect(GSM7_BASIC_TABLE[septet]).toBe(char);
  });

  it('every basic-table character is GSM-7 and costs one septet', () => {
    for (let septet = 0; septet < 128; septet++) {
      if (septet === GSM7_ESCAPE) {
        continue;
      }
      const char = GSM7_BASIC_TABLE.charAt(septet);
      expect([septet, countSegments(char)]).toEqual([septet, expect.objectContaining({ encoding: 'GSM-7', units: 1 })]);
    }
    const allBasic = [...GSM7_BASIC_TABLE].filter((_, septet) => septet !== GSM7_ESCAPE).join('');
    expect(countSegments(allBasic)).toMatchObject({ encoding: 'GSM-7', segments: 1, units: 127 });
  });

  it('every extension-table character costs two septets', () => {
    expect([...GSM7_EXTENSION_TABLE.keys()].join('')).toBe('\f^{}\\[~]|€');
    for (const char of GSM7_EXTENSION_TABLE.keys()) {
      expect([char, countSegments(char).units]).toEqual([char, 2]);
    }
  });

  it('printable ASCII is GSM-7 except the backtick', () => {
    const nonGsm: string[] = [];
    for (let code = 0x20; code <= 0x7e; code++) {
      const char = String.fromCharCode(code);
      if (!isGsm7(char)) {
        nonGsm.push(char);
      }
    }
    expect(nonGsm).toEqual(['`']);
  });

  it('control characters other than LF and CR (and FF via the extension table) are not GSM-7', () => {
    const gsmControls: number[] = [];
    for (let code = 0; code < 0x20; code++) {
      if (isGsm7(String.fromCharCode(code))) {
        gsmControls.push(code);
      }
    }
    expect(gsmControls).toEqual([0x0a, 0x0c, 0x0d]);
  });
});

describe('splitSegments', () => {
  it('returns the text as one part when it fits, including the empty string', () => {
    expect(splitSegments('')).toEqual(['']);
    expect(splitSegments(a(160))).toEqual([a(160)]);
    expect(splitSegments(zhe(70))).toEqual([zhe(70)]);
  });

  // A seeded generator, so a failure reproduces: random mixes of basic, extension, non-GSM and astral characters
  // around every boundary that matters.
  const alphabets = {
    gsm: ['a', 'Z', '0', ' ', 'Δ', 'Ç', '@', '\n', '€', '{', '|', '\f'],
    ucs2: ['a', '€', 'ж', 'ç', '😀', '👍', '中', '\ud83d'],
  };
  const lengths = [0, 1, 69, 70, 71, 133, 134, 135, 152, 153, 154, 159, 160, 161, 305, 306, 307, 459, 460, 1600];
  let seed = 0x5eed;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;

    return seed / 2 ** 31;
  };
  const cases: [string, string][] = [];
  for (const [kind, alphabet] of Object.entries(alphabets)) {
    for (const length of lengths) {
      for (let sample = 0; sample < 5; sample++) {
        let text = '';
        while (text.length < length) {
          text += alphabet[Math.floor(random() * alphabet.length)] ?? '';
        }
        cases.push([`${kind} ~${length} #${sample}`, text]);
      }
    }
  }

  it.each(cases)('%s: parts join back, respect the limit and match countSegments', (_name, text) => {
    const info = countSegments(text);
    const parts = splitSegments(text);

    expect(parts.join('')).toBe(text);
    expect(parts).toHaveLength(info.segments);
    const limit = info.encoding === 'GSM-7' ? (parts.length > 1 ? 153 : 160) : parts.length > 1 ? 67 : 70;
    let offset = 0;
    for (const part of parts) {
      // A part of a UCS-2 message may itself be pure GSM; what it costs on the air is its UCS-2 length.
      const cost = info.encoding === 'GSM-7' ? countSegments(part).units : part.length;
      expect(cost).toBeLessThanOrEqual(limit);
      offset += part.length;
      expect(isHighSurrogate(text.charCodeAt(offset - 1)) && isLowSurrogate(text.charCodeAt(offset))).toBe(false);
    }
    const last = parts[parts.length - 1] ?? '';
    const lastUnits = info.encoding === 'GSM-7' ? countSegments(last).units : last.length;
    expect(info.remainingInSegment).toBe(info.perSegment - lastUnits);
  });

  it('never splits a surrogate pair', () => {
    for (let prefix = 60; prefix <= 70; prefix++) {
      for (const part of splitSegments(zhe(prefix) + GRIN.repeat(40))) {
        expect(part).not.toMatch(/^[\udc00-\udfff]|[\ud800-\udbff]$/);
      }
    }
  });
});

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
