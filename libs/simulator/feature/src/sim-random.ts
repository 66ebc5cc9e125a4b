import { randomFillSync } from 'node:crypto';

/**
 * Random bytes for provider ids (message sids and the like), drawn from a pool filled by crypto a few KiB at a
 * time. A synchronous `randomBytes(16)` per id was the simulator's largest single item per send in a CPU
 * profile (each call goes through OpenSSL on its own); one fill per 256 ids gives the same bytes at a fraction
 * of the cost, as Node's own `randomUUID` does. Ids still come from crypto, never from the seeded RNG, so
 * they stay unique across seeded runs.
 */
const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let offset = POOL_BYTES;

function take(bytes: number): number {
  if (bytes > POOL_BYTES) {
    throw new RangeError(`at most ${POOL_BYTES} random bytes at a time`);
  }
  if (offset + bytes > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const start = offset;
  offset += bytes;

  return start;
}

/** `bytes` random bytes as lower-case hex (2 characters a byte). */
export function randomHex(bytes: number): string {
  const start = take(bytes);

  return pool.toString('hex', start, start + bytes);
}

/** `length` characters of `alphabet`, each picked by one random byte (`byte % alphabet.length`). */
export function randomChars(alphabet: string, length: number): string {
  const start = take(length);
  let out = '';
  for (let i = start; i < start + length; i += 1) {
    out += alphabet[(pool[i] as number) % alphabet.length];
  }

  return out;
}
