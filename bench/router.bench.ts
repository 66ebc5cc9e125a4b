/**
 * Routing decision latency: cached (pool and health in memory) and cold (pool re-read from MariaDB and
 * health from Redis on every decision), plus the distributed path (cached decision + the Redis booking
 * of the sender's rate-limit slot). The cold path is the baseline the cache is measured against, in
 * the same run. Run alone: `node -r ./scripts/register.js bench/router.bench.ts`; `npm run bench` calls
 * `runRouterBench()`.
 *
 * The pool is the embedded seed plus 1,000 extra numbers over 5 providers and 3 countries, in a
 * throw-away MariaDB database (MYSQL_URL); Redis keys live under a unique prefix and are removed.
 * BENCH_ROUTER_CASES (default `cached,cold,booked`) runs only the named cases, e.g. to profile one.
 * Each case warms up on its own decisions for BENCH_ROUTER_WARMUP_S seconds (default 10, docs/performance.md's
 * "Bench hygiene") before its measured runs; with a few hundred warm-up decisions the cold case measured V8
 * optimizing the driver and decision code (the JIT's tier-up) as much as the decisions. BENCH_ROUTER_WARMUP
 * sets an exact number of warm-up decisions instead (a diagnostic).
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MessageClass } from '@sms/contracts';
import { createServiceDataSource } from '@sms/persistence';
import { ROUTER_ENTITIES, ROUTER_MIGRATIONS, seedRouterIfEmpty } from '@sms/router';
import { createTestDatabase } from '@sms/testing';
import Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import { migrate } from '../scripts/migrate';
import { PhoneNumberEntity } from '../libs/router/feature/src/database/entities/phone-number.entity';
import type { RouteRequest } from '../libs/router/feature/src/routing/decision/route-decider';
import { RoutingEngine } from '../libs/router/feature/src/routing/routing-engine';
import { SqlRoutePool } from '../libs/router/feature/src/routing/snapshot/sql-route-pool';
import { MemoryRoutingState } from '../libs/router/feature/src/state/memory-routing-state';
import { RedisRoutingState } from '../libs/router/feature/src/state/redis-routing-state';

export interface LatencyFigures {
  readonly name: string;
  readonly samples: number;
  /** Medians over the runs of each run's percentile, in microseconds of wall-clock time. */
  readonly p50Us: number;
  readonly p99Us: number;
  /**
   * The same in CPU time of this process (user + system): on a shared box the wall-clock tail is
   * mostly time the process spent waiting for a core, which this leaves out.
   */
  readonly cpuP50Us: number;
  readonly cpuP99Us: number;
}

export interface RouterBenchResult {
  readonly cached: LatencyFigures;
  readonly cold: LatencyFigures;
  readonly cachedWithRedisBooking: LatencyFigures;
  /** cold p99 / cached p99: what the cache buys. */
  readonly cacheSpeedup: number;
}

const RUNS = 5;
const WARMUP = process.env['BENCH_ROUTER_WARMUP'] === undefined ? null : Number(process.env['BENCH_ROUTER_WARMUP']);
const WARMUP_S = Number(process.env['BENCH_ROUTER_WARMUP_S'] ?? 10);
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const REQUESTS: RouteRequest[] = Array.from({ length: 4096 }, (_, i) => ({
  to: i % 3 === 0 ? `+1202555${String(1000 + (i % 9000)).padStart(4, '0')}` : `+447400${String(100_000 + i)}`,
  country: i % 3 === 0 ? 'US' : 'GB',
  from: null,
  segments: 1 + (i % 2),
  messageClass: i % 5 === 0 ? MessageClass.Marketing : MessageClass.Transactional,
  avoidProviders: [],
  pinProvider: null,
}));

/**
 * A full collection before each case: the cached case leaves ~100,000 sticky senders and timing arrays
 * behind, and without this the next case's tail measured that garbage's mark-compact, not itself.
 */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

async function measure(name: string, engine: RoutingEngine, samples: number): Promise<LatencyFigures> {
  collectGarbage();
  // Warm-up, not measured: at least WARMUP_S seconds of the case's own decisions (performance.md's bench
  // hygiene), so the driver and decision code is optimized before the clock runs, as in a router that has
  // been up a while; BENCH_ROUTER_WARMUP=<n> runs exactly n decisions instead.
  const warmUntil = performance.now() + WARMUP_S * 1_000;
  for (let i = 0; WARMUP === null ? i < Math.min(samples, 2_000) || performance.now() < warmUntil : i < WARMUP; i++) {
    await engine.route(REQUESTS[i % REQUESTS.length]!);
  }
  const p50s: number[] = [];
  const p99s: number[] = [];
  const cpuP50s: number[] = [];
  const cpuP99s: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const times: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < samples; i++) {
      const cpuStart = process.cpuUsage();
      const start = process.hrtime.bigint();
      await engine.route(REQUESTS[(run * samples + i) % REQUESTS.length]!);
      times.push(Number(process.hrtime.bigint() - start) / 1_000);
      const used = process.cpuUsage(cpuStart);
      cpu.push(used.user + used.system);
    }
    times.sort((a, b) => a - b);
    cpu.sort((a, b) => a - b);
    p50s.push(percentile(times, 0.5));
    p99s.push(percentile(times, 0.99));
    cpuP50s.push(percentile(cpu, 0.5));
    cpuP99s.push(percentile(cpu, 0.99));
    await new Promise((resolve) => setImmediate(resolve));
  }

  return {
    name,
    samples: samples * RUNS,
    p50Us: median(p50s),
    p99Us: median(p99s),
    cpuP50Us: median(cpuP50s),
    cpuP99Us: median(cpuP99s),
  };
}

