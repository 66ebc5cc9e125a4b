/**
 * kafkajs 2.2.4 checksums every produced record batch with a byte-at-a-time CRC-32C in JavaScript, the largest
 * single function in the profile of a service that produces (dlr-ingest). The bus substitutes its own
 * (`crc32c.ts`, the same function, eight bytes per step) for kafkajs' module `protocol/recordBatch/crc32C`.
 *
 * kafkajs binds that module once, when its record-batch encoder (`protocol/recordBatch/v0`) is first loaded,
 * which happens at the first produce or fetch request, not when `kafkajs` is imported. So the substitute is
 * put in the module cache's entry before that: the bus does it when it loads. If the encoder was loaded
 * already (something produced through kafkajs before the bus was imported), nothing is changed and kafkajs
 * keeps its own, correct, checksum. Nothing is changed either unless kafkajs' function and the substitute
 * agree on known inputs, so another kafkajs version cannot get a wrong checksum from it.
 */
import { crc32c } from './crc32c';

const CRC_MODULE = 'kafkajs/src/protocol/recordBatch/crc32C';
const ENCODER_MODULE = 'kafkajs/src/protocol/recordBatch/v0';

/** Inputs on which kafkajs' function and the substitute must agree: lengths cover the 8-byte steps and tails. */
function agreementInputs(): Buffer[] {
  const inputs = [Buffer.from('123456789'), Buffer.alloc(32, 0xff)];
  for (const length of [0, 1, 7, 8, 9, 63, 64, 1_000]) {
    inputs.push(Buffer.from(Array.from({ length }, (_, i) => (i * 31 + length) & 0xff)));
  }

  return inputs;
}

/**
 * Makes kafkajs checksum record batches with `crc32c` (idempotent). Returns whether kafkajs uses it: false
 * when its encoder was loaded first, its module is not found, or its function disagrees on a known input.
 */
export function useFastCrc32c(): boolean {
  let crcPath: string;
  let encoderPath: string;
  try {
    crcPath = require.resolve(CRC_MODULE);
    encoderPath = require.resolve(ENCODER_MODULE);
  } catch {
    return false;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const current = require(crcPath) as (bytes: Buffer) => number;
  if (current === crc32c) {
    return true;
  }
  const entry = require.cache[crcPath];
  if (!entry || require.cache[encoderPath]) {
    return false;
  }
  if (!agreementInputs().every((input) => current(input) === crc32c(input))) {
    return false;
  }
  entry.exports = crc32c;

  return true;
}

/** Whether the function kafkajs' record-batch encoder will bind (or has bound) is the substitute. */
export function kafkajsUsesFastCrc32c(): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(CRC_MODULE) as unknown) === crc32c;
}
