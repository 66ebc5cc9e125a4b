import { countSegments, isGsm7, type SmsEncoding } from './segments';

/**
 * Look-alike replacements for characters outside GSM 03.38 that word processors, CMSs and phone keyboards slip
 * into text: typographic quotes and apostrophes, dashes, the ellipsis, exotic spaces, fullwidth ASCII forms and
 * the other symbols Twilio's and Telnyx's smart-encoding documentation lists. Each value is GSM-7 (checked by the
 * spec). Kept as code point ranges so the table reads like the published lists it follows.
 */
const REPLACEMENT_GROUPS: readonly (readonly [string, readonly number[]])[] = [
  ['"', [0x00ab, 0x00bb, 0x201c, 0x201d, 0x201e, 0x02ba, 0x02ee, 0x201f, 0x2033, 0x275d, 0x275e, 0x301d, 0x301e]],
  [
    "'",
    [
      0x2018, 0x2019, 0x02bb, 0x02c8, 0x02bc, 0x02bd, 0x02b9, 0x201b, 0x2032, 0x00b4, 0x02ca, 0x0060, 0x02cb, 0x275b,
      0x275c, 0x0313, 0x0314, 0xfe10, 0xfe11,
    ],
  ],
  ['-', [0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0x23bc, 0x23bd, 0xfe63, 0x2022, 0x2043]],
  ['...', [0x2026]],
  ['..', [0x2025]],
  [
    ' ',
    [
      0x00a0, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x202f, 0x205f,
      0x3000,
    ],
  ],
  ['/', [0x00f7, 0x29f8, 0x0337, 0x0338, 0x2044, 0x2215]],
  ['1/4', [0x00bc]],
  ['1/2', [0x00bd]],
  ['3/4', [0x00be]],
  ['\\', [0x29f9, 0x29f5, 0x20e5, 0xfe68]],
  ['_', [0x0332]],
  ['|', [0x20d2, 0x20d3, 0x2223, 0x23b8, 0x23b9, 0x23d0, 0x239c, 0x239f]],
  ['@', [0xfe6b]],
  ['$', [0xfe69]],
  ['!', [0x01c3, 0xfe15, 0xfe57]],
  ['#', [0xfe5f]],
  ['%', [0xfe6a]],
  ['&', [0xfe60]],
  [',', [0x201a, 0x0326, 0xfe50, 0x3001, 0xfe51, 0xff64]],
  ['(', [0x2768, 0x276a, 0xfe59, 0x27ee, 0x2985]],
  [')', [0x2769, 0x276b, 0xfe5a, 0x27ef, 0x2986]],
  [
    '*',
    [
      0x204e, 0x2217, 0x229b, 0x2722, 0x2723, 0x2724, 0x2725, 0x2731, 0x2732, 0x2733, 0x273a, 0x273b, 0x273c, 0x273d,
      0x2743, 0x2749, 0x274a, 0x274b, 0x29c6, 0xfe61,
    ],
  ],
  ['+', [0x02d6, 0xfe62]],
  ['.', [0x3002, 0xfe52, 0xff61]],
  [':', [0x02d0, 0x02f8, 0x2982, 0xa789, 0xfe13]],
  [';', [0x204f, 0xfe14, 0xfe54]],
  ['<', [0xfe64]],
  ['=', [0x0347, 0xa78a, 0xfe66]],
  ['>', [0xfe65]],
  ['?', [0xfe16, 0xfe56]],
  ['^', [0x02c4, 0x02c6, 0x1dba, 0x2038, 0x2303]],
  ['{', [0x2774, 0xfe5b]],
  ['}', [0x2775, 0xfe5c]],
  ['~', [0x223c]],
];

/** U+FF01..U+FF5E are ASCII 0x21..0x7E at full width; the fullwidth grave accent becomes an apostrophe. */
const FULLWIDTH_FIRST = 0xff01;
const FULLWIDTH_LAST = 0xff5e;
const FULLWIDTH_OFFSET = 0xfee0;

function buildReplacements(): ReadonlyMap<string, string> {
  const table = new Map<string, string>();
  for (let code = FULLWIDTH_FIRST; code <= FULLWIDTH_LAST; code++) {
    const ascii = String.fromCharCode(code - FULLWIDTH_OFFSET);
    table.set(String.fromCharCode(code), ascii === '`' ? "'" : ascii);
  }
  for (const [replacement, codes] of REPLACEMENT_GROUPS) {
    for (const code of codes) {
      table.set(String.fromCharCode(code), replacement);
    }
  }

  return table;
}

/** Character (one UTF-16 unit, all in the BMP) → its GSM-7 look-alike. */
export const SMART_ENCODING_REPLACEMENTS: ReadonlyMap<string, string> = buildReplacements();

export interface SmartEncodingResult {
  /** The text to send: the look-alike version when smart encoding applied, otherwise the text unchanged. */
  readonly body: string;
  readonly encoding: SmsEncoding;
  readonly segments: number;
  /** Segments the original text needed minus those `body` needs (0 when nothing changed). */
  readonly segmentsSaved: number;
  /** Characters replaced (0 when nothing changed). */
  readonly replaced: number;
}

/**
 * Replaces look-alike characters only when they are the one reason the text needs UCS-2: a text already GSM-7,
 * or one that keeps another non-GSM character (an emoji, Cyrillic, ...) after replacement, is returned as is,
 * since a partial replacement would change the text and save nothing. A replacement that would need more
 * segments than the original (a body of ellipses grows threefold) is not applied either.
 */
export function smartEncode(text: string): SmartEncodingResult {
  const original = countSegments(text);
  const unchanged: SmartEncodingResult = {
    body: text,
    encoding: original.encoding,
    segments: original.segments,
    segmentsSaved: 0,
    replaced: 0,
  };
  if (original.encoding === 'GSM-7') {
    return unchanged;
  }
  let replaced = 0;
  let body = '';
  for (const char of text) {
    const lookAlike = SMART_ENCODING_REPLACEMENTS.get(char);
    if (lookAlike === undefined) {
      body += char;
    } else {
      body += lookAlike;
      replaced++;
    }
  }
  if (replaced === 0 || !isGsm7(body)) {
    return unchanged;
  }
  const encoded = countSegments(body);
  if (encoded.segments > original.segments) {
    return unchanged;
  }

  return {
    body,
    encoding: encoded.encoding,
    segments: encoded.segments,
    segmentsSaved: original.segments - encoded.segments,
    replaced,
  };
}
