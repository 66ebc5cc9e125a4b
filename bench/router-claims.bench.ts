/**
 * CPU per accepted message of the router's routing consumer (RouterConsumer over RoutingEngine and
 * RedisRoutingState: decode, cached decision, the Redis booking of the sender's slot, the dispatch handed
 * to the bus), in this process (process.cpuUsage) and in Redis (redis-server's utime+stime from /proc),
 * with the Redis commands and their arguments' bytes (keys before the client's prefix) sent per message. The pool is the e2e bench's shape: one provider's GB senders
 * (BENCH_SENDERS, 10,000 segments/s each) and BENCH_RECIPIENTS recipients, sticky senders on. The records
 * are `sms.accepted.v1` as intake's relay writes them (JSON text), run through the buses' shared
 * partition-batch processor with the group's concurrency (16), in partition batches of BENCH_BATCH. The
 * bus is a stub that counts the dispatches (kafkajs' cost is not what this measures). BENCH_ROUNDS rounds
 * of BENCH_MESSAGES messages after one warm-up round; medians printed. Redis is shared with other work:
 * compare medians of alternating runs.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 node -r ./scripts/register.js bench/router-claims.bench.ts
 */
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { type Bus, type BusRecord, silentBusLogger } from '@sms/bus';
import {
  DEFAULT_ACCOUNT_ID,
  Encoding,
  type MessageAcceptedV1,
  MessageClass,
  type StatusChangedV1,
  TOPICS,
} from '@sms/contracts';
import { processPartitionBatch, type RawRecord } from '../libs/shared/data-access-bus/src/partition-batch.processor';
import { NoRouteBacklog } from '../libs/router/feature/src/routing/no-route-backlog';
import { RouterConsumer } from '../libs/router/feature/src/routing/router.consumer';
import { RoutingEngine } from '../libs/router/feature/src/routing/routing-engine';
import { RoutingMetrics } from '../libs/router/feature/src/routing/routing-metrics';
import { poolNumber, poolRate } from '../libs/router/feature/src/routing/routing.fixtures';
import { buildRouteSnapshot, snapshotRoutePool } from '../libs/router/feature/src/routing/snapshot/route-snapshot';
import { RedisRoutingState } from '../libs/router/feature/src/state/redis-routing-state';
import { cpuMsOf, pidsNamed } from './lib/process-cpu';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const MESSAGES = Number(process.env['BENCH_MESSAGES'] ?? 10_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const SENDERS = Number(process.env['BENCH_SENDERS'] ?? 10);
const RECIPIENTS = Number(process.env['BENCH_RECIPIENTS'] ?? 40);
const BATCH = Number(process.env['BENCH_BATCH'] ?? 200);
const CONCURRENCY = 16;

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function accepted(i: number): RawRecord {
  const message: MessageAcceptedV1 = {
    messageId: randomUUID(),
    accountId: DEFAULT_ACCOUNT_ID,
    attempt: 1,
    to: `+4474001234${String(i % RECIPIENTS).padStart(2, '0')}`,
    from: null,
    country: 'GB',
    body: 'Your code is 123456',
    encoding: Encoding.Gsm7,
    segments: 1,
    messageClass: MessageClass.Transactional,
    validitySeconds: null,
    expiresAt: null,
    avoidProviders: [],
    pinProvider: null,
    acceptedAt: new Date().toISOString(),
  };

  return {
    topic: TOPICS.accepted,
    partition: 0,
    offset: String(i),
    key: message.messageId,
    value: JSON.stringify(message),
    headers: {},
  };
}

/** Counts what the consumer publishes; fails the bench on anything but dispatches. */
class CountingBus {
  dispatches = 0;

  publish(records: readonly BusRecord[]): Promise<void> {
    for (const record of records) {
      if (record.topic !== TOPICS.dispatch) {
        throw new Error(`unexpected ${record.topic}: ${(record.value as StatusChangedV1).errorMessage ?? ''}`);
      }
      this.dispatches++;
    }

    return Promise.resolve();
  }
}

async function feed(consumer: RouterConsumer, all: readonly RawRecord[]): Promise<void> {
  for (let i = 0; i < all.length; i += BATCH) {
    await processPartitionBatch(all.slice(i, i + BATCH), {
      handler: consumer.handle,
      maxAttempts: 1,
      concurrency: CONCURRENCY,
      backoff: { initialMs: 10, multiplier: 2, maxMs: 100, jitter: 0 },
      logger: silentBusLogger,
      shouldStop: () => false,
      onDone: () => undefined,
      deadLetter: async ({ record }) => {
        throw new Error(`dead letter at offset ${record.offset}`);
      },
      heartbeat: async () => undefined,
      sleep: async () => true,
    });
  }
}

function engineOver(state: RedisRoutingState): RoutingEngine {
  const numbers = Array.from({ length: SENDERS }, (_, i) =>
    poolNumber(`+4477009${String(i).padStart(5, '0')}`, 'twilio', 'GB', 'longcode', 10_000),
  );
  const snapshot = buildRouteSnapshot(['twilio'], numbers, [poolRate('twilio', 'GB', '0.0400')], [], false);

  return new RoutingEngine(
    snapshotRoutePool(() => snapshot),
    state,
  );
}

async function main(): Promise<void> {
  const prefix = `sms-bench:claims:${randomUUID().slice(0, 8)}:`;
  const state = new RedisRoutingState({ url: REDIS_URL, keyPrefix: prefix });
  const metrics = new RoutingMetrics();
  const bus = new CountingBus();
  const backlog = new NoRouteBacklog(metrics, {
    baseDelayMs: 1_000,
    maxDelayMs: 30_000,
    capacity: 1_000,
    maxWaitMs: 60_000,
  });
  const consumer = new RouterConsumer(engineOver(state), bus as unknown as Bus, backlog, metrics);
  const redisPids = pidsNamed('redis-server');
  let commands = 0;
  let bytes = 0;
  const sendCommand = Redis.prototype.sendCommand;
  Redis.prototype.sendCommand = function (this: Redis, ...args: Parameters<Redis['sendCommand']>) {
    commands++;
    for (const arg of (args[0] as unknown as { args: unknown[] }).args) {
      bytes += typeof arg === 'string' ? Buffer.byteLength(arg) : 0;
    }

    return sendCommand.apply(this, args);
  };

  const rows: { ownUs: number; redisUs: number; commands: number; bytes: number }[] = [];
  try {
    for (let round = 0; round <= ROUNDS; round++) {
      const records = Array.from({ length: MESSAGES }, (_, i) => accepted(i));
      bus.dispatches = 0;
      const redisBefore = redisPids.reduce((sum, pid) => sum + cpuMsOf(pid), 0);
      const before = process.cpuUsage();
      commands = 0;
      bytes = 0;
      await feed(consumer, records);
      const used = process.cpuUsage(before);
      const redisMs = redisPids.reduce((sum, pid) => sum + cpuMsOf(pid), 0) - redisBefore;
      if (bus.dispatches !== MESSAGES) {
        throw new Error(`${bus.dispatches} dispatches for ${MESSAGES} messages`);
      }
      if (round === 0) {
        continue; // warm-up: JIT, script load, the snapshot and health caches
      }
      const row = {
        ownUs: (used.user + used.system) / MESSAGES,
        redisUs: (redisMs * 1000) / MESSAGES,
        commands: commands / MESSAGES,
        bytes: bytes / MESSAGES,
      };
      rows.push(row);
      console.log(
        `round ${round}: ${MESSAGES} messages, router ${row.ownUs.toFixed(1)} µs/message, ` +
          `redis ${row.redisUs.toFixed(1)} µs/message, ${row.commands.toFixed(3)} Redis commands/message, ` +
          `${row.bytes.toFixed(0)} argument bytes/message`,
      );
    }
    console.log(
      `median of ${ROUNDS}: router ${median(rows.map((r) => r.ownUs)).toFixed(1)} µs/message, ` +
        `redis ${median(rows.map((r) => r.redisUs)).toFixed(1)} µs/message, ` +
        `${median(rows.map((r) => r.commands)).toFixed(3)} Redis commands/message, ` +
        `${median(rows.map((r) => r.bytes)).toFixed(0)} argument bytes/message`,
    );
  } finally {
    Redis.prototype.sendCommand = sendCommand;
    await consumer.stop();
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
