/**
 * Kafka publish throughput: KafkaBus' micro-batcher vs one `producer.send` per record awaited serially
 * (what a naive kafkajs service does). Same broker, same producer settings (acks=all, idempotent, one
 * request in flight), fresh 4-partition topic, median of 3 runs each.
 *
 *   KAFKA_BROKERS=127.0.0.1:9092 node -r @swc-node/register bench/bus.bench.ts
 *
 * Env: BENCH_RECORDS (batched, default 20000), BENCH_BASELINE_RECORDS (default 3000), BENCH_CALLERS (256),
 * BENCH_LINGER_MS (KafkaBus default, 2).
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { KafkaBus, silentBusLogger } from '@sms/bus';

export interface BusBenchOptions {
  readonly brokers: readonly string[];
  /** Records per batched run. */
  readonly records: number;
  /** Records per baseline run (it is ~10x slower; fewer keeps the bench short). */
  readonly baselineRecords: number;
  /** Concurrent callers, each awaiting publish() of one record at a time, like request handlers. */
  readonly callers: number;
  readonly runs: number;
  /** Batcher linger; undefined = the KafkaBus default. */
  readonly lingerMs?: number;
}

export interface BusBenchResult {
  readonly batchedMsgPerSec: number;
  readonly baselineMsgPerSec: number;
  readonly ratio: number;
  readonly meanBatchSize: number;
  readonly batchedRuns: readonly number[];
  readonly baselineRuns: readonly number[];
  readonly options: BusBenchOptions;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);

  return sorted[Math.floor(sorted.length / 2)] as number;
};

const payload = (n: number): Record<string, unknown> => ({
  id: randomUUID(),
  to: '+447400123456',
  body: `bench message ${n}`,
  at: new Date().toISOString(),
});

async function batchedRun(
  options: BusBenchOptions,
  topic: string,
): Promise<{ readonly rate: number; readonly sends: number }> {
  const bus = new KafkaBus({
    brokers: options.brokers,
    clientId: 'bus-bench',
    logger: silentBusLogger,
    lingerMs: options.lingerMs,
  });
  // Count sendBatch calls to report the batch size the linger actually achieved.
  const internals = bus as unknown as { sendBatch: (items: readonly unknown[]) => Promise<void> };
  const sendBatch = internals.sendBatch.bind(bus);
  let sends = 0;
  internals.sendBatch = (items) => {
    sends++;

    return sendBatch(items);
  };
  try {
    await bus.publish([{ topic, key: 'warm-up', value: payload(-1) }]);
    sends = 0;
    let next = 0;
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: options.callers }, async () => {
        for (let n = next++; n < options.records; n = next++) {
          await bus.publish([{ topic, key: `msg-${n}`, value: payload(n) }]);
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;

    return { rate: options.records / seconds, sends };
  } finally {
    await bus.close();
  }
}

async function baselineRun(options: BusBenchOptions, topic: string): Promise<number> {
  const kafka = new Kafka({
    clientId: 'bus-bench-baseline',
    brokers: [...options.brokers],
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: [{ key: 'warm-up', value: JSON.stringify(payload(-1)) }] });
    const started = process.hrtime.bigint();
    for (let n = 0; n < options.baselineRecords; n++) {
      await producer.send({ topic, acks: -1, messages: [{ key: `msg-${n}`, value: JSON.stringify(payload(n)) }] });
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;

    return options.baselineRecords / seconds;
  } finally {
    await producer.disconnect();
  }
}

export async function runBusBench(overrides: Partial<BusBenchOptions> = {}): Promise<BusBenchResult> {
  const options: BusBenchOptions = {
    brokers: (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(','),
    records: Number(process.env['BENCH_RECORDS'] ?? 20_000),
    baselineRecords: Number(process.env['BENCH_BASELINE_RECORDS'] ?? 3_000),
    callers: Number(process.env['BENCH_CALLERS'] ?? 256),
    runs: 3,
    lingerMs: process.env['BENCH_LINGER_MS'] === undefined ? undefined : Number(process.env['BENCH_LINGER_MS']),
    ...overrides,
  };
  const topic = `bench.bus.${randomUUID().slice(0, 8)}.v1`;
  const admin = new KafkaBus({ brokers: options.brokers, clientId: 'bus-bench-admin', logger: silentBusLogger });
  await admin.ensureTopics([{ topic, numPartitions: 4 }], { withDlq: false });
  await admin.close();

  const batchedRuns: number[] = [];
  const baselineRuns: number[] = [];
  let records = 0;
  let sends = 0;
  // Interleaved, so a slow phase of the shared machine hits both sides alike.
  for (let run = 0; run < options.runs; run++) {
    const batched = await batchedRun(options, topic);
    batchedRuns.push(batched.rate);
    records += options.records;
    sends += batched.sends;
    baselineRuns.push(await baselineRun(options, topic));
  }
  const batchedMsgPerSec = median(batchedRuns);
  const baselineMsgPerSec = median(baselineRuns);

  return {
    batchedMsgPerSec,
    baselineMsgPerSec,
    ratio: batchedMsgPerSec / baselineMsgPerSec,
    meanBatchSize: records / sends,
    batchedRuns,
    baselineRuns,
    options,
  };
}

if (require.main === module) {
  runBusBench()
    .then((result) => {
      const rate = (n: number): string => `${Math.round(n).toLocaleString('en-US')} msg/s`;
      const { callers, lingerMs, records, baselineRecords } = result.options;
      console.log(
        `batched:  ${records} records, ${callers} callers each awaiting publish() of 1 record, linger ${lingerMs ?? 'default (2)'} ms`,
      );
      console.log(`baseline: ${baselineRecords} records, 1 caller awaiting producer.send() of 1 record`);
      console.log(
        `batched  ${rate(result.batchedMsgPerSec)} (median; runs ${result.batchedRuns.map(rate).join(', ')})`,
      );
      console.log(
        `baseline ${rate(result.baselineMsgPerSec)} (median; runs ${result.baselineRuns.map(rate).join(', ')})`,
      );
      console.log(`ratio ${result.ratio.toFixed(1)}x; mean records per sendBatch ${result.meanBatchSize.toFixed(1)}`);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
