/**
 * Against a real broker (test/kafka/up.sh, or KAFKA_BROKERS): the broker checks each produced batch's CRC-32C
 * and rejects a wrong one (CORRUPT_MESSAGE), so batches checksummed by the bus' substitute must be accepted
 * and read back intact, whatever their length (the 8-byte steps and every tail length).
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { uniqueGroup, waitFor } from './bus.behaviour';
import { silentBusLogger } from './bus.logger';
import { KafkaBus } from './kafka.bus';
import { kafkajsUsesFastCrc32c } from './kafkajs-crc32c.fix';

jest.setTimeout(60_000);

const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const runId = randomUUID().slice(0, 8);
const topic = `bus-it.crc32c.${runId}.v1`;

describe('record batches checksummed by the bus (real broker)', () => {
  let bus: KafkaBus;

  beforeAll(async () => {
    bus = new KafkaBus({ brokers, clientId: `bus-it-crc-${runId}`, logger: silentBusLogger });
    await bus.ensureTopics([{ topic, numPartitions: 2 }]);
  });

  afterAll(async () => {
    await bus.close();
    const admin = new Kafka({ clientId: `bus-it-crc-admin-${runId}`, brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic, `${topic}.dlq`] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('are accepted by the broker and read back intact, batches of every length', async () => {
    expect(kafkajsUsesFastCrc32c()).toBe(true);
    // Values from 1 to ~40 KB; publish calls of 1 to 40 records, so batch lengths vary modulo 8 as well.
    const records = Array.from({ length: 400 }, (_, seq) => ({
      topic,
      key: `k-${seq % 13}`,
      value: { seq, pad: 'x'.repeat((seq * 97) % 40_000) },
    }));
    const seen = new Map<number, number>();
    await bus.subscribe({
      groupId: uniqueGroup('crc32c'),
      topics: [topic],
      handler: async ({ value }) => {
        const { seq, pad } = value as { seq: number; pad: string };
        seen.set(seq, pad.length);
      },
    });
    let start = 0;
    for (let size = 1; start < records.length; size++) {
      await bus.publish(records.slice(start, start + size));
      start += size;
    }

    await waitFor('400 records', () => seen.size >= records.length, 45_000);
    for (const { value } of records) {
      expect(seen.get(value.seq)).toBe(value.pad.length);
    }
  });
});
