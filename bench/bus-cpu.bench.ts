/**
 * CPU per record of the Kafka client and of the broker, kafkajs vs @platformatic/kafka, read from /proc
 * (this process: process.cpuUsage; the broker: the JVM listening on the broker port). Each client runs the
 * same work on a fresh 4-partition topic, interleaved, median of the runs:
 *  - produce: BENCH_RECORDS records from 256 callers through the bus' micro-batcher (linger 2 ms, ≤500
 *    records a request), acks=all, idempotent, one request in flight, murmur2 partitions;
 *  - consume: a fresh group reads them all, commits the done offsets at least every 500 ms and at the end;
 *  - idle: BENCH_IDLE_CONSUMERS consumers joined to empty topics, no traffic, for BENCH_IDLE_SECONDS.
 * The broker figure includes whatever else the shared broker did meanwhile: compare medians, not single runs.
 * @platformatic/kafka is measured only when installed (bench/lib/platformatic-kafka.ts).
 *
 * Paced traffic (a service's view at a few hundred records a second, where per-request costs dominate):
 *  - BENCH_MODE=paced-bus: KafkaBus itself, BENCH_RATE records/s for BENCH_SECONDS, BENCH_GROUPS groups;
 *    also prints the Fetch/Produce/OffsetCommit/Heartbeat requests this process made per record;
 *  - BENCH_MODE=paced: raw kafkajs, BENCH_VARIANTS of commitEveryMs:lingerMs:paceMs.
 *
 * Encoding alone (no broker), the part of a produce that the bus' CRC-32C substitute changes:
 *  - BENCH_MODE=encode: kafkajs' record batches of BENCH_BATCH bulk-bench records, CPU per record over
 *    BENCH_SECONDS per round, median of BENCH_RUNS rounds; `-r ./bench/lib/kafkajs-own-crc.preload.js` gives
 *    the base (kafkajs' own checksum).
 *
 *   KAFKA_BROKERS=127.0.0.1:9092 node -r ./scripts/register.js bench/bus-cpu.bench.ts
 *   BENCH_MODE=paced-bus node -r ./scripts/register.js bench/bus-cpu.bench.ts
 */
import { randomUUID } from 'node:crypto';
import type { Consumer as KafkajsConsumer } from 'kafkajs';
import { Kafka, logLevel } from 'kafkajs';
import type { PlatformaticConsumer } from './lib/platformatic-kafka';
import { loadPlatformatic } from './lib/platformatic-kafka';
import { KafkaBus, silentBusLogger } from '@sms/bus';
import { createMurmur2Partitioner } from '../libs/shared/data-access-bus/src/murmur2.partitioner';
import { partitionForKey } from '../libs/shared/data-access-bus/src/murmur2.partitioner';
import { PublishBatcher } from '../libs/shared/data-access-bus/src/publish.batcher';
import { CpuMeter, pidsListeningOn } from './lib/process-cpu';
import { crc32c } from '../libs/shared/data-access-bus/src/crc32c';
import { kafkajsUsesFastCrc32c } from '../libs/shared/data-access-bus/src/kafkajs-crc32c.fix';

type ClientName = 'kafkajs' | 'platformatic';

interface OutRecord {
  readonly topic: string;
  readonly key: string;
  readonly value: string;
  readonly headers: Record<string, string>;
}

interface ClientUnderTest {
  /** One produce request per call (the bus' batcher decides how many records share it). */
  send(records: readonly OutRecord[]): Promise<void>;
  /** Reads `count` records of `topic` from the start in a fresh group; resolves when all are done. */
  consume(topic: string, count: number): Promise<void>;
  /** Joins `consumers` groups to `topics` and leaves them idle; returns the closer. */
  idle(topics: readonly string[]): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

const PARTITIONS = 4;
const COMMIT_INTERVAL_MS = 500;
const MAX_WAIT_MS = Number(process.env['BENCH_MAX_WAIT_MS'] ?? 1_000);

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);

  return sorted[Math.floor(sorted.length / 2)] as number;
};

const ownCpuMs = (): number => {
  const { user, system } = process.cpuUsage();

  return (user + system) / 1000;
};

