import { randomBytes } from 'node:crypto';
import { crc32c } from './crc32c';

// kafkajs' own byte-at-a-time implementation, the reference (the bus replaces only its wrapper module).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajsCrc32c = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C') as (bytes: Buffer) => number;

describe('crc32c', () => {
  it('gives the CRC-32C check value and the iSCSI (RFC 3720 B.4) vectors', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
    expect(crc32c(Buffer.alloc(32, 0))).toBe(0x8a9136aa);
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
    expect(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i)))).toBe(0x46dd794e);
    expect(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i)))).toBe(0x113fdb5c);
  });

  it('agrees with kafkajs on every length up to 200 and at unaligned offsets', () => {
    const source = randomBytes(300);
    for (let length = 0; length <= 200; length++) {
      for (const offset of [0, 1, 3, 7]) {
        const bytes = source.subarray(offset, offset + length);
        expect(crc32c(bytes)).toBe(kafkajsCrc32c(bytes));
      }
    }
  });

  it('agrees with kafkajs on large random buffers and returns an unsigned integer', () => {
    for (const length of [1_000, 4_096, 65_537, 1_048_583]) {
      const bytes = randomBytes(length);
      const crc = crc32c(bytes);
      expect(crc).toBe(kafkajsCrc32c(bytes));
      expect(crc).toBeGreaterThanOrEqual(0);
      expect(crc).toBeLessThanOrEqual(0xffffffff);
    }
  });
});
