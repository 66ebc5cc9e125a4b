/**
 * The transactional outbox against a real MariaDB and a real Kafka broker (KafkaBus, a topic unique to
 * this run): rows are published and deleted, concurrent relays share the table through SKIP LOCKED
 * without publishing a row twice, and a failed publish keeps the rows for the next drain.
 */
import { randomUUID } from 'node:crypto';
import { type ConsumedRecord, KafkaBus, silentBusLogger } from '@sms/bus';
import { createTestDatabase, type TestDatabase } from '@sms/testing';
import { Kafka, logLevel } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { createServiceDataSource } from './data-source.factory';
import { createOutboxSchema, enqueueOutbox, type OutboxRecord, OutboxRelay } from './outbox';
import { inTransaction } from './transaction';
import { isRetryableTransactionError } from './transient-db-error';

jest.setTimeout(120_000);

const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const runId = randomUUID().slice(0, 8);
const TABLE = 'it_outbox';
const schema = createOutboxSchema(TABLE);

let db: TestDatabase;
/** The statements one by one, and packed (ADR 0026, as intake's relay runs): each describe picks one. */
let plainSource: DataSource;
let packedSource: DataSource;
let dataSource: DataSource;
let bus: KafkaBus;
let topicSeq = 0;
const topics: string[] = [];
const consumers: KafkaBus[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  // The shape every service's outbox migration creates (e.g. intake_outbox).
  await db.query(`CREATE TABLE ${TABLE} (
    id bigint NOT NULL AUTO_INCREMENT,
    topic varchar(128) NOT NULL,
    msg_key varchar(255) NOT NULL,
    payload text NOT NULL,
    headers text NULL,
    created_at datetime(3) NOT NULL,
    PRIMARY KEY (id)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  const open = (multipleStatements: boolean): Promise<DataSource> =>
    createServiceDataSource({
      service: 'outbox-it',
      database: { kind: 'mysql', url: db.url, poolSize: 8 },
      entities: [schema],
      migrations: [],
      multipleStatements,
    }).initialize();
  plainSource = await open(false);
  packedSource = await open(true);
  dataSource = plainSource;
  bus = new KafkaBus({ brokers, clientId: `outbox-it-${runId}`, logger: silentBusLogger });
});

afterAll(async () => {
  await Promise.all(consumers.map((c) => c.close()));
  await bus?.close();
  await plainSource?.destroy();
  await packedSource?.destroy();
  await db?.drop();
  if (topics.length > 0) {
    const admin = new Kafka({ clientId: `outbox-it-admin-${runId}`, brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: topics.flatMap((t) => [t, `${t}.dlq`]) }).catch(() => undefined);
    await admin.disconnect();
  }
});

beforeEach(async () => {
  await dataSource.query(`DELETE FROM ${TABLE}`);
});

async function newTopic(): Promise<string> {
  const topic = `outbox-it.${runId}.${++topicSeq}.v1`;
  await bus.ensureTopics([{ topic, numPartitions: 3 }]);
  topics.push(topic);

  return topic;
}

const records = (topic: string, count: number, from = 0): OutboxRecord[] =>
  Array.from({ length: count }, (_, i) => ({
    topic,
    key: `msg-${from + i}`,
    value: { seq: from + i, text: 'héllo 😀' },
    headers: { traceparent: `00-${String(from + i).padStart(32, '0')}-${'1'.repeat(16)}-01` },
  }));

const enqueue = (rows: readonly OutboxRecord[]): Promise<void> =>
  inTransaction(dataSource, (manager) => enqueueOutbox(manager, schema, rows, new Date()));

const relay = (publish: (records: OutboxRecord[]) => Promise<void>, batchSize = 100): OutboxRelay =>
  new OutboxRelay({ dataSource, schema, publish, batchSize, pollIntervalMs: 50 });

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Everything on the topic from the beginning, read by a fresh consumer group. */
async function consume(topic: string): Promise<ConsumedRecord[]> {
  const consumer = new KafkaBus({ brokers, clientId: `outbox-it-reader-${runId}`, logger: silentBusLogger });
  consumers.push(consumer);
  const seen: ConsumedRecord[] = [];
  await consumer.subscribe({
    groupId: `outbox-it-${randomUUID().slice(0, 8)}`,
    topics: [topic],
    handler: async (record) => {
      seen.push(record);
    },
  });

  return seen;
}

/** Records the topic holds (sum of the partitions' high watermarks): a duplicate publish would show here. */
async function recordsOnTopic(topic: string): Promise<number> {
  const admin = new Kafka({ clientId: `outbox-it-offsets-${runId}`, brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);

    return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

describe.each([
  ['one by one', false],
  ['packed', true],
])(`${OutboxRelay.name}, statements %s`, (_, packed) => {
  beforeAll(() => {
    dataSource = packed ? packedSource : plainSource;
  });

  it('publishes committed rows with their key, value and headers, then deletes them', async () => {
    const topic = await newTopic();
    const sent = records(topic, 25);
    await enqueue(sent);
    const sut = relay((batch) => bus.publish(batch));

    expect(await sut.backlog()).toBe(25);
    expect(await sut.drainOnce()).toBe(25);
    expect(await sut.backlog()).toBe(0);
    expect(await sut.drainOnce()).toBe(0);

    const seen = await consume(topic);
    await waitFor('25 records', () => seen.length >= 25);
    expect(await recordsOnTopic(topic)).toBe(25);
    const byKey = new Map(seen.map((r) => [r.key, r]));
    for (const record of sent) {
      expect(byKey.get(record.key)).toMatchObject({ value: record.value, headers: record.headers });
    }
  });

  it('publishes in batches of batchSize, oldest first', async () => {
    const topic = await newTopic();
    await enqueue(records(topic, 25));
    const batches: number[][] = [];
    const sut = relay(async (batch) => {
      batches.push(batch.map((r) => (r.value as { seq: number }).seq));
    }, 10);

    while ((await sut.drainOnce()) > 0) {
      // drain everything
    }

    expect(batches.map((b) => b.length)).toEqual([10, 10, 5]);
    expect(batches.flat()).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  it('publishes every row exactly once when two relays drain the same table at the same time', async () => {
    const topic = await newTopic();
    const total = 1_000;
    for (let from = 0; from < total; from += 250) {
      await enqueue(records(topic, 250, from));
    }
    const publishedBy = [0, 0];
    const errors: unknown[] = [];
    const sut = [0, 1].map(
      (n) =>
        new OutboxRelay({
          dataSource,
          schema,
          batchSize: 50,
          pollIntervalMs: 50,
          publish: async (batch) => {
            // Slow enough that both relays hold rows at once.
            await new Promise((resolve) => setTimeout(resolve, 10));
            await bus.publish(batch);
            publishedBy[n] = (publishedBy[n] ?? 0) + batch.length;
          },
          onError: (error) => errors.push({ relay: n, error }),
        }),
    );

    sut.forEach((r) => r.start());
    await waitFor('an empty outbox', async () => (await sut[0]?.backlog()) === 0);
    await Promise.all(sut.map((r) => r.stop()));

    // Two relays' DELETEs can still deadlock now and then: the loser retries before it publishes anything,
    // and only a streak of deadlocks reaches onError (the rows then wait for the next drain).
    expect(errors.filter((e) => !isRetryableTransactionError((e as { error: unknown }).error))).toEqual([]);
    expect(publishedBy[0]! + publishedBy[1]!).toBe(total);
    expect(publishedBy[0]).toBeGreaterThan(0);
    expect(publishedBy[1]).toBeGreaterThan(0);
    expect(await recordsOnTopic(topic)).toBe(total);
    const seen = await consume(topic);
    await waitFor(`${total} records`, () => seen.length >= total);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(seen).toHaveLength(total);
    expect(new Set(seen.map((r) => r.key)).size).toBe(total);
  });

  it('lets services commit new outbox rows while a publish hangs (a paused broker, R4)', async () => {
    const topic = await newTopic();
    await enqueue(records(topic, 5));
    let release!: () => void;
    const hanging = new Promise<void>((resolve) => {
      release = resolve;
    });
    let publishing!: () => void;
    const started = new Promise<void>((resolve) => {
      publishing = resolve;
    });
    const sut = relay(async () => {
      publishing();
      await hanging;
    });
    const drain = sut.drainOnce();
    await started;

    const insert = enqueue(records(topic, 3, 5));
    const committedMeanwhile = await Promise.race([
      insert.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 3_000)),
    ]);
    release();
    await insert;

    expect(committedMeanwhile).toBe(true);
    expect(await drain).toBe(5);
    expect(await sut.backlog()).toBe(3);
  });

  it('keeps the rows when publishing fails, and publishes them on the next drain', async () => {
    const topic = await newTopic();
    await enqueue(records(topic, 30));
    let failing = true;
    const attempts: number[] = [];
    const sut = relay(async (batch) => {
      attempts.push(batch.length);
      if (failing) {
        throw new Error('broker unavailable');
      }
      await bus.publish(batch);
    });

    await expect(sut.drainOnce()).rejects.toThrow('broker unavailable');
    await expect(sut.drainOnce()).rejects.toThrow('broker unavailable');
    expect(await sut.backlog()).toBe(30);

    failing = false;
    expect(await sut.drainOnce()).toBe(30);
    expect(await sut.backlog()).toBe(0);
    expect(attempts).toEqual([30, 30, 30]);
    const seen = await consume(topic);
    await waitFor('30 records', () => seen.length >= 30);
    expect(await recordsOnTopic(topic)).toBe(30);
  });

  it('keeps polling after a failure when started, reports it, and catches up once publishing works', async () => {
    const topic = await newTopic();
    await enqueue(records(topic, 10));
    let failing = true;
    const errors: unknown[] = [];
    const sut = new OutboxRelay({
      dataSource,
      schema,
      pollIntervalMs: 20,
      publish: async (batch) => {
        if (failing) {
          throw new Error('broker unavailable');
        }
        await bus.publish(batch);
      },
      onError: (error) => errors.push(error),
    });

    sut.start();
    try {
      await waitFor('two failed drains', () => errors.length >= 2);
      expect(await sut.backlog()).toBe(10);
      failing = false;
      await enqueue(records(topic, 5, 10));
      sut.wake();
      await waitFor('an empty outbox', async () => (await sut.backlog()) === 0);
    } finally {
      await sut.stop();
    }

    expect(await recordsOnTopic(topic)).toBe(15);
  });
});