function kafkajsClient(brokers: readonly string[]): ClientUnderTest {
  const kafka = new Kafka({ clientId: 'bus-cpu-bench', brokers: [...brokers], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: createMurmur2Partitioner,
  });
  const connected = producer.connect();
  const consumers: KafkajsConsumer[] = [];

  return {
    async send(records) {
      await connected;
      const byTopic = new Map<string, { key: string; value: string; headers: Record<string, string> }[]>();
      for (const { topic, key, value, headers } of records) {
        const list = byTopic.get(topic) ?? [];
        list.push({ key, value, headers });
        byTopic.set(topic, list);
      }
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
    },
    async consume(topic, count) {
      const consumer = kafka.consumer({ groupId: `bench-${randomUUID()}`, maxWaitTimeInMs: MAX_WAIT_MS });
      consumers.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      let seen = 0;
      let done!: () => void;
      const finished = new Promise<void>((resolve) => (done = resolve));
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: PARTITIONS,
        eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary }) => {
          for (const message of batch.messages) {
            JSON.parse(message.value?.toString('utf8') ?? 'null');
            seen++;
          }
          const last = batch.lastOffset();
          resolveOffset(last);
          await commitOffsetsIfNecessary({
            topics: [{ topic, partitions: [{ partition: batch.partition, offset: (BigInt(last) + 1n).toString() }] }],
          });
          if (seen >= count) {
            done();
          }
        },
      });
      await finished;
      await consumer.disconnect();
    },
    async idle(topics) {
      const idle = await Promise.all(
        topics.map(async (topic) => {
          const consumer = kafka.consumer({ groupId: `bench-idle-${randomUUID()}`, maxWaitTimeInMs: MAX_WAIT_MS });
          await consumer.connect();
          await consumer.subscribe({ topics: [topic], fromBeginning: true });
          await consumer.run({
            autoCommit: false,
            partitionsConsumedConcurrently: PARTITIONS,
            eachBatch: async () => undefined,
          });

          return consumer;
        }),
      );

      return async () => {
        await Promise.all(idle.map((consumer) => consumer.disconnect()));
      };
    },
    async close() {
      await Promise.allSettled([producer.disconnect(), ...consumers.map((consumer) => consumer.disconnect())]);
    },
  };
}

function platformaticClient(brokers: readonly string[]): ClientUnderTest {
  const platformatic = loadPlatformatic();
  if (!platformatic) {
    throw new Error('@platformatic/kafka is not installed: run with BENCH_CLIENTS=kafkajs');
  }
  const producer = new platformatic.Producer({
    clientId: 'bus-cpu-bench',
    bootstrapBrokers: [...brokers],
    idempotent: true,
    acks: platformatic.ProduceAcks.ALL,
    serializers: platformatic.stringSerializers,
  });
  const consumers: PlatformaticConsumer[] = [];
  const newConsumer = (): PlatformaticConsumer => {
    const consumer = new platformatic.Consumer({
      clientId: 'bus-cpu-bench',
      groupId: `bench-${randomUUID()}`,
      bootstrapBrokers: [...brokers],
      deserializers: platformatic.stringDeserializers,
      maxWaitTime: MAX_WAIT_MS,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
    });
    consumers.push(consumer);

    return consumer;
  };

  return {
    async send(records) {
      await producer.send({
        messages: records.map(({ topic, key, value, headers }) => ({
          topic,
          key,
          value,
          headers,
          partition: partitionForKey(key, PARTITIONS),
        })),
      });
    },
    async consume(topic, count) {
      const consumer = newConsumer();
      const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
      const done = new Map<number, bigint>();
      let seen = 0;
      let lastCommitAt = Date.now();
      const commit = async (): Promise<void> => {
        const offsets = [...done].map(([partition, offset]) => ({
          topic,
          partition,
          offset: offset + 1n,
          leaderEpoch: -1,
        }));
        done.clear();
        lastCommitAt = Date.now();
        if (offsets.length > 0) {
          await consumer.commit({ offsets });
        }
      };
      for await (const message of stream) {
        JSON.parse(message.value);
        done.set(message.partition, message.offset);
        seen++;
        if (seen >= count) {
          break;
        }
        if (Date.now() - lastCommitAt >= COMMIT_INTERVAL_MS) {
          await commit();
        }
      }
      await commit();
      await stream.close();
      await consumer.close(true);
    },
    async idle(topics) {
      const idle = await Promise.all(
        topics.map(async (topic) => {
          const consumer = newConsumer();
          const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
          stream.on('data', () => undefined);

          return { consumer, stream };
        }),
      );

      return async () => {
        await Promise.all(
          idle.map(async ({ consumer, stream }) => {
            await stream.close();
            await consumer.close(true);
          }),
        );
      };
    },
    async close() {
      await Promise.allSettled([producer.close(), ...consumers.map((consumer) => consumer.close(true))]);
    },
  };
}

