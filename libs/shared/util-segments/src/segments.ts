import { GSM7_SEPTET_COST } from './gsm7';

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SegmentInfo {
  readonly encoding: SmsEncoding;
  readonly segments: number;
  /** Septets for GSM-7 (an extension character counts two), UTF-16 code units for UCS-2. */
  readonly units: number;
  /** Capacity of one part: 160/70 while the text fits in one part, 153/67 once it is concatenated. */
  readonly perSegment: number;
  /**
   * Units still free in the last part. A character of width 2 (extension character, surrogate pair) needs two,
   * so it may not fit even when this is 1.
   */
  readonly remainingInSegment: number;
}

// A concatenated part carries a 6-octet user data header (TS 23.040 §9.2.3.24.1). In GSM-7 the header plus one
// fill bit take 7 of the 160 septets, leaving 153; in UCS-2 it leaves 134 of 140 octets, 67 code units.
const GSM7_SINGLE = 160;
const GSM7_PART = 153;
const UCS2_SINGLE = 70;
const UCS2_PART = 67;

// Bound once: the CommonJS output reads an imported binding through a getter, which costs a call per character.
const SEPTET_COST: Uint8Array = GSM7_SEPTET_COST;

/**
 * Encoding and part count under GSM 03.38 (api.md "Messages"). An escape pair (extension character) and a
 * UTF-16 surrogate pair are never split across parts, so a part may hold one unit less than its capacity.
 *
 * The empty string is one GSM-7 part of 0 septets: that is what an empty submit costs. Intake rejects empty
 * and ill-formed bodies first; a lone surrogate here simply counts as one UCS-2 unit.
 *
 * One scan of the UTF-16 code units with a byte-table lookup, no grapheme splitting: this runs on every request,
 * and a grapheme-based counter costs far more per message (docs/performance.md, "Intake"). Only concatenated GSM-7 with
 * escape pairs needs a second scan; UCS-2 packing jumps from part to part.
 */
export function countSegments(text: string): SegmentInfo {
  const length = text.length;
  let septets = 0;
  for (let i = 0; i < length; i++) {
    // Past the table's end (above '€') the read yields undefined, which V8 handles without leaving optimised code.
    const cost = SEPTET_COST[text.charCodeAt(i)];
    if (!cost) {
      return countUcs2(text);
    }
    septets += cost;
  }
  if (septets <= GSM7_SINGLE) {
    return segmentInfo('GSM-7', 1, septets, GSM7_SINGLE, GSM7_SINGLE - septets);
  }
  if (septets === length) {
    // No escape pairs, so nothing to keep together: parts are simply full.
    const parts = Math.ceil(septets / GSM7_PART);

    return segmentInfo('GSM-7', parts, septets, GSM7_PART, parts * GSM7_PART - septets);
  }

  return packGsm7(text, septets);
}

/** True when every character is in the GSM 03.38 basic or extension table (so also for the empty string). */
export function isGsm7(text: string): boolean {
  return gsm7Septets(text) >= 0;
}

/**
 * The text of each part, cut where `countSegments` counts a boundary, so `splitSegments(t).length` equals
 * `countSegments(t).segments` and the parts join back to `t`. SMPP needs the parts themselves to build
 * concatenated submits (UDH); the empty string gives one empty part.
 */
export function splitSegments(text: string): string[] {
  const septets = gsm7Septets(text);
  if (septets < 0) {
    return splitUcs2(text);
  }
  if (septets <= GSM7_SINGLE) {
    return [text];
  }
  const parts: string[] = [];
  let start = 0;
  let fill = 0;
  for (let i = 0; i < text.length; i++) {
    const cost = SEPTET_COST[text.charCodeAt(i)] ?? 0;
    if (fill + cost > GSM7_PART) {
      parts.push(text.slice(start, i));
      start = i;
      fill = 0;
    }
    fill += cost;
  }
  parts.push(text.slice(start));

  return parts;
}

function splitUcs2(text: string): string[] {
  if (text.length <= UCS2_SINGLE) {
    return [text];
  }
  const parts: string[] = [];
  let start = 0;
  while (text.length - start > UCS2_PART) {
    const end = ucs2PartEnd(text, start);
    parts.push(text.slice(start, end));
    start = end;
  }
  parts.push(text.slice(start));

  return parts;
}

/** Second pass for concatenated GSM-7 with escape pairs, which must not straddle two parts. */
function packGsm7(text: string, septets: number): SegmentInfo {
  let parts = 1;
  let fill = 0;
  for (let i = 0; i < text.length; i++) {
    const cost = SEPTET_COST[text.charCodeAt(i)] ?? 0;
    fill += cost;
    if (fill > GSM7_PART) {
      parts++;
      fill = cost;
    }
  }

  return segmentInfo('GSM-7', parts, septets, GSM7_PART, GSM7_PART - fill);
}

function countUcs2(text: string): SegmentInfo {
  const units = text.length;
  if (units <= UCS2_SINGLE) {
    return segmentInfo('UCS-2', 1, units, UCS2_SINGLE, UCS2_SINGLE - units);
  }
  let parts = 1;
  let start = 0;
  while (units - start > UCS2_PART) {
    start = ucs2PartEnd(text, start);
    parts++;
  }

  return segmentInfo('UCS-2', parts, units, UCS2_PART, UCS2_PART - (units - start));
}

/**
 * Where a full UCS-2 part that begins at `start` ends. Every unit costs the same, so only the last position
 * can move: one unit back when a surrogate pair straddles the boundary. This makes packing O(parts), not O(units).
 */
function ucs2PartEnd(text: string, start: number): number {
  const end = start + UCS2_PART;
  const last = text.charCodeAt(end - 1);
  const next = text.charCodeAt(end);

  return last >= 0xd800 && last <= 0xdbff && next >= 0xdc00 && next <= 0xdfff ? end - 1 : end;
}

/** Septets needed for `text`, or -1 when a character is outside GSM 03.38. */
function gsm7Septets(text: string): number {
  let septets = 0;
  for (let i = 0; i < text.length; i++) {
    const cost = SEPTET_COST[text.charCodeAt(i)];
    if (!cost) {
      return -1;
    }
    septets += cost;
  }

  return septets;
}

function segmentInfo(
  encoding: SmsEncoding,
  segments: number,
  units: number,
  perSegment: number,
  remainingInSegment: number,
): SegmentInfo {
  return { encoding, segments, units, perSegment, remainingInSegment };
}
