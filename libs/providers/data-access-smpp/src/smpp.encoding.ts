import { GSM7_BASIC_TABLE, GSM7_ESCAPE, GSM7_EXTENSION_TABLE, isGsm7, splitSegments } from '@sms/segments';

/** data_coding values we send and read (providers.md §5 submit_sm). */
export const DATA_CODING = { smscDefault: 0x00, ia5: 0x01, latin1: 0x03, ucs2: 0x08 } as const;

/** esm_class bit 6: the short_message starts with a user data header. */
export const ESM_CLASS_UDHI = 0x40;

/** How GSM-7 septets travel in short_message with data_coding 0. Most SMSCs want one septet per octet. */
export type Gsm7Packing = 'unpacked' | 'packed';

const BASIC_INDEX: ReadonlyMap<string, number> = new Map([...GSM7_BASIC_TABLE].map((char, septet) => [char, septet]));
const EXTENSION_BY_SEPTET: ReadonlyMap<number, string> = new Map(
  [...GSM7_EXTENSION_TABLE].map(([char, septet]) => [septet, char]),
);

/**
 * GSM 03.38 septets of `text` (an extension character becomes ESC + its septet). The repo's segment counter owns
 * the alphabet; node-smpp's own coder is not used because it silently turns unknown characters into spaces.
 */
export function gsm7Septets(text: string): number[] {
  const septets: number[] = [];
  for (const char of text) {
    const basic = char === '\x1b' ? undefined : BASIC_INDEX.get(char);
    if (basic !== undefined) {
      septets.push(basic);
      continue;
    }
    const extension = GSM7_EXTENSION_TABLE.get(char);
    if (extension === undefined) {
      throw new RangeError(`character U+${char.codePointAt(0)?.toString(16)} is not in GSM 03.38`);
    }
    septets.push(GSM7_ESCAPE, extension);
  }

  return septets;
}

/** Reads septets back to text; an unknown escape is shown as the basic character, as handsets do. */
export function gsm7Text(septets: ArrayLike<number>): string {
  let text = '';
  for (let i = 0; i < septets.length; i++) {
    const septet = (septets[i] ?? 0) & 0x7f;
    if (septet === GSM7_ESCAPE && i + 1 < septets.length) {
      const next = (septets[++i] ?? 0) & 0x7f;
      text += EXTENSION_BY_SEPTET.get(next) ?? GSM7_BASIC_TABLE[next] ?? '';
      continue;
    }
    text += GSM7_BASIC_TABLE[septet] ?? '';
  }

  return text;
}

/**
 * Packs septets 8 to 7 (TS 23.038 §6.1.2.1.1), least significant bits first. `fillBits` leading zero bits align
 * the first septet after a UDH to a septet boundary (1 fill bit after the 6-octet concatenation header).
 */
export function packSeptets(septets: readonly number[], fillBits = 0): Buffer {
  const totalBits = fillBits + septets.length * 7;
  const out = Buffer.alloc(Math.ceil(totalBits / 8));
  let bit = fillBits;
  for (const septet of septets) {
    for (let i = 0; i < 7; i++, bit++) {
      if ((septet >> i) & 1) {
        out[bit >> 3] = (out[bit >> 3] ?? 0) | (1 << (bit & 7));
      }
    }
  }

  return out;
}

/** The inverse of {@link packSeptets}; `count` septets (defaults to as many as fit). */
export function unpackSeptets(packed: Buffer, fillBits = 0, count?: number): number[] {
  const available = Math.floor((packed.length * 8 - fillBits) / 7);
  const septets: number[] = [];
  let bit = fillBits;
  for (let n = 0; n < (count ?? available); n++) {
    let septet = 0;
    for (let i = 0; i < 7; i++, bit++) {
      septet |= (((packed[bit >> 3] ?? 0) >> (bit & 7)) & 1) << i;
    }
    septets.push(septet);
  }

  return septets;
}

/** One submit_sm's worth of message: the bytes for short_message and the flags that describe them. */
export interface SubmitPart {
  readonly shortMessage: Buffer;
  readonly dataCoding: number;
  readonly esmClass: number;
}

/** The concatenation UDH with an 8-bit reference (IEI 0x00): `05 00 03 ref total seq`. */
export function concatUdh(ref: number, total: number, seq: number): Buffer {
  return Buffer.from([0x05, 0x00, 0x03, ref & 0xff, total, seq]);
}

/**
 * Splits a body into submit_sm parts: GSM-7 on data_coding 0 when every character allows it, otherwise UCS-2
 * on 8. Part boundaries come from the shared segment splitter, so the parts are exactly the segments intake
 * counted and billed. Parts of one message share `ref`; each gets its own submit_sm and message_id.
 */
export function buildSubmitParts(body: string, ref: number, packing: Gsm7Packing = 'unpacked'): SubmitPart[] {
  const texts = splitSegments(body);
  const gsm = isGsm7(body);
  const concatenated = texts.length > 1;

  return texts.map((text, index) => {
    const udh = concatenated ? concatUdh(ref, texts.length, index + 1) : Buffer.alloc(0);
    let payload: Buffer;
    if (gsm) {
      const septets = gsm7Septets(text);
      // After a 6-octet UDH the text starts on the next septet boundary: 48 bits + 1 fill bit = 7 septets.
      payload = packing === 'packed' ? packSeptets(septets, udh.length > 0 ? 1 : 0) : Buffer.from(septets);
    } else {
      payload = Buffer.from(text, 'utf16le').swap16();
    }

    return {
      shortMessage: Buffer.concat([udh, payload]),
      dataCoding: gsm ? DATA_CODING.smscDefault : DATA_CODING.ucs2,
      esmClass: concatenated ? ESM_CLASS_UDHI : 0x00,
    };
  });
}

/** A concatenation header found in a received short_message (8- or 16-bit reference). */
export interface ConcatInfo {
  readonly ref: number;
  readonly total: number;
  readonly seq: number;
}

/** Splits a short_message that carries a UDH into the concatenation info (if any) and the text bytes. */
export function splitUdh(message: Buffer): { concat: ConcatInfo | null; payload: Buffer; udhLength: number } {
  const udhLength = (message[0] ?? 0) + 1;
  let concat: ConcatInfo | null = null;
  let cursor = 1;
  while (cursor + 1 < udhLength) {
    const iei = message[cursor] ?? 0;
    const length = message[cursor + 1] ?? 0;
    const data = message.subarray(cursor + 2, cursor + 2 + length);
    if (iei === 0x00 && length === 3) {
      concat = { ref: data[0] ?? 0, total: data[1] ?? 0, seq: data[2] ?? 0 };
    } else if (iei === 0x08 && length === 4) {
      concat = { ref: ((data[0] ?? 0) << 8) | (data[1] ?? 0), total: data[2] ?? 0, seq: data[3] ?? 0 };
    }
    cursor += 2 + length;
  }

  return { concat, payload: message.subarray(udhLength), udhLength };
}

/** Decodes short_message bytes (no UDH) by data_coding: 0 GSM-7 (unpacked), 8 UCS-2, 3 Latin-1, else ASCII. */
export function decodeText(payload: Buffer, dataCoding: number): string {
  switch (dataCoding & 0x0f) {
    case DATA_CODING.smscDefault:
      return gsm7Text(payload);
    case DATA_CODING.ucs2:
      return Buffer.from(payload.subarray(0, payload.length & ~1))
        .swap16()
        .toString('utf16le');
    case DATA_CODING.latin1:
      return payload.toString('latin1');
    default:
      return payload.toString('ascii');
  }
}
