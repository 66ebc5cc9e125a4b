/**
 * Against a real broker (test/kafka/up.sh, or KAFKA_BROKERS). Never mocked: the point is kafkajs' real
 * commit, rebalance and idempotent-producer behaviour. Topic names are unique per run.
 */
import { randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { Kafka, logLevel } from 'kafkajs';
import { createConnection } from 'mysql2/promise';
import { defineBusBehaviour, delay, TcpDependency, uniqueGroup, waitFor } from './bus.behaviour';
import { BusClosedError } from './bus.errors';
import { consoleBusLogger, silentBusLogger } from './bus.logger';
import type { ConsumedRecord } from './bus.port';
import { DLQ_HEADERS, dlqTopicOf } from './bus.port';
import type { KafkaBusConfig } from './bus.config';
import { KafkaBus } from './kafka.bus';

jest.setTimeout(90_000);

const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const runId = randomUUID().slice(0, 8);
const logger = process.env['BUS_TEST_LOG'] ? consoleBusLogger : silentBusLogger;
const FAST_BACKOFF = { initialMs: 20, multiplier: 2, maxMs: 200, jitter: 0.2 } as const;
const FAST_INFRA_BACKOFF = { initialMs: 10, multiplier: 2, maxMs: 100, jitter: 0.2 } as const;
const PARTITIONS = 4;

const kafka = new Kafka({ clientId: `bus-it-raw-${runId}`, brokers, logLevel: logLevel.NOTHING });
const created: string[] = [];
let topicSeq = 0;
let admin: KafkaBus;

const newKafkaBus = (overrides: Partial<KafkaBusConfig> = {}): KafkaBus =>
  new KafkaBus({
    brokers,
    clientId: `bus-it-${runId}`,
    retryBackoff: FAST_BACKOFF,
    infraRetryBackoff: FAST_INFRA_BACKOFF,
    logger,
    ...overrides,
  });

async function createTopics(count: number): Promise<string[]> {
  const topics = Array.from({ length: count }, () => `bus-it.${runId}.${++topicSeq}.v1`);
  await admin.ensureTopics(topics.map((topic) => ({ topic, numPartitions: PARTITIONS })));
  created.push(...topics, ...topics.map(dlqTopicOf));

  return topics;
}

/** Reads a topic with a plain kafkajs consumer: DLQ copies may not be JSON, so the bus cannot read them. */
async function readRaw(topic: string, count: number): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ groupId: uniqueGroup('raw-reader'), maxWaitTimeInMs: 200 });
  const messages: KafkaMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        messages.push(message);
      },
    });
    await waitFor(`${count} raw records on ${topic}`, () => messages.length >= count, 30_000);
  } finally {
    await consumer.disconnect();
  }

  return messages;
}

beforeAll(async () => {
  admin = newKafkaBus();
});

afterAll(async () => {
  await admin.close();
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  await kafkaAdmin.deleteTopics({ topics: created }).catch(() => undefined);
  await kafkaAdmin.disconnect();
});

