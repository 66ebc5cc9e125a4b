/**
 * CPU per status record of the router's health consumer (HealthRecorder over RedisRoutingState), in this
 * process (process.cpuUsage) and in Redis (redis-server's utime+stime from /proc), with the Redis commands
 * it sends per record. The records are what one delivered message puts on `sms.status.v1` for this
 * group: the send result (`sent`, with latency; BENCH_ERROR_PERCENT of them `retry`), the provider's
 * intermediate `sent` receipt (no outcome) and its `delivered` receipt, spread over BENCH_PROVIDERS
 * providers. They are handed over as a partition batch does with the group's concurrency (16): up to 16
 * handlers in flight, each started in offset order when a slot frees. BENCH_ROUNDS rounds of
 * BENCH_MESSAGES messages after one warm-up round; medians printed. Redis is shared with other work:
 * compare medians of alternating runs.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 node -r ./scripts/register.js bench/router-health.bench.ts
 */
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import type { ConsumedRecord } from '@sms/bus';
import { type StatusChangedV1, StatusEventKind, StatusEventSource, TOPICS } from '@sms/contracts';
import { HealthRecorder } from '../libs/router/feature/src/routing/health.recorder';
import { RedisRoutingState } from '../libs/router/feature/src/state/redis-routing-state';
import { cpuMsOf, pidsNamed } from './lib/process-cpu';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const MESSAGES = Number(process.env['BENCH_MESSAGES'] ?? 20_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const PROVIDERS = Number(process.env['BENCH_PROVIDERS'] ?? 4);
const ERROR_PERCENT = Number(process.env['BENCH_ERROR_PERCENT'] ?? 2);
const CONCURRENCY = 16;

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function status(messageId: string, provider: string, kind: StatusEventKind, source: StatusEventSource): ConsumedRecord {
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

  return { topic: TOPICS.status, partition: 0, offset: '0', key: messageId, value: event, headers: {}, attempt: 1 };
}

/** One message's records, in the order they reach the topic. */
function records(count: number): ConsumedRecord[] {
  const out: ConsumedRecord[] = [];
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

/** Up to CONCURRENCY handlers in flight, each record started in order when a slot frees. */
async function feed(recorder: HealthRecorder, batch: readonly ConsumedRecord[]): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < batch.length) {
      await recorder.handle(batch[next++]!);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
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
