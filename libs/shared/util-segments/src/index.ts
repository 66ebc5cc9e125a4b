export { countSegments, isGsm7, splitSegments } from './segments';
export type { SegmentInfo, SmsEncoding } from './segments';
export { GSM7_BASIC_TABLE, GSM7_ESCAPE, GSM7_EXTENSION_TABLE } from './gsm7';
export { smartEncode, SMART_ENCODING_REPLACEMENTS } from './smart-encoding';
export type { SmartEncodingResult } from './smart-encoding';