async function seedBigPool(dataSource: DataSource): Promise<void> {
  await seedRouterIfEmpty(dataSource);
  const providers = ['twilio', 'vonage', 'sinch', 'aws', 'smpp'];
  const rows = Array.from({ length: 1_000 }, (_, i) => {
    const country = ['US', 'GB', 'DE'][i % 3]!;
    const prefix = country === 'US' ? '+1202556' : country === 'GB' ? '+4477009' : '+491551';

    return {
      number: `${prefix}${String(i).padStart(4, '0')}`,
      providerId: providers[i % providers.length]!,
      country,
      type: 'longcode' as const,
      capabilities: ['sms' as const],
      monthlyCost: '1.15',
      segmentsPerSecond: 1_000,
      active: true,
      createdAt: new Date(),
    };
  });
  await dataSource.getRepository(PhoneNumberEntity).insert(rows);
}

export async function runRouterBench(): Promise<RouterBenchResult> {
  const db = await createTestDatabase();
  const prefix = `sms-bench:router:${randomUUID().slice(0, 8)}:`;
  const redisState = new RedisRoutingState({ url: REDIS_URL, keyPrefix: prefix });
  let dataSource: DataSource | undefined;
  try {
    await migrate(db.url, ['router']);
    dataSource = await createServiceDataSource({
      service: 'router',
      database: { kind: 'mysql', url: db.url, poolSize: 4 },
      entities: ROUTER_ENTITIES,
      migrations: ROUTER_MIGRATIONS,
    }).initialize();
    await seedBigPool(dataSource);
    // The router's own loader: on a miss it reads the destination country's part of the pool.
    const load = new SqlRoutePool(dataSource);
    const long = { snapshotTtlMs: 3_600_000, healthTtlMs: 3_600_000 };

    const cases = (process.env['BENCH_ROUTER_CASES'] ?? 'cached,cold,booked').split(',');
    const skipped: LatencyFigures = {
      name: 'skipped',
      samples: 0,
      p50Us: NaN,
      p99Us: NaN,
      cpuP50Us: NaN,
      cpuP99Us: NaN,
    };
    const cached = cases.includes('cached')
      ? await measure('cached decision', new RoutingEngine(load, new MemoryRoutingState(), long), 20_000)
      : skipped;
    // TTLs of 0: every decision misses both caches, so each one reads its country from MariaDB and
    // health from Redis, then books its sender on Redis, as the first message after a cache expiry does.
    const cold = cases.includes('cold')
      ? await measure(
          'cold decision (pool from MariaDB, health from Redis)',
          new RoutingEngine(load, redisState, { snapshotTtlMs: 0, healthTtlMs: 0 }),
          300,
        )
      : skipped;
    const booked = cases.includes('booked')
      ? await measure('cached decision + Redis rate-limit booking', new RoutingEngine(load, redisState, long), 3_000)
      : skipped;

    return { cached, cold, cachedWithRedisBooking: booked, cacheSpeedup: cold.p99Us / cached.p99Us };
  } finally {
    await dataSource?.destroy();
    await redisState.close();
    await db.drop();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) {
      await redis.del(...keys);
    }
    redis.disconnect();
  }
}

export function formatRouter(result: RouterBenchResult): string {
  const line = (f: LatencyFigures) =>
    `  ${f.name.padEnd(52)} wall p50 ${f.p50Us.toFixed(1).padStart(8)} µs  p99 ${f.p99Us.toFixed(1).padStart(8)} µs` +
    ` | cpu p50 ${f.cpuP50Us.toFixed(0).padStart(5)} µs  p99 ${f.cpuP99Us.toFixed(0).padStart(5)} µs  (${f.samples})`;

  return [
    line(result.cached),
    line(result.cold),
    line(result.cachedWithRedisBooking),
    `  cache speed-up at p99: ${result.cacheSpeedup.toFixed(0)}x`,
  ].join('\n');
}

if (require.main === module) {
  runRouterBench().then(
    (result) => {
      console.log(
        `node ${process.version}, ${RUNS} runs, medians of each run's percentile, load average ${loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')}`,
      );
      console.log(formatRouter(result));
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