/**
 * Paced traffic, as a service sees it at a few hundred messages a second: one record per publish() every
 * 1000/rate ms through the batcher, read meanwhile by `groups` consumer groups (kafkajs, eachBatch), whose
 * done offsets are committed at the end of every batch (commitEveryMs 0, what KafkaBus does today) or at
 * most every commitEveryMs. CPU per record of this process (producer and consumers) and of the broker.
 */
export async function pacedKafkajs(options: {
  readonly brokers: readonly string[];
  readonly rate: number;
  readonly seconds: number;
  readonly groups: number;
  readonly commitEveryMs: number;
  readonly lingerMs: number;
  /** After a batch of fewer than 100 records, wait this long before the next fetch (0: fetch at once). */
  readonly paceMs: number;
  readonly broker: readonly number[];
}): Promise<PhaseCpu> {
  const topic = `bench.bus-paced.${randomUUID().slice(0, 8)}.v1`;
  const admin = new KafkaBus({ brokers: options.brokers, clientId: 'bus-cpu-bench-admin', logger: silentBusLogger });
  await admin.ensureTopics([{ topic, numPartitions: PARTITIONS }], { withDlq: false });
  await admin.close();
  const kafka = new Kafka({ clientId: 'bus-paced', brokers: [...options.brokers], logLevel: logLevel.NOTHING });
  const client = kafkajsClient(options.brokers);
  const total = options.rate * options.seconds;
  let consumed = 0;
  const consumers: KafkajsConsumer[] = [];
  const requestCounts = new Map<string, number>();
  const requestBytes = new Map<string, number>();
  for (let g = 0; g < options.groups; g++) {
    const consumer = kafka.consumer({ groupId: `bench-paced-${randomUUID()}`, maxWaitTimeInMs: MAX_WAIT_MS });
    consumers.push(consumer);
    if (process.env['BENCH_DEBUG']) {
      consumer.on(consumer.events.REQUEST, ({ payload }) => {
        const k = `${payload.apiName}`;
        requestCounts.set(k, (requestCounts.get(k) ?? 0) + 1);
        requestBytes.set(k, (requestBytes.get(k) ?? 0) + payload.size);
      });
    }
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const pending = new Map<number, string>();
    let timer: NodeJS.Timeout | undefined;
    const flush = async (): Promise<void> => {
      timer = undefined;
      const partitions = [...pending].map(([partition, offset]) => ({ partition, offset }));
      pending.clear();
      if (partitions.length > 0) {
        await consumer.commitOffsets(partitions.map((p) => ({ topic, ...p })));
      }
    };
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: PARTITIONS,
      eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary }) => {
        for (const message of batch.messages) {
          JSON.parse(message.value?.toString('utf8') ?? 'null');
          consumed++;
        }
        const last = batch.lastOffset();
        resolveOffset(last);
        const next = (BigInt(last) + 1n).toString();
        if (options.commitEveryMs === 0) {
          await commitOffsetsIfNecessary({
            topics: [{ topic, partitions: [{ partition: batch.partition, offset: next }] }],
          });
        } else {
          pending.set(batch.partition, next);
          timer ??= setTimeout(() => void flush().catch(() => undefined), options.commitEveryMs);
        }
        if (options.paceMs > 0 && batch.messages.length < 100) {
          await new Promise((resolve) => setTimeout(resolve, options.paceMs));
        }
      },
    });
  }
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  let sendCalls = 0;
  let sentItems = 0;
  const batcher = new PublishBatcher<OutRecord>(
    (items) => {
      sendCalls++;
      sentItems += items.length;

      return client.send(items);
    },
    {
      lingerMs: options.lingerMs,
      maxBatchRecords: 500,
    },
  );
  await batcher.add([{ topic, key: 'warm', value: '{}', headers: {} }]);
  const result = await measure(options.broker, total, async () => {
    const started = performance.now();
    const sends: Promise<void>[] = [];
    for (let n = 0; n < total; n++) {
      const due = started + (n * 1000) / options.rate;
      const wait = due - performance.now();
      if (wait > 1) {
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
      sends.push(
        batcher.add([
          {
            topic,
            key: `msg-${n}`,
            value: JSON.stringify({ id: randomUUID(), to: '+447400123456', body: `bench ${n}` }),
            headers: { 'sms-status-source': 'bench' },
          },
        ]),
      );
    }
    await Promise.all(sends);
    while (consumed < (total + 1) * options.groups) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
  await batcher.close();
  if (process.env['BENCH_DEBUG']) console.log('sends', sendCalls, 'items', sentItems, requestCounts, requestBytes);
  await Promise.allSettled(consumers.map((consumer) => consumer.disconnect()));
  await client.close();

  return result;
}

const CLIENTS: Record<ClientName, (brokers: readonly string[]) => ClientUnderTest> = {
  kafkajs: kafkajsClient,
  platformatic: platformaticClient,
};

interface PhaseCpu {
  readonly clientMsPerRecord: number;
  readonly brokerMsPerRecord: number;
}

async function measure(broker: readonly number[], records: number, work: () => Promise<void>): Promise<PhaseCpu> {
  const meter = new CpuMeter({ broker });
  const before = ownCpuMs();
  await work();
  const client = ownCpuMs() - before;

  return { clientMsPerRecord: client / records, brokerMsPerRecord: meter.elapsed().broker / records };
}

async function produce(client: ClientUnderTest, topic: string, records: number, callers: number): Promise<number> {
  let sends = 0;
  const counting = new PublishBatcher<OutRecord>(
    (items) => {
      sends++;

      return client.send(items);
    },
    { lingerMs: 2, maxBatchRecords: 500 },
  );
  let next = 0;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      for (let n = next++; n < records; n = next++) {
        await counting.add([
          {
            topic,
            key: `msg-${n}`,
            value: JSON.stringify({
              id: randomUUID(),
              to: '+447400123456',
              body: `bench message ${n}`,
              at: new Date().toISOString(),
            }),
            headers: {
              'sms-status-source': 'bench',
              traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
            },
          },
        ]);
      }
    }),
  );
  await counting.close();

  return sends;
}