describe(KafkaBus.name, () => {
  defineBusBehaviour({
    createBus: () => newKafkaBus(),
    createTopics,
    partitions: PARTITIONS,
    waitMs: 30_000,
  });

  const open: KafkaBus[] = [];
  const bus = (overrides: Partial<KafkaBusConfig> = {}): KafkaBus => {
    const created = newKafkaBus(overrides);
    open.push(created);

    return created;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((b) => b.close()));
  });

  it('consumes 1,000 records across keys exactly once and in publish order per key', async () => {
    const [topic] = (await createTopics(1)) as [string];
    const sut = bus();
    const seen = new Map<string, number[]>();
    let received = 0;
    await sut.subscribe({
      groupId: uniqueGroup('thousand'),
      topics: [topic],
      concurrency: 8,
      handler: async ({ key, value }) => {
        (seen.get(key) ?? seen.set(key, []).get(key))?.push((value as { seq: number }).seq);
        received++;
      },
    });
    const records = Array.from({ length: 1_000 }, (_, seq) => ({ topic, key: `msg-${seq % 37}`, value: { seq } }));
    // 100 concurrent calls of 10, as many request handlers would publish.
    await Promise.all(Array.from({ length: 100 }, (_, i) => sut.publish(records.slice(i * 10, i * 10 + 10))));

    await waitFor('1,000 records', () => received >= 1_000, 60_000);
    await delay(500);
    expect(received).toBe(1_000);
    for (const [key, seqs] of seen) {
      expect(seqs).toEqual(records.filter((r) => r.key === key).map((r) => r.value.seq));
    }
  });

  it('paces a subscription with `fetch`: the broker holds its fetches for fuller batches, the default answers at once', async () => {
    const [topic] = (await createTopics(1)) as [string];
    const sut = bus();
    const arrivals = { paced: [] as number[], eager: [] as number[] };
    for (const [name, fetch] of [
      ['paced', { minBytes: 1024 * 1024, maxWaitMs: 500 }],
      ['eager', undefined],
    ] as const) {
      await sut.subscribe({
        groupId: uniqueGroup(`fetch-${name}`),
        topics: [topic],
        ...(fetch ? { fetch } : {}),
        handler: async () => {
          arrivals[name].push(performance.now());
        },
      });
    }
    // 60 small records 25 ms apart (1.5 s): far from the paced reader's 1 MB, so only its wait releases a fetch.
    for (let seq = 0; seq < 60; seq++) {
      await sut.publish([{ topic, key: `k-${seq}`, value: { seq } }]);
      await delay(25);
    }
    await waitFor('both readers', () => arrivals.paced.length >= 60 && arrivals.eager.length >= 60, 30_000);

    // Records of one fetch reach the handler microseconds apart; fetches are tens of ms apart at least.
    const fetches = (times: number[]): number =>
      times.filter((t, i) => i === 0 || t - (times[i - 1] as number) > 10).length;
    expect(fetches(arrivals.paced)).toBeLessThanOrEqual(6); // ~1.5 s / 500 ms, and the first fetch
    expect(fetches(arrivals.eager)).toBeGreaterThanOrEqual(15);
  });

  it('sends a poison (non-JSON) record to the DLQ at once, byte for byte, with the error headers', async () => {
    const [topic] = (await createTopics(1)) as [string];
    const sut = bus();
    const handled: ConsumedRecord[] = [];
    await sut.subscribe({
      groupId: uniqueGroup('poison'),
      topics: [topic],
      handler: async (record) => {
        handled.push(record);
      },
    });
    const producer = kafka.producer();
    await producer.connect();
    const poison = Buffer.from([0x7b, 0xff, 0x00, 0x6e]);
    await producer.send({
      topic,
      messages: [
        { key: 'p', value: poison, headers: { traceparent: 't-1' } },
        { key: 'p', value: JSON.stringify({ after: true }) },
      ],
    });
    await producer.disconnect();

    const [dead] = (await readRaw(dlqTopicOf(topic), 1)) as [KafkaMessage];
    await waitFor('the record after the poison', () => handled.length === 1, 30_000);
    expect(dead.key?.toString()).toBe('p');
    expect(dead.value).toEqual(poison);
    const headers = Object.fromEntries(Object.entries(dead.headers ?? {}).map(([k, v]) => [k, String(v)]));
    expect(headers).toMatchObject({
      traceparent: 't-1',
      [DLQ_HEADERS.sourceTopic]: topic,
      [DLQ_HEADERS.sourceOffset]: '0',
      [DLQ_HEADERS.attempts]: '0',
    });
    expect(headers[DLQ_HEADERS.error]).toMatch(/^NonRetriableError: record value is not JSON/);
    expect(handled[0]?.value).toEqual({ after: true });
  });

  it('waits out a MariaDB outage: no DLQ copy, nothing committed while paused, written once the database is back', async () => {
    const [topic] = (await createTopics(1)) as [string];
    const groupId = uniqueGroup('db-outage');
    const mariadb = new URL(process.env['MYSQL_URL'] ?? 'mysql://root@127.0.0.1:3306/sms_test');
    // First the handler's database address is a port nothing listens on, then the real server's.
    let port = (await TcpDependency.reserve()).port;
    const written: number[] = [];
    let refused = 0;
    const handler = async ({ value }: ConsumedRecord): Promise<void> => {
      const connection = await createConnection({
        host: mariadb.hostname,
        port,
        user: decodeURIComponent(mariadb.username) || 'root',
        password: decodeURIComponent(mariadb.password),
        connectTimeout: 2_000,
      }).catch((error: unknown) => {
        refused++;
        throw error;
      });
      try {
        const [rows] = await connection.query('SELECT ? AS n', [(value as { n: number }).n]);
        written.push(Number((rows as { n: number }[])[0]?.n));
      } finally {
        await connection.end();
      }
    };
    const first = bus();
    await first.subscribe({ groupId, topics: [topic], maxAttempts: 2, handler });
    await first.publish([1, 2].map((n) => ({ topic, key: 'same', value: { n } })));
    await waitFor('retries well past maxAttempts', () => refused >= 6, 30_000);
    expect(written).toEqual([]);

    // A restart while paused: close() ends the wait, commits nothing past the failed record.
    await first.close();
    const kafkaAdmin = kafka.admin();
    await kafkaAdmin.connect();
    try {
      const [committed] = await kafkaAdmin.fetchOffsets({ groupId, topics: [topic] });
      expect(committed?.partitions.every((p) => p.offset === '-1')).toBe(true);

      port = Number(mariadb.port || 3306);
      const second = bus();
      await second.subscribe({ groupId, topics: [topic], maxAttempts: 2, handler });
      await waitFor('both records written', () => written.length === 2, 30_000);
      await delay(300);
      expect(written).toEqual([1, 2]);
      const dlqEnds = await kafkaAdmin.fetchTopicOffsets(dlqTopicOf(topic));
      expect(dlqEnds.every((p) => p.high === '0')).toBe(true);
    } finally {
      await kafkaAdmin.disconnect();
    }
  });

  it('joinInBackground: subscribe() returns before the group joins, even with no broker, and consumes once joined', async () => {
    const away = newKafkaBus({
      brokers: [`127.0.0.1:${(await TcpDependency.reserve()).port}`],
      joinInBackground: true,
    });
    const startedAt = Date.now();
    await away.subscribe({ groupId: uniqueGroup('away'), topics: ['bus-it.away.v1'], handler: async () => undefined });
    expect(Date.now() - startedAt).toBeLessThan(500);
    const closing = Date.now();
    await away.close();
    expect(Date.now() - closing).toBeLessThan(15_000);

    const [topic] = (await createTopics(1)) as [string];
    const sut = bus({ joinInBackground: true });
    const seen: number[] = [];
    await sut.subscribe({
      groupId: uniqueGroup('background'),
      topics: [topic],
      handler: async ({ value }) => {
        seen.push((value as { n: number }).n);
      },
    });
    await expect(
      sut.subscribe({ groupId: 'g', topics: ['t'.repeat(247)], handler: async () => undefined }),
    ).rejects.toThrow('Illegal Kafka topic name');
    await sut.publish([1, 2, 3].map((n) => ({ topic, key: 'k', value: { n } })));
    await waitFor('the records, once the group joined', () => seen.length === 3, 30_000);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('commits on close(), so the next consumer of the group resumes after the processed records', async () => {
    const [topic] = (await createTopics(1)) as [string];
    const groupId = uniqueGroup('resume');
    const first = bus();
    const firstSeen: number[] = [];
    await first.subscribe({
      groupId,
      topics: [topic],
      handler: async ({ value }) => {
        firstSeen.push(value as number);
      },
    });
    await first.publish(Array.from({ length: 50 }, (_, n) => ({ topic, key: `k${n % 5}`, value: n })));
    await waitFor('first 50', () => firstSeen.length === 50, 30_000);
    await first.close();

    const kafkaAdmin = kafka.admin();
    await kafkaAdmin.connect();
    const [committed] = await kafkaAdmin.fetchOffsets({ groupId, topics: [topic] });
    const ends = await kafkaAdmin.fetchTopicOffsets(topic);
    await kafkaAdmin.disconnect();
    const byPartition = new Map(committed?.partitions.map((p) => [p.partition, p.offset]));
    for (const end of ends) {
      // A partition the keys never hit has nothing to commit (-1); every other one is committed to its end.
      expect(end.high === '0' ? ['-1', '0'] : [end.high]).toContain(byPartition.get(end.partition));
    }

    const second = bus();
    const secondSeen: number[] = [];
    await second.subscribe({
      groupId,
      topics: [topic],
      handler: async ({ value }) => {
        secondSeen.push(value as number);
      },
    });
    await second.publish([{ topic, key: 'k0', value: 50 }]);
    await waitFor('the new record', () => secondSeen.length >= 1, 30_000);
    await delay(1_000);
    expect(secondSeen).toEqual([50]);
  });

  it("marks a group's lag as the leader's in exactly one member, and moves the mark when the leader leaves", async () => {
    const [topic] = (await createTopics(1)) as [string];
    const groupId = uniqueGroup('lag-leader');
    const members = [bus(), bus()] as const;
    for (const member of members) {
      await member.subscribe({ groupId, topics: [topic], handler: async () => undefined });
    }
    // A lag read can fail while the group rebalances (the probe client does not retry): the scrape after
    // it reads again, and so does this wait.
    const leaders = async (of: readonly KafkaBus[]): Promise<(boolean | undefined)[]> =>
      Promise.all(
        of.map(async (member) => (await member.consumerLag().catch(() => undefined))?.some((lag) => lag.groupLeader)),
      );
    const until = async (what: string, condition: () => Promise<boolean>): Promise<void> => {
      for (const deadline = Date.now() + 30_000; !(await condition()); await delay(100)) {
        if (Date.now() > deadline) {
          throw new Error(`Timed out waiting for ${what}`);
        }
      }
    };
    await until('one leader among two members', async () => {
      const marks = await leaders(members);

      return marks.includes(true) && marks.includes(false);
    });
    const lags = await Promise.all(members.map((member) => member.consumerLag()));
    // Both read the same broker-side lag, every partition of the topic: only the mark tells them apart.
    expect(lags.map((lag) => lag.length)).toEqual([PARTITIONS, PARTITIONS]);

    const leaderIndex = (await leaders(members)).indexOf(true);
    await members[leaderIndex]?.close();
    const survivor = members[1 - leaderIndex] as KafkaBus;
    await until('the survivor leads', async () => (await leaders([survivor]))[0] === true);
  });

  it('commits trickling records without a request per batch, and without close(), within the commit interval', async () => {
    const [topic] = (await createTopics(1)) as [string];
    const groupId = uniqueGroup('trickle');
    const consumerBus = bus();
    const seen: number[] = [];
    await consumerBus.subscribe({
      groupId,
      topics: [topic],
      handler: async ({ value }) => {
        seen.push(value as number);
      },
    });
    // One record per fetch: each batch ends well within the commit interval of the one before.
    for (let n = 0; n < 20; n++) {
      await consumerBus.publish([{ topic, key: `k${n % 4}`, value: n }]);
      await delay(20);
    }
    await waitFor('20 records', () => seen.length === 20, 30_000);

    const kafkaAdmin = kafka.admin();
    await kafkaAdmin.connect();
    try {
      const ends = await kafkaAdmin.fetchTopicOffsets(topic);
      const committedToEnd = async (): Promise<boolean> => {
        const [committed] = await kafkaAdmin.fetchOffsets({ groupId, topics: [topic] });
        const byPartition = new Map(committed?.partitions.map((p) => [p.partition, p.offset]));

        return ends.every((end) => end.high === '0' || byPartition.get(end.partition) === end.high);
      };
      // The consumer keeps running: the deferred offsets go by its timer, not by close().
      const deadline = Date.now() + 3_000;
      while (!(await committedToEnd())) {
        expect(Date.now()).toBeLessThan(deadline);
        await delay(50);
      }
    } finally {
      await kafkaAdmin.disconnect();
    }
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, n) => n));
  });

  it('close() mid-batch commits exactly the handled prefix: the next member neither skips nor repeats', async () => {
    const [topic] = (await createTopics(1)) as [string];
    const groupId = uniqueGroup('mid-batch');
    const first = bus();
    const seen: number[] = [];
    await first.subscribe({
      groupId,
      topics: [topic],
      handler: async ({ value }) => {
        await delay(10);
        seen.push(value as number);
      },
    });
    await first.publish(Array.from({ length: 200 }, (_, n) => ({ topic, key: 'one-key', value: n })));
    await waitFor('some records', () => seen.length >= 30, 30_000);
    await first.close();
    const handledByFirst = seen.length;
    expect(handledByFirst).toBeLessThan(200);

    const second = bus();
    await second.subscribe({
      groupId,
      topics: [topic],
      handler: async ({ value }) => {
        seen.push(value as number);
      },
    });
    await waitFor('the rest', () => seen.length >= 200, 30_000);
    await delay(500);
    expect(seen).toEqual(Array.from({ length: 200 }, (_, n) => n));
  });

  it('resolves every publish promise, coalescing concurrent calls into few sendBatch requests', async () => {
    const [topic] = (await createTopics(1)) as [string];
    const sut = bus({ lingerMs: 5 });
    const sends = jest.spyOn(sut as unknown as { sendBatch: (items: unknown[]) => Promise<void> }, 'sendBatch');
    const seen = new Set<number>();
    await sut.subscribe({
      groupId: uniqueGroup('batcher'),
      topics: [topic],
      handler: async ({ value }) => {
        seen.add(value as number);
      },
    });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 2_000 }, (_, n) => sut.publish([{ topic, key: `k${n % 50}`, value: n }])),
    );

    expect(outcomes.every((o) => o.status === 'fulfilled')).toBe(true);
    expect(sends.mock.calls.length).toBeLessThanOrEqual(20);
    await waitFor('all 2,000', () => seen.size === 2_000, 60_000);
  });

  it('flushes pending publishes on close() and refuses later ones', async () => {
    const [topic] = (await createTopics(1)) as [string];
    const sut = bus({ lingerMs: 60_000 });
    const pending = sut.publish([{ topic, key: 'k', value: 'flushed' }]);
    await sut.close();
    await expect(pending).resolves.toBeUndefined();
    await expect(sut.publish([{ topic, key: 'k', value: 'late' }])).rejects.toBeInstanceOf(BusClosedError);

    const [message] = (await readRaw(topic, 1)) as [KafkaMessage];
    expect(message.value?.toString()).toBe('"flushed"');
  });

  it('restarts a crashed consumer a bounded number of times, then reports not ready', async () => {
    const [topic] = (await createTopics(1)) as [string];
    // A DLQ that refuses every record (max.message.bytes below any batch): the consumer can neither handle
    // nor park the record, so kafkajs retries the batch, crashes, and asks restartOnFailure.
    const refusingDlq = `${topic}.refusing`;
    await admin.ensureTopics(
      [
        {
          topic: dlqTopicOf(refusingDlq),
          numPartitions: 1,
          configEntries: [{ name: 'max.message.bytes', value: '16' }],
        },
      ],
      { withDlq: false },
    );
    await admin.ensureTopics([{ topic: refusingDlq, numPartitions: 1 }], { withDlq: false });
    created.push(refusingDlq, dlqTopicOf(refusingDlq));
    const crashes: unknown[] = [];
    const sut = bus({
      restart: { maxRestarts: 1, windowMs: 60_000 },
      logger: {
        ...silentBusLogger,
        error: (message, context) => {
          if (message === 'Kafka consumer crashed') {
            crashes.push(context?.['restart']);
          }
        },
      },
    });
    await sut.subscribe({
      groupId: uniqueGroup('crash'),
      topics: [refusingDlq],
      maxAttempts: 1,
      handler: async () => {
        throw new Error('always');
      },
    });
    expect(await sut.isReady()).toBe(true);
    await sut.publish([{ topic: refusingDlq, key: 'k', value: {} }]);

    await waitFor('two crashes', () => crashes.length === 2, 80_000);
    expect(crashes).toEqual([true, false]);
    expect(await sut.isReady()).toBe(false);
  }, 90_000);

  it('reports not ready, within the probe deadline, when no broker answers', async () => {
    const sut = bus({ brokers: ['127.0.0.1:1'] });
    const started = Date.now();

    expect(await sut.isReady()).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('caches readiness for about a second', async () => {
    const sut = bus();
    const first = sut.isReady();

    expect(sut.isReady()).toBe(first);
    expect(await first).toBe(true);
  });
});
