import { crc32c } from './crc32c';
import type * as fastCrcFix from './kafkajs-crc32c.fix';
import { kafkajsUsesFastCrc32c, useFastCrc32c } from './kafkajs-crc32c.fix';

type FixModule = typeof fastCrcFix;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajsCrc32c = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C') as (bytes: Buffer) => number;

interface KafkajsRecordBatch {
  RecordBatch(options: object): Promise<{ buffer: Buffer }>;
}
interface KafkajsRecord {
  (options: { key: Buffer; value: Buffer; headers: object; offsetDelta: number }): unknown;
}

/** A record batch as kafkajs encodes it for a produce request: firstOffset, length, epoch, magic, CRC, body. */
async function encodeBatch(): Promise<Buffer> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as KafkajsRecordBatch;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as KafkajsRecord;
  const records = Array.from({ length: 5 }, (_, i) =>
    Record({ key: Buffer.from(`k${i}`), value: Buffer.alloc(100 + i * 37, i), headers: { h: 'v' }, offsetDelta: i }),
  );

  return (await RecordBatch({ records, lastOffsetDelta: 4 })).buffer;
}

const CRC_OFFSET = 8 + 4 + 4 + 1;

describe('useFastCrc32c', () => {
  it('makes kafkajs checksum record batches with the substitute, the same value as its own', async () => {
    expect(useFastCrc32c()).toBe(true);
    expect(useFastCrc32c()).toBe(true);
    expect(kafkajsUsesFastCrc32c()).toBe(true);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(require('kafkajs/src/protocol/recordBatch/crc32C')).toBe(crc32c);

    const batch = await encodeBatch();
    const body = batch.subarray(CRC_OFFSET + 4);
    expect(batch.readUInt32BE(CRC_OFFSET)).toBe(kafkajsCrc32c(body));
  });

  it('is what the encoder calls when it loads afterwards', async () => {
    let calls = 0;
    let encode: Promise<Buffer> = Promise.resolve(Buffer.alloc(0));
    jest.isolateModules(() => {
      // A counting wrapper stands in for the substitute, so the count shows which function the encoder calls.
      jest.doMock('./crc32c', () => ({
        crc32c: (bytes: Uint8Array) => {
          calls++;

          return crc32c(bytes);
        },
      }));
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const fix = require('./kafkajs-crc32c.fix') as FixModule;
      expect(fix.useFastCrc32c()).toBe(true);
      calls = 0;
      encode = encodeBatch();
    });
    const batch = await encode;
    expect(calls).toBe(1);
    expect(batch.readUInt32BE(CRC_OFFSET)).toBe(kafkajsCrc32c(batch.subarray(CRC_OFFSET + 4)));
  });

  it('leaves kafkajs as it is when its record-batch encoder was loaded first', () => {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('kafkajs/src/protocol/recordBatch/v0');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const fix = require('./kafkajs-crc32c.fix') as FixModule;
      expect(fix.useFastCrc32c()).toBe(false);
      expect(fix.kafkajsUsesFastCrc32c()).toBe(false);
    });
  });
});