export interface BusCpuResult {
  readonly client: ClientName;
  readonly produce: PhaseCpu;
  readonly consume: PhaseCpu;
  readonly meanBatch: number;
  readonly idleClientPctCore: number;
  readonly idleBrokerPctCore: number;
}

export async function runBusCpuBench(): Promise<BusCpuResult[]> {
  const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
  const records = Number(process.env['BENCH_RECORDS'] ?? 20_000);
  const runs = Number(process.env['BENCH_RUNS'] ?? 3);
  const idleConsumers = Number(process.env['BENCH_IDLE_CONSUMERS'] ?? 5);
  const idleSeconds = Number(process.env['BENCH_IDLE_SECONDS'] ?? 15);
  const only = process.env['BENCH_CLIENTS']?.split(',') as ClientName[] | undefined;
  const clients = only ?? (loadPlatformatic() ? (Object.keys(CLIENTS) as ClientName[]) : ['kafkajs']);
  const port = Number(brokers[0]?.split(':')[1] ?? 9092);
  const broker = pidsListeningOn(port);
  const admin = new KafkaBus({ brokers, clientId: 'bus-cpu-bench-admin', logger: silentBusLogger });
  const samples = new Map<
    ClientName,
    { produce: PhaseCpu[]; consume: PhaseCpu[]; batch: number[]; idle: number[]; idleBroker: number[] }
  >();
  try {
    for (let run = 0; run < runs; run++) {
      for (const name of clients) {
        const topic = `bench.bus-cpu.${randomUUID().slice(0, 8)}.v1`;
        const idleTopics = Array.from(
          { length: idleConsumers },
          (_, i) => `bench.bus-idle.${randomUUID().slice(0, 8)}.${i}.v1`,
        );
        await admin.ensureTopics(
          [topic, ...idleTopics].map((t) => ({ topic: t, numPartitions: PARTITIONS })),
          { withDlq: false },
        );
        const client = CLIENTS[name](brokers);
        try {
          // Warm-up: connections, metadata, producer id.
          await produce(client, topic, 500, 64);
          let sends = 0;
          const produced = await measure(broker, records, async () => {
            sends = await produce(client, topic, records, 256);
          });
          const consumed = await measure(broker, records + 500, () => client.consume(topic, records + 500));
          const stopIdle = await client.idle(idleTopics);
          // Let the groups settle (joins, first fetches) before the idle reading.
          await new Promise((resolve) => setTimeout(resolve, 5_000));
          const meter = new CpuMeter({ broker });
          const before = ownCpuMs();
          await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
          const idleMs = ownCpuMs() - before;
          const idleBrokerMs = meter.elapsed().broker;
          await stopIdle();
          const entry = samples.get(name) ?? { produce: [], consume: [], batch: [], idle: [], idleBroker: [] };
          entry.produce.push(produced);
          entry.consume.push(consumed);
          entry.batch.push(records / sends);
          entry.idle.push(idleMs / (idleSeconds * 10));
          entry.idleBroker.push(idleBrokerMs / (idleSeconds * 10));
          samples.set(name, entry);
        } finally {
          await client.close();
        }
      }
    }
  } finally {
    await admin.close();
  }

  return clients.map((name) => {
    const s = samples.get(name) as NonNullable<ReturnType<typeof samples.get>>;
    const phase = (list: PhaseCpu[]): PhaseCpu => ({
      clientMsPerRecord: median(list.map((p) => p.clientMsPerRecord)),
      brokerMsPerRecord: median(list.map((p) => p.brokerMsPerRecord)),
    });

    return {
      client: name,
      produce: phase(s.produce),
      consume: phase(s.consume),
      meanBatch: median(s.batch),
      idleClientPctCore: median(s.idle),
      idleBrokerPctCore: median(s.idleBroker),
    };
  });
}

