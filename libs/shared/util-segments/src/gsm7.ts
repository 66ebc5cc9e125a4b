/**
 * The GSM 03.38 (3GPP TS 23.038 §6.2.1) default alphabet and its extension table, as data.
 *
 * Position 0x09 is CAPITAL C with cedilla, as in TS 23.038; Unicode's older GSM0338.TXT maps it to the small
 * letter instead. We follow the spec, so 'ç' forces UCS-2: over-counting segments is cheaper than promising
 * GSM-7 and having a carrier bill the message as UCS-2.
 */

/** Septet 0x1B is not a character: it tells the handset to read the next septet from the extension table. */
export const GSM7_ESCAPE = 0x1b;

/**
 * The basic table, indexed by septet value (128 entries). The entry at `GSM7_ESCAPE` is U+001B only to keep the
 * positions right; it is not a character a message may contain.
 */
export const GSM7_BASIC_TABLE =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

/**
 * The extension table: each character is sent as `GSM7_ESCAPE` followed by this septet, so it costs two septets.
 * Septet 0x0A is the page break, which maps to U+000C FORM FEED.
 */
export const GSM7_EXTENSION_TABLE: ReadonlyMap<string, number> = new Map([
  ['\f', 0x0a],
  ['^', 0x14],
  ['{', 0x28],
  ['}', 0x29],
  ['\\', 0x2f],
  ['[', 0x3c],
  ['~', 0x3d],
  [']', 0x3e],
  ['|', 0x40],
  ['€', 0x65],
]);

/** '€' (U+20AC) is the highest code unit in either table, so the lookup table stops there. */
const GSM7_MAX_CODE_UNIT = 0x20ac;

/**
 * Septets per UTF-16 code unit: 0 = not in GSM 03.38, 1 = basic table, 2 = extension table. A flat byte array
 * indexed by char code turns the per-character test into one bounds check and one load (about 8 KiB).
 */
export const GSM7_SEPTET_COST: Uint8Array = buildCostTable();

function buildCostTable(): Uint8Array {
  const table = new Uint8Array(GSM7_MAX_CODE_UNIT + 1);
  for (let septet = 0; septet < GSM7_BASIC_TABLE.length; septet++) {
    if (septet !== GSM7_ESCAPE) {
      table[GSM7_BASIC_TABLE.charCodeAt(septet)] = 1;
    }
  }
  for (const char of GSM7_EXTENSION_TABLE.keys()) {
    table[char.charCodeAt(0)] = 2;
  }

  return table;
}
