/**
 * Intake's admission on Redis, alone: what the accept path's limits and pumping guard, and the status
 * consumer's spend correction, cost per message. For each of N messages: Admission.admit (REST path, as the
 * e2e bench sends: 40 GB recipients, account quotas without limits, a key without limits of its own, a
 * price book estimate) and Admission.reconcile of its `sent` event carrying a real cost that differs from
 * the estimate (as the simulator's does), CONC messages at a time. Prints per message: this process's CPU
 * (`process.cpuUsage`), `redis-server`'s (utime+stime from /proc, BENCH_REDIS_PID; Redis is shared, so other
 * tenants' load shows in it) and the Redis commands sent (counted at ioredis's `sendCommand`).
 *
 *   BENCH_REDIS_PID=$(pidof redis-server) node -r ./scripts/register.js bench/intake-admission.bench.ts
 *
 * Env (defaults): N 20000, CONC 16, ROUNDS 3, REDIS_URL (redis://127.0.0.1:6379). Uses only Admission's
 * public API, so the same file runs in a base checkout for an A/B.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { priceBookKey, RedisKeyValueStore } from '@sms/counters';
import { StatusEventKind, StatusEventSource, type StatusChangedV1 } from '@sms/contracts';
import { loadConfig } from '@sms/platform';
import Redis from 'ioredis';
import { Admission } from '../libs/intake/feature/src/limits/admission';
import { defaultAccountLimits } from '../libs/intake/feature/src/limits/limit-policy';
import type { AccountLimitSet, LimitsStore } from '../libs/intake/feature/src/limits/limits.store';
import { PriceBookReader } from '../libs/intake/feature/src/limits/price-book.reader';
import { PumpingGuard } from '../libs/intake/feature/src/limits/pumping-guard';
import { validateMessageRequest } from '../libs/intake/feature/src/messages/message-request.validator';

const N = Number(process.env['N'] ?? 20_000);
const CONC = Number(process.env['CONC'] ?? 16);
const ROUNDS = Number(process.env['ROUNDS'] ?? 3);
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const REDIS_PID = process.env['BENCH_REDIS_PID'];
const NS = `bench-admission:${randomUUID().slice(0, 8)}:`;
const ACCOUNT = randomUUID();
const KEY = randomUUID();

let commands = 0;
const sendCommand = Redis.prototype.sendCommand;
Redis.prototype.sendCommand = function counted(this: Redis, ...args: Parameters<Redis['sendCommand']>) {
  commands += 1;

  return sendCommand.apply(this, args);
};

const ownCpuMs = (): number => {
  const usage = process.cpuUsage();

  return (usage.user + usage.system) / 1000;
};

/** utime + stime of a process, ms (clock ticks of 10 ms). */
const processCpuMs = (pid: string | undefined): number => {
  if (!pid) {
    return 0;
  }
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];

  return (Number(fields[11]) + Number(fields[12])) * 10;
};

function admission(kv: RedisKeyValueStore): Admission {
  const unlimited = {
    ...defaultAccountLimits(loadConfig({}).intake.limits),
    messagesPerSecond: null,
    messagesPerDay: null,
    segmentsPerDay: null,
    spendPerDayMicros: null,
    spendPerMonthMicros: null,
  };
  const set: AccountLimitSet = { account: unlimited, stored: true, keys: new Map() };
  const limits = { forAccount: () => Promise.resolve(set) } as unknown as LimitsStore;
  const guard = new PumpingGuard(kv, {
    namespace: NS,
    windowMs: 600_000,
    sequentialRecipients: 50,
    prefixDigits: 3,
    highCostMicros: 1_000_000,
    highCostRecipients: 10,
    blockMs: 3_600_000,
  });

  return new Admission(kv, limits, new PriceBookReader(kv, NS, 'USD', 50_000), guard, {
    enabled: true,
    namespace: NS,
    currency: 'USD',
  });
}

const sentEvent = (messageId: string): StatusChangedV1 => ({
  eventId: randomUUID(),
  messageId,
  kind: StatusEventKind.Sent,
  source: StatusEventSource.SendWorker,
  attempt: 1,
  provider: 'twilio',
  providerMessageId: `SM${messageId.replace(/-/g, '')}`,
  errorCode: null,
  errorMessage: null,
  errorClass: null,
  ambiguous: null,
  cost: '0.0400',
  currency: 'USD',
  detail: null,
  occurredAt: new Date().toISOString(),
});

const messages = Array.from({ length: 40 }, (_, i) =>
  validateMessageRequest({ to: `+4474001234${String(i).padStart(2, '0')}`, body: 'Your code is 123456' }),
);

async function one(subject: Admission, index: number): Promise<void> {
  const messageId = randomUUID();
  const message = messages[index % messages.length];
  if (!message) {
    throw new Error('no message');
  }
  await subject.admit({ accountId: ACCOUNT, keyId: KEY, messageId, message }, 'rest');
  await subject.reconcile(sentEvent(messageId));
}

async function round(subject: Admission, count: number): Promise<{ own: number; redis: number; commands: number }> {
  const [own, redis, sent] = [ownCpuMs(), processCpuMs(REDIS_PID), commands];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONC }, async () => {
      while (next < count) {
        await one(subject, next++);
      }
    }),
  );

  return {
    own: (ownCpuMs() - own) / count,
    redis: (processCpuMs(REDIS_PID) - redis) / count,
    commands: (commands - sent) / count,
  };
}

async function main(): Promise<void> {
  const kv = new RedisKeyValueStore({ url: REDIS_URL });
  await kv.set(
    priceBookKey(NS),
    JSON.stringify({ maxPerSegmentMicros: { USD: { GB: 45_000 } }, publishedAt: '' }),
    3_600_000,
  );
  const subject = admission(kv);
  await round(subject, 2_000);
  console.log(`admission on Redis: N=${N} CONC=${CONC}, per message (admit + reconcile of a costed sent)`);
  for (let r = 1; r <= ROUNDS; r++) {
    const figures = await round(subject, N);
    console.log(
      `  round ${r}: process ${(figures.own * 1000).toFixed(1)} µs, redis-server ${(figures.redis * 1000).toFixed(1)} µs, ` +
        `Redis commands ${figures.commands.toFixed(2)}`,
    );
  }
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `sms:${NS}*`, 'COUNT', 1000);
    cursor = nextCursor;
    if (keys.length > 0) {
      await redis.del(...keys);
    }
  } while (cursor !== '0');
  await redis.quit();
  await kv.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