/**
 * The same paced traffic through KafkaBus itself (publish per record, `groups` subscriptions each in its own
 * group, handlers that parse nothing more): what a service pays per record at a few hundred a second.
 */
export async function pacedBus(options: {
  readonly brokers: readonly string[];
  readonly rate: number;
  readonly seconds: number;
  readonly groups: number;
  readonly broker: readonly number[];
}): Promise<PhaseCpu> {
  const topic = `bench.bus-paced.${randomUUID().slice(0, 8)}.v1`;
  const bus = new KafkaBus({ brokers: options.brokers, clientId: 'bus-paced', logger: silentBusLogger });
  await bus.ensureTopics([{ topic, numPartitions: PARTITIONS }], { withDlq: false });
  const total = options.rate * options.seconds;
  let consumed = 0;
  for (let g = 0; g < options.groups; g++) {
    await bus.subscribe({
      groupId: `bench-paced-${randomUUID()}`,
      topics: [topic],
      concurrency: 16,
      handler: async () => {
        consumed++;
      },
    });
  }
  await bus.publish([{ topic, key: 'warm', value: {} }]);
  while (consumed < options.groups) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const result = await measure(options.broker, total, async () => {
    const started = performance.now();
    const sends: Promise<void>[] = [];
    for (let n = 0; n < total; n++) {
      const wait = started + (n * 1000) / options.rate - performance.now();
      if (wait > 1) {
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
      sends.push(
        bus.publish([{ topic, key: `msg-${n}`, value: { id: randomUUID(), to: '+447400123456', body: `bench ${n}` } }]),
      );
    }
    await Promise.all(sends);
    while (consumed < (total + 1) * options.groups) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
  await bus.close();

  return result;
}

/** Broker requests this process made, by kind: counted on kafkajs' Broker (the same for every variant). */
const requestCounts = new Map<string, number>();
function countKafkajsRequests(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Broker = require('kafkajs/src/broker') as { prototype: Record<string, (...args: unknown[]) => unknown> };
  for (const name of ['produce', 'fetch', 'offsetCommit', 'heartbeat']) {
    const original = Broker.prototype[name] as (...args: unknown[]) => unknown;
    Broker.prototype[name] = function (this: unknown, ...args: unknown[]) {
      requestCounts.set(name, (requestCounts.get(name) ?? 0) + 1);

      return original.apply(this, args);
    };
  }
}

async function runPacedBus(): Promise<void> {
  countKafkajsRequests();
  const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
  const broker = pidsListeningOn(Number(brokers[0]?.split(':')[1] ?? 9092));
  const rate = Number(process.env['BENCH_RATE'] ?? 500);
  const seconds = Number(process.env['BENCH_SECONDS'] ?? 10);
  const groups = Number(process.env['BENCH_GROUPS'] ?? 3);
  const runs = Number(process.env['BENCH_RUNS'] ?? 3);
  const list: PhaseCpu[] = [];
  const perRecord: string[] = [];
  for (let run = 0; run < runs; run++) {
    requestCounts.clear();
    list.push(await pacedBus({ brokers, rate, seconds, groups, broker }));
    perRecord.push(
      [...requestCounts].map(([name, count]) => `${name} ${(count / (rate * seconds)).toFixed(2)}`).join(', '),
    );
  }
  console.log(`requests per record (whole run incl. joins): ${perRecord.join(' | ')}`);
  const us = (ms: number): string => `${(ms * 1000).toFixed(0)} µs`;
  console.log(
    `paced KafkaBus: ${rate} rec/s for ${seconds} s, ${groups} groups: client ${us(median(list.map((p) => p.clientMsPerRecord)))}/rec, broker ${us(median(list.map((p) => p.brokerMsPerRecord)))}/rec` +
      ` (runs client ${list.map((p) => us(p.clientMsPerRecord)).join(' ')}; broker ${list.map((p) => us(p.brokerMsPerRecord)).join(' ')})`,
  );
}

async function runPaced(): Promise<void> {
  const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
  const broker = pidsListeningOn(Number(brokers[0]?.split(':')[1] ?? 9092));
  const rate = Number(process.env['BENCH_RATE'] ?? 500);
  const seconds = Number(process.env['BENCH_SECONDS'] ?? 10);
  const groups = Number(process.env['BENCH_GROUPS'] ?? 3);
  const runs = Number(process.env['BENCH_RUNS'] ?? 3);
  // commitEveryMs:lingerMs:paceMs
  const variants = (process.env['BENCH_VARIANTS'] ?? '0:2:0,0:2:20,500:2:20,0:10:0')
    .split(',')
    .map((v) => v.split(':').map(Number));
  const samples = new Map<string, PhaseCpu[]>();
  for (let run = 0; run < runs; run++) {
    for (const [commitEveryMs, lingerMs, paceMs] of variants) {
      const label = `commit ${commitEveryMs === 0 ? 'every batch' : `≤ every ${commitEveryMs} ms`}, linger ${lingerMs} ms, pace ${paceMs} ms`;
      const cpu = await pacedKafkajs({
        brokers,
        rate,
        seconds,
        groups,
        commitEveryMs: commitEveryMs as number,
        lingerMs: lingerMs as number,
        paceMs: paceMs as number,
        broker,
      });
      samples.set(label, [...(samples.get(label) ?? []), cpu]);
    }
  }
  const us = (ms: number): string => `${(ms * 1000).toFixed(0)} µs`;
  console.log(`paced kafkajs: ${rate} rec/s for ${seconds} s, ${groups} groups, median of ${runs}`);
  for (const [label, list] of samples) {
    console.log(
      `  ${label.padEnd(40)} client ${us(median(list.map((p) => p.clientMsPerRecord)))}/rec, broker ${us(median(list.map((p) => p.brokerMsPerRecord)))}/rec` +
        ` (runs client ${list.map((p) => us(p.clientMsPerRecord)).join(' ')}; broker ${list.map((p) => us(p.brokerMsPerRecord)).join(' ')})`,
    );
  }
}

interface KafkajsEncoding {
  Record(options: { key: Buffer; value: Buffer; headers: Record<string, string>; offsetDelta: number }): unknown;
  RecordBatch(options: { records: unknown[]; lastOffsetDelta: number }): Promise<{ buffer: Buffer }>;
}

/** CPU per record of kafkajs' record-batch encoding (records, varints, CRC-32C), the bulk bench's records. */
async function runEncode(): Promise<void> {
  const batchSize = Number(process.env['BENCH_BATCH'] ?? 253);
  const seconds = Number(process.env['BENCH_SECONDS'] ?? 3);
  const runs = Number(process.env['BENCH_RUNS'] ?? 5);
  /* eslint-disable @typescript-eslint/no-require-imports */
  const encoding: KafkajsEncoding = {
    Record: require('kafkajs/src/protocol/recordBatch/record/v0') as KafkajsEncoding['Record'],
    RecordBatch: (require('kafkajs/src/protocol/recordBatch/v0') as Pick<KafkajsEncoding, 'RecordBatch'>).RecordBatch,
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  const headers = {
    'sms-status-source': 'bench',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  };
  const values = Array.from({ length: batchSize }, (_, n) =>
    Buffer.from(
      JSON.stringify({
        id: randomUUID(),
        to: '+447400123456',
        body: `bench message ${n}`,
        at: new Date().toISOString(),
      }),
    ),
  );
  const perRecordUs: number[] = [];
  let bytes = 0;
  // Round 0 warms the JIT up and is left out.
  for (let run = 0; run <= runs; run++) {
    let records = 0;
    const cpuStart = ownCpuMs();
    const until = performance.now() + seconds * 1000;
    while (performance.now() < until) {
      const batch = await encoding.RecordBatch({
        records: values.map((value, offsetDelta) =>
          encoding.Record({ key: Buffer.from(`msg-${offsetDelta}`), value, headers, offsetDelta }),
        ),
        lastOffsetDelta: batchSize - 1,
      });
      bytes = batch.buffer.length;
      records += batchSize;
    }
    if (run > 0) {
      perRecordUs.push(((ownCpuMs() - cpuStart) * 1000) / records);
    }
  }
  // The checksum alone on a batch of this size, both functions in this process, interleaved.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const own = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C') as (bytes: Buffer) => number;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const body = Buffer.alloc(bytes, 0x5a);
  const checksumUs = { kafkajs: [] as number[], bus: [] as number[] };
  for (let round = 0; round <= runs * 2; round++) {
    for (const [name, checksum] of [
      ['kafkajs', own],
      ['bus', crc32c],
    ] as const) {
      const cpuStart = ownCpuMs();
      for (let n = 0; n < 200; n++) {
        checksum(body);
      }
      if (round > 0) {
        checksumUs[name].push(((ownCpuMs() - cpuStart) * 1000) / (200 * batchSize));
      }
    }
  }
  console.log(
    `checksum alone, µs CPU/record: kafkajs ${median(checksumUs.kafkajs).toFixed(3)}, bus ${median(checksumUs.bus).toFixed(3)}`,
  );
  console.log(
    `encode crc32c=${kafkajsUsesFastCrc32c() ? 'bus' : 'kafkajs'} batch ${batchSize} records (${bytes} bytes): ` +
      `${median(perRecordUs).toFixed(2)} µs CPU/record (runs ${perRecordUs.map((v) => v.toFixed(2)).join(' ')})`,
  );
}

if (require.main === module && process.env['BENCH_MODE'] === 'encode') {
  void runEncode().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
} else if (require.main === module && process.env['BENCH_MODE'] === 'paced-bus') {
  void runPacedBus().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
} else if (require.main === module && process.env['BENCH_MODE'] === 'paced') {
  void runPaced().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
} else if (require.main === module) {
  runBusCpuBench()
    .then((results) => {
      const us = (ms: number): string => `${(ms * 1000).toFixed(1)} µs`;
      for (const r of results) {
        console.log(
          `${r.client.padEnd(12)} produce client ${us(r.produce.clientMsPerRecord)}/rec broker ${us(r.produce.brokerMsPerRecord)}/rec (batch ${r.meanBatch.toFixed(0)})` +
            ` | consume client ${us(r.consume.clientMsPerRecord)}/rec broker ${us(r.consume.brokerMsPerRecord)}/rec` +
            ` | idle client ${r.idleClientPctCore.toFixed(2)} % core, broker ${r.idleBrokerPctCore.toFixed(2)} % core`,
        );
      }
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
