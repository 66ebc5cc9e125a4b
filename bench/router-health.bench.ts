/**
 * CPU per status record of the router's health consumer (HealthRecorder over RedisRoutingState), in this
 * process (process.cpuUsage) and in Redis (redis-server's utime+stime from /proc), with the Redis commands
 * it sends per record. The records are what one delivered message puts on `sms.status.v1` for this
 * group, as producers write them (statusRecord: JSON text and headers): the send result (`sent`, with
 * latency; BENCH_ERROR_PERCENT of them `retry`), the provider's intermediate `sent` receipt (no outcome)
 * and its `delivered` receipt, spread over BENCH_PROVIDERS providers. They run through the buses' shared
 * partition-batch processor (JSON parse, per-key order) with the group's concurrency (16), in partition
 * batches of BENCH_BATCH records, with the group's header filter (tellsHealthNothing) unless
 * BENCH_IGNORE=0. BENCH_ROUNDS rounds of BENCH_MESSAGES messages after one warm-up round; medians
 * printed. Redis is shared with other work: compare medians of alternating runs.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 node -r ./scripts/register.js bench/router-health.bench.ts
 */
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { silentBusLogger } from '@sms/bus';
import { type StatusChangedV1, StatusEventKind, StatusEventSource, statusRecord } from '@sms/contracts';
import { processPartitionBatch, type RawRecord } from '../libs/shared/data-access-bus/src/partition-batch.processor';
import { HealthRecorder, tellsHealthNothing } from '../libs/router/feature/src/routing/health.recorder';
import { RedisRoutingState } from '../libs/router/feature/src/state/redis-routing-state';
import { cpuMsOf, pidsNamed } from './lib/process-cpu';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const MESSAGES = Number(process.env['BENCH_MESSAGES'] ?? 20_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const PROVIDERS = Number(process.env['BENCH_PROVIDERS'] ?? 4);
const ERROR_PERCENT = Number(process.env['BENCH_ERROR_PERCENT'] ?? 2);
const BATCH = Number(process.env['BENCH_BATCH'] ?? 200);
const IGNORE = process.env['BENCH_IGNORE'] !== '0';
const CONCURRENCY = 16;

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function status(messageId: string, provider: string, kind: StatusEventKind, source: StatusEventSource): RawRecord {
  const event: StatusChangedV1 = {
    eventId: randomUUID(),
    messageId,
    kind,
    source,
    attempt: 1,
    provider,
    providerMessageId: `SM${messageId.replace(/-/g, '')}`,
    errorCode: kind === StatusEventKind.Retry ? 'PROVIDER_UNAVAILABLE' : null,
    errorMessage: null,
    errorClass: kind === StatusEventKind.Retry ? 'transient' : null,
    ambiguous: false,
    cost: null,
    currency: null,
    detail: null,
    occurredAt: new Date().toISOString(),
    latencyMs: source === StatusEventSource.SendWorker ? 120 : null,
  };

  const record = statusRecord(event);

  return {
    topic: record.topic,
    partition: 0,
    offset: '0',
    key: record.key,
    value: JSON.stringify(record.value),
    headers: record.headers,
  };
}

/** One message's records, in the order they reach the topic. */
function records(count: number): RawRecord[] {
  const out: RawRecord[] = [];
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    const provider = `bench-${i % PROVIDERS}`;
    const failed = (i * 37) % 100 < ERROR_PERCENT;
    out.push(status(id, provider, failed ? StatusEventKind.Retry : StatusEventKind.Sent, StatusEventSource.SendWorker));
    if (!failed) {
      out.push(status(id, provider, StatusEventKind.Sent, StatusEventSource.Dlr));
      out.push(status(id, provider, StatusEventKind.Delivered, StatusEventSource.Dlr));
    }
  }

  return out;
}

/** Partition batches of BATCH records through the shared processor, as the Kafka adapter runs them. */
async function feed(recorder: HealthRecorder, all: readonly RawRecord[]): Promise<void> {
  for (let i = 0; i < all.length; i += BATCH) {
    const batch = all.slice(i, i + BATCH).map((record, n) => ({ ...record, offset: String(i + n) }));
    await processPartitionBatch(batch, {
      handler: recorder.handle,
      maxAttempts: 3,
      concurrency: CONCURRENCY,
      ...(IGNORE && { ignores: tellsHealthNothing }),
      backoff: { initialMs: 10, multiplier: 2, maxMs: 100, jitter: 0 },
      logger: silentBusLogger,
      shouldStop: () => false,
      onDone: () => undefined,
      deadLetter: async () => undefined,
      heartbeat: async () => undefined,
      sleep: async () => true,
    });
  }
  await recorder.drain();
}

async function main(): Promise<void> {
  const prefix = `sms-bench:health:${randomUUID().slice(0, 8)}:`;
  const state = new RedisRoutingState({ url: REDIS_URL, keyPrefix: prefix });
  const recorder = new HealthRecorder(state);
  const redisPids = pidsNamed('redis-server');
  let commands = 0;
  const sendCommand = Redis.prototype.sendCommand;
  Redis.prototype.sendCommand = function (this: Redis, ...args: Parameters<Redis['sendCommand']>) {
    commands++;

    return sendCommand.apply(this, args);
  };

  const rows: { ownUs: number; redisUs: number; commands: number }[] = [];
  try {
    for (let round = 0; round <= ROUNDS; round++) {
      const batch = records(MESSAGES);
      const redisBefore = redisPids.reduce((sum, pid) => sum + cpuMsOf(pid), 0);
      const before = process.cpuUsage();
      commands = 0;
      await feed(recorder, batch);
      const used = process.cpuUsage(before);
      const redisMs = redisPids.reduce((sum, pid) => sum + cpuMsOf(pid), 0) - redisBefore;
      if (round === 0) {
        continue; // warm-up: JIT, script load
      }
      const row = {
        ownUs: (used.user + used.system) / batch.length,
        redisUs: (redisMs * 1000) / batch.length,
        commands: commands / batch.length,
      };
      rows.push(row);
      console.log(
        `round ${round}: ${batch.length} records, recorder ${row.ownUs.toFixed(1)} µs/record, ` +
          `redis ${row.redisUs.toFixed(1)} µs/record, ${row.commands.toFixed(3)} Redis commands/record`,
      );
    }
    const perMessage = (3 * (100 - ERROR_PERCENT) + ERROR_PERCENT) / 100;
    const own = median(rows.map((r) => r.ownUs));
    const redis = median(rows.map((r) => r.redisUs));
    console.log(
      `median of ${ROUNDS}: recorder ${own.toFixed(1)} µs/record (${(own * perMessage).toFixed(1)} µs/message), ` +
        `redis ${redis.toFixed(1)} µs/record (${(redis * perMessage).toFixed(1)} µs/message), ` +
        `${median(rows.map((r) => r.commands)).toFixed(3)} Redis commands/record`,
    );
  } finally {
    Redis.prototype.sendCommand = sendCommand;
    await state.close();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) {
      await redis.del(...keys);
    }
    redis.disconnect();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
