/**
 * `POST /v1/messages` at a constant arrival rate, for three targets in one run so they share the
 * machine's state: a bare Fastify endpoint (the floor), the embedded gateway, and the distributed gateway
 * (seven services + simulator on Kafka, MariaDB and Redis, all on this box).
 *
 * For each target: an ascending rate ladder (single short runs) up to the first rate that is not sustained
 * (errors > 1%, p99 > 250 ms or achieved < 95% of offered), one midpoint refinement, BENCH_REPEATS
 * confirmation runs at the best sustained rate, and last the latency at BENCH_LATENCY_RATE (3,000/s),
 * BENCH_REPEATS times. Overload comes last on purpose: the real pipeline behind intake keeps working off an
 * overloaded run's backlog, which would bill every later run (a drain step waits for it between phases).
 * Medians are reported. Server, generator, Kafka, MariaDB and Redis CPU are read from /proc per window.
 *
 *   node -r ./scripts/register.js bench/intake.bench.ts        (or `npm run bench -- --only=intake`)
 *
 * Env (defaults): BENCH_DURATION_S 10, BENCH_WARMUP_S 3, BENCH_INITIAL_WARMUP_S 5, BENCH_STEP_S 4,
 * BENCH_REPEATS 3, BENCH_LATENCY_RATE 3000, BENCH_RATES 250,500,1000,2000,3000,5000,7000,10000,14000,20000,28000,
 * BENCH_TARGETS bare,embedded,distributed, BENCH_CONNECTIONS 64, BENCH_MAX_IN_FLIGHT 2000, BENCH_TIMEOUT_MS 2000,
 * BENCH_PIN 1 (server on core 0, generator on core 1), BENCH_NICE 0 (e.g. -10 on a shared box: servers, generator
 * and the bench's broker), BENCH_MAX_OTHER_PCT 50 and BENCH_RETRIES 1 (re-measure a run other work disturbed),
 * BENCH_QUIET_WAIT_S 30, BENCH_DRAIN_S 15, BENCH_KAFKA own|shared, BENCH_KAFKA_PORT 19392 (own broker),
 * KAFKA_BROKERS (shared), BENCH_PORT_OFFSET 400, BENCH_MYSQL_URL (a database it drops and recreates,
 * default sms_bench; dropped again at the end unless BENCH_KEEP_DB=1), BENCH_REDIS_URL.
 */
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { startDistributed, type DistributedTopology } from '../scripts/distributed';
import { startBareFastify } from './lib/bare-fastify';
import { type ConstantRateOptions, type ConstantRateResult, LoadGeneratorProcess } from './lib/constant-rate';
import {
  type ConsumerLag,
  dropDatabase,
  ensureKafka,
  type KafkaHandle,
  LagReader,
  messageStatusCounts,
  prepareDatabase,
  startOwnKafka,
} from './lib/infra';
import {
  canPin,
  type CpuReport,
  CpuSampler,
  freePort,
  listeningPids,
  onInterrupt,
  setNice,
  startServer,
} from './lib/processes';

export type TargetName = 'bare' | 'embedded' | 'distributed';

export const TARGET_LABELS: Record<TargetName, string> = {
  bare: 'bare Fastify',
  embedded: 'embedded gateway',
  distributed: 'distributed gateway',
};

export interface IntakeBenchOptions {
  readonly targets: readonly TargetName[];
  readonly durationS: number;
  readonly warmUpS: number;
  readonly initialWarmUpS: number;
  readonly stepS: number;
  readonly repeats: number;
  readonly latencyRate: number;
  readonly rates: readonly number[];
  readonly connections: number;
  readonly maxInFlight: number;
  readonly timeoutMs: number;
  readonly pin: boolean;
  readonly portOffset: number;
  readonly mysqlUrl: string;
  readonly redisUrl: string;
  readonly kafkaBrokers: string;
  /** 'own': a broker of the bench's own on kafkaPort (default); 'shared': kafkaBrokers, started if absent. */
  readonly kafkaMode: 'own' | 'shared';
  readonly kafkaPort: number;
  readonly quietWaitS: number;
  readonly drainS: number;
  /** Nice value for the servers, the generator and a broker the bench started; 0 leaves priorities alone. */
  readonly nice: number;
  /** A run during which other work used more than this (% of one core) is repeated, up to `retries` times. */
  readonly maxOtherPct: number;
  readonly retries: number;
  /** A broker the caller already ensured (run.ts shares it with the bus bench). */
  readonly kafka?: KafkaHandle;
  readonly log: (line: string) => void;
}

/** The issue's limits for "sustained": beyond any of these the rate is not one the target can hold. */
export const SUSTAINED = { maxErrorRate: 0.01, maxP99Ms: 250, minAchievedRatio: 0.95 } as const;

export interface Measurement extends ConstantRateResult {
  readonly cpu?: CpuReport;
  /**
   * Right after the window: consumer lag on the gateway's topics (distributed) or ledger rows not yet at the
   * provider (embedded). A growing figure means intake is outrunning the pipeline behind it.
   */
  readonly lagAfter?: ConsumerLag;
  /** How fast that backlog grew over the run (warm-up included), per second: offered minus what went end-to-end. */
  readonly backlogGrowthPerS?: number;
  /** Other work on the box used more than BENCH_MAX_OTHER_PCT during the window, even after a retry. */
  readonly contended?: boolean;
}

export interface Summary {
  readonly offeredRate: number;
  readonly achievedRate: number;
  readonly errorRate: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  /** Median share of scheduled requests answered 2xx in time. */
  readonly served: number;
  readonly sustained: boolean;
  /** Median CPU per process over the runs, percent of one core. */
  readonly cpu: Record<string, number>;
  readonly runs: readonly Measurement[];
}

export interface TargetResult {
  readonly name: TargetName;
  readonly label: string;
  readonly pinning: string;
  readonly latency?: Summary;
  readonly ladder: readonly Measurement[];
  /** The best sustained rate, re-measured BENCH_REPEATS times. */
  readonly max?: Summary;
  /** The ladder never failed: the real ceiling is above (and may be the generator's). */
  readonly ceilingNotReached: boolean;
  readonly notes: string[];
  readonly error?: string;
}

export interface IntakeBenchResult {
  readonly options: Omit<IntakeBenchOptions, 'kafka' | 'log' | 'mysqlUrl'>;
  readonly targets: readonly TargetResult[];
}

const num = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);

  return process.env[name] !== undefined && Number.isFinite(value) ? value : fallback;
};

export function intakeOptionsFromEnv(
  log: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): IntakeBenchOptions {
  const env = process.env;

  return {
    targets: (env['BENCH_TARGETS'] ?? 'bare,embedded,distributed').split(',').map((t) => t.trim()) as TargetName[],
    durationS: num('BENCH_DURATION_S', 10),
    warmUpS: num('BENCH_WARMUP_S', 3),
    initialWarmUpS: num('BENCH_INITIAL_WARMUP_S', 5),
    stepS: num('BENCH_STEP_S', 4),
    repeats: num('BENCH_REPEATS', 3),
    latencyRate: num('BENCH_LATENCY_RATE', 3_000),
    rates: (env['BENCH_RATES'] ?? '250,500,1000,2000,3000,5000,7000,10000,14000,20000,28000').split(',').map(Number),
    connections: num('BENCH_CONNECTIONS', 64),
    maxInFlight: num('BENCH_MAX_IN_FLIGHT', 2_000),
    timeoutMs: num('BENCH_TIMEOUT_MS', 2_000),
    pin: env['BENCH_PIN'] !== '0',
    portOffset: num('BENCH_PORT_OFFSET', 400),
    mysqlUrl: env['BENCH_MYSQL_URL'] ?? 'mysql://root@127.0.0.1:3306/sms_bench',
    redisUrl: env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    kafkaBrokers: env['KAFKA_BROKERS'] ?? '127.0.0.1:9092',
    kafkaMode: env['BENCH_KAFKA'] === 'shared' ? 'shared' : 'own',
    kafkaPort: num('BENCH_KAFKA_PORT', 19392),
    quietWaitS: num('BENCH_QUIET_WAIT_S', 30),
    drainS: num('BENCH_DRAIN_S', 15),
    nice: num('BENCH_NICE', 0),
    maxOtherPct: num('BENCH_MAX_OTHER_PCT', 50),
    retries: num('BENCH_RETRIES', 1),
    log,
  };
}

const BODY = JSON.stringify({ to: '+447400123456', body: 'Your code is 123456' });
/**
 * The bench offers one key's traffic far above any account's default quota: quotas are off (0 = none) so
 * it measures capacity, while the admission step itself (permissions, pumping guard, counters) still runs.
 */
const UNLIMITED_QUOTAS = {
  LIMITS_MESSAGES_PER_SECOND: '0',
  LIMITS_MESSAGES_PER_DAY: '0',
  LIMITS_SEGMENTS_PER_DAY: '0',
  LIMITS_SPEND_PER_DAY: '0',
  LIMITS_SPEND_PER_MONTH: '0',
};

interface RunningTarget {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly pids: () => Record<string, number | undefined>;
  readonly pinning: string;
  readonly notes: string[];
  readonly lag?: () => Promise<ConsumerLag>;
  stop(): Promise<void>;
}

const median = (values: readonly number[]): number => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) {
    return Number.NaN;
  }
  const mid = Math.floor(sorted.length / 2);

  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** 2xx answers (in time) per request scheduled in the window. */
const servedRatio = (m: Pick<ConstantRateResult, 'ok' | 'scheduled'>): number =>
  m.scheduled === 0 ? 0 : m.ok / m.scheduled;

export const isSustained = (
  m: Pick<ConstantRateResult, 'errorRate' | 'p99' | 'achievedRate' | 'offeredRate'> & { readonly served: number },
): boolean =>
  m.errorRate <= SUSTAINED.maxErrorRate &&
  Number.isFinite(m.p99) &&
  m.p99 <= SUSTAINED.maxP99Ms &&
  // Completions inside a short window at a low rate are a few requests either way of the offered count, so
  // a run that answered (nearly) every request it scheduled, in time, also counts as keeping up.
  (m.achievedRate >= SUSTAINED.minAchievedRatio * m.offeredRate || m.served >= 1 - SUSTAINED.maxErrorRate);

const roundTo5 = (n: number): number => Math.round(n / 5) * 5;

const sustained = (m: Measurement): boolean => isSustained({ ...m, served: servedRatio(m) });

function summarise(runs: readonly Measurement[]): Summary {
  const pick = (f: (m: Measurement) => number): number => median(runs.map(f));
  const names = new Set(runs.flatMap((r) => Object.keys(r.cpu?.perProcess ?? {})));
  const cpu: Record<string, number> = {};
  for (const name of names) {
    cpu[name] = median(runs.map((r) => r.cpu?.perProcess[name] ?? Number.NaN));
  }
  cpu['(generator)'] = pick((m) => m.generatorCpuPct);
  cpu['(machine)'] = pick((m) => m.cpu?.machine ?? Number.NaN);
  cpu['(unaccounted)'] = pick((m) => m.cpu?.unaccounted ?? Number.NaN);
  const summary = {
    offeredRate: runs[0]?.offeredRate ?? 0,
    achievedRate: pick((m) => m.achievedRate),
    errorRate: pick((m) => m.errorRate),
    p50: pick((m) => m.p50),
    p90: pick((m) => m.p90),
    p99: pick((m) => m.p99),
    max: pick((m) => m.max),
    served: pick(servedRatio),
    cpu,
    runs,
  };

  return { ...summary, sustained: isSustained(summary) };
}

/**
 * Waits (up to `maxWaitS`) until processes other than `ours` use less than a third of a core: other
 * tenants' builds and tests on a shared 2-core box would otherwise be billed to the target. Returns that
 * outside load, percent of one core, as last seen.
 */
async function waitForQuiet(
  options: IntakeBenchOptions,
  ours: () => Record<string, number | undefined>,
  maxWaitS: number,
): Promise<number> {
  const outside = async (): Promise<number> => {
    const sampler = new CpuSampler(ours);
    sampler.begin();
    await new Promise((resolve) => setTimeout(resolve, 500));

    return sampler.end()?.unaccounted ?? 0;
  };
  const deadline = Date.now() + maxWaitS * 1_000;
  let busy = await outside();
  let told = false;
  while (busy > QUIET_PCT && Date.now() < deadline) {
    if (!told) {
      options.log(
        `    (other work is using ${busy.toFixed(0)}% of a core; waiting up to ${maxWaitS} s for it to settle)`,
      );
      told = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    busy = await outside();
  }

  return busy;
}

const QUIET_PCT = 35;
/** Above this the generator itself may be what stops the ladder, not the target. */
const GENERATOR_BOUND_PCT = 85;

/** Messages accepted but not yet handed to the provider (queued, sending), read from the embedded SQLite ledger. */
function embeddedBacklog(ledger: string): ConsumerLag {
  const db = new Database(ledger, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT status, COUNT(*) AS n FROM sms_messages GROUP BY status').all() as {
      status: string;
      n: number;
    }[];
    const byGroup = Object.fromEntries(rows.map((r) => [r.status, r.n]));

    return { total: (byGroup['queued'] ?? 0) + (byGroup['sending'] ?? 0), byGroup };
  } finally {
    db.close();
  }
}

function infraPids(kafka: KafkaHandle): Record<string, number | undefined> {
  const kafkaPort = Number(kafka.brokers.split(',')[0]?.split(':')[1] ?? 9092);
  const found = listeningPids({ mariadb: 3306, redis: 6379, kafka: kafkaPort });

  return kafka.pid === undefined ? found : { ...found, kafka: kafka.pid };
}

/** The broker the distributed target uses, per BENCH_KAFKA; the caller stops it. */
export async function kafkaFor(options: IntakeBenchOptions): Promise<KafkaHandle> {
  const kafka =
    options.kafkaMode === 'own'
      ? await startOwnKafka(options.kafkaPort, options.log)
      : await ensureKafka(options.kafkaBrokers, options.log);
  if (kafka.startedByUs && options.nice !== 0) {
    setNice(kafka.pid, options.nice);
  }

  return kafka;
}

async function startTarget(name: TargetName, options: IntakeBenchOptions): Promise<RunningTarget> {
  const serverCpus = options.pin ? '0' : undefined;
  const pinnedNote = options.pin ? 'server on core 0, generator on core 1' : 'unpinned';
  const json = { 'content-type': 'application/json' };
  if (name === 'bare') {
    const server = await startBareFastify(await freePort(), serverCpus);
    setNice(server.child.pid, options.nice);

    return {
      url: server.url,
      headers: { ...json, authorization: 'Bearer unused-by-the-baseline' },
      pids: () => ({ 'bare-fastify': server.child.pid }),
      pinning: pinnedNote,
      notes: [],
      stop: () => server.stop(),
    };
  }
  if (name === 'embedded') {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sms-bench-embedded-'));
    const key = `smsgw_bench_${randomBytes(16).toString('hex')}`;
    const server = await startServer(
      'embedded',
      'apps/gateway/src/main.ts',
      {
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        SMS_GATEWAY_API_KEY: key,
        SMPP_SIM_PORT: '0',
        ...UNLIMITED_QUOTAS,
      },
      await freePort(),
      serverCpus,
    );
    setNice(server.child.pid, options.nice);

    const ledger = path.join(dataDir, 'intake.sqlite');

    return {
      url: server.url,
      headers: { ...json, authorization: `Bearer ${key}` },
      pids: () => ({ 'embedded-gateway': server.child.pid }),
      // The embedded pipeline has no consumer lag to read: its backlog is the ledger rows not yet at the provider.
      lag: async () => embeddedBacklog(ledger),
      pinning: pinnedNote,
      notes: ['one process: API, SQLite ledger, outbox, in-process bus, send worker, simulator and DLR path'],
      stop: async () => {
        await server.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }

  const kafka = options.kafka ?? (await kafkaFor(options));
  const forgetKafka = options.kafka ? () => undefined : onInterrupt(() => kafka.stop());
  const key = await prepareDatabase(options.mysqlUrl);
  const output: string[] = [];
  let topology: DistributedTopology;
  try {
    topology = await startDistributed({
      mysqlUrl: options.mysqlUrl,
      redisUrl: options.redisUrl,
      kafkaBrokers: kafka.brokers,
      portOffset: options.portOffset,
      logLevel: 'warn',
      extraEnv: UNLIMITED_QUOTAS,
      onOutput: (service, line) => {
        output.push(`[${service}] ${line}`);
        if (output.length > 200) {
          output.shift();
        }
      },
    });
  } catch (error) {
    if (!options.kafka) {
      await kafka.stop();
      forgetKafka();
    }
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${output.slice(-30).join('\n')}`);
  }
  const lagReader = new LagReader(kafka.brokers);
  const infra = infraPids(kafka);
  const forgetTopology = onInterrupt(() => topology.stop(2_000));
  for (const p of topology.processes) {
    setNice(p.child.pid, options.nice);
  }

  return {
    url: topology.intakeUrl,
    headers: { ...json, authorization: `Bearer ${key}` },
    pids: () => ({
      ...Object.fromEntries(topology.processes.map((p) => [p.name, p.child.pid])),
      ...infra,
    }),
    // startDistributed spawns the services itself; they share both cores with Kafka, MariaDB and Redis,
    // as they would on the real 2-core box. Only the generator is held to core 1.
    pinning: options.pin ? 'services unpinned (both cores), generator on core 1' : 'unpinned',
    notes: [
      'every accepted message really flows intake → router → send-worker → simulator → dlr-ingest → ' +
        'dlr-processor → intake, so the simulator and the receipt path burn CPU on the same 2 cores meanwhile',
    ],
    lag: () => lagReader.read(),
    stop: async () => {
      try {
        const counts = await messageStatusCounts(options.mysqlUrl);
        options.log(`  ledger by status at the end: ${JSON.stringify(counts)}`);
      } catch {
        // the ledger summary is informative only
      }
      await lagReader.close();
      await topology.stop();
      forgetTopology();
      if (process.env['BENCH_KEEP_DB'] !== '1') {
        await dropDatabase(options.mysqlUrl).catch(() => undefined);
      }
      if (!options.kafka) {
        await kafka.stop();
        forgetKafka();
      }
      const errors = output.filter((l) => /"level":(50|60)|"level":"(error|fatal)"/.test(l));
      if (errors.length > 0) {
        options.log(`  service errors (last 5 of ${errors.length}):\n    ${errors.slice(-5).join('\n    ')}`);
      }
    },
  };
}

const fmtRate = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
const fmtMs = (n: number): string => (Number.isFinite(n) ? (n < 10 ? n.toFixed(2) : n.toFixed(1)) : '-');
const fmtPct = (n: number): string => `${(n * 100).toFixed(n > 0 && n < 0.001 ? 3 : 1)}%`;

export function describeRun(m: Measurement): string {
  const cpu = Object.entries(m.cpu?.perProcess ?? {})
    .filter(([, v]) => v >= 3)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v.toFixed(0)}%`)
    .join(', ');
  const growth = m.backlogGrowthPerS;
  const lag = m.lagAfter
    ? ` backlog ${m.lagAfter.total}${growth === undefined ? '' : ` (${growth >= 0 ? '+' : ''}${growth.toFixed(0)}/s)`}`
    : '';

  return (
    `offered ${fmtRate(m.offeredRate)}/s achieved ${fmtRate(m.achievedRate)}/s err ${fmtPct(m.errorRate)} ` +
    `p50 ${fmtMs(m.p50)} p90 ${fmtMs(m.p90)} p99 ${fmtMs(m.p99)} max ${fmtMs(m.max)} ms | ` +
    `gen ${m.generatorCpuPct.toFixed(0)}% lag≤${m.sendLagMaxMs.toFixed(0)}ms | cpu ${cpu} | machine ` +
    `${(m.cpu?.machine ?? Number.NaN).toFixed(0)}% other ${(m.cpu?.unaccounted ?? Number.NaN).toFixed(0)}%${lag}` +
    (sustained(m) ? '' : '  ✗ not sustained') +
    (m.contended ? '  (contended)' : '') +
    (m.generatorCpuPct > GENERATOR_BOUND_PCT ? '  (generator near a full core: client-bound?)' : '')
  );
}

async function measure(
  generator: LoadGeneratorProcess,
  target: RunningTarget,
  rate: number,
  durationS: number,
  warmUpS: number,
  options: IntakeBenchOptions,
): Promise<Measurement> {
  const ours = (): Record<string, number | undefined> => ({ ...target.pids(), generator: generator.pid });
  for (let attempt = 0; ; attempt++) {
    const measurement = await measureOnce(generator, target, rate, durationS, warmUpS, options, ours);
    const other = measurement.cpu?.unaccounted ?? 0;
    if (other <= options.maxOtherPct) {
      return measurement;
    }
    if (attempt >= options.retries) {
      options.log(`    (other work used ${other.toFixed(0)}% of a core during this run; kept, flagged as contended)`);

      return { ...measurement, contended: true };
    }
    options.log(`    (other work used ${other.toFixed(0)}% of a core during this run; measuring again)`);
  }
}

async function measureOnce(
  generator: LoadGeneratorProcess,
  target: RunningTarget,
  rate: number,
  durationS: number,
  warmUpS: number,
  options: IntakeBenchOptions,
  ours: () => Record<string, number | undefined>,
): Promise<Measurement> {
  await waitForQuiet(options, ours, Math.min(options.quietWaitS, 10));
  const sampler = new CpuSampler(ours);
  let cpu: CpuReport | undefined;
  const lagBefore = target.lag ? await target.lag().catch(() => undefined) : undefined;
  const startedAt = performance.now();
  const runOptions: ConstantRateOptions = {
    origin: target.url,
    path: '/v1/messages',
    method: 'POST',
    headers: target.headers,
    body: BODY,
    rate,
    durationS,
    warmUpS,
    connections: options.connections,
    maxInFlight: options.maxInFlight,
    timeoutMs: options.timeoutMs,
  };
  const result = await generator.run(runOptions, {
    onWindow: (phase) => {
      if (phase === 'start') {
        sampler.begin();
      } else {
        cpu = sampler.end();
      }
    },
  });
  const lagAfter = target.lag ? await target.lag().catch(() => undefined) : undefined;
  const backlogGrowthPerS =
    lagBefore && lagAfter ? (lagAfter.total - lagBefore.total) / ((performance.now() - startedAt) / 1_000) : undefined;
  const measurement: Measurement = { ...result, cpu, lagAfter, backlogGrowthPerS };
  options.log(`    ${describeRun(measurement)}`);

  return measurement;
}

/**
 * Lets the target work off what an overloaded run left (queued sends, receipts, status updates), so that
 * backlog is not billed to the next run. The distributed target is watched through its consumer lag, the
 * single-process ones through their CPU. Gives up early when the backlog stops shrinking, and after
 * BENCH_DRAIN_S in any case; what is left is logged.
 */
async function drain(target: RunningTarget, options: IntakeBenchOptions): Promise<void> {
  if (options.drainS <= 0) {
    return;
  }
  const backlog = async (): Promise<{ value: number; detail: string } | undefined> => {
    if (target.lag) {
      const lag = await target.lag().catch(() => undefined);

      return lag && { value: lag.total / DRAINED_LAG, detail: `backlog ${lag.total} ${JSON.stringify(lag.byGroup)}` };
    }
    const sampler = new CpuSampler(target.pids);
    sampler.begin();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const busy = Object.values(sampler.end()?.perProcess ?? {}).reduce((a, b) => a + b, 0);

    return { value: busy / SETTLED_CPU_PCT, detail: `server still busy at ${busy.toFixed(0)}% of a core with no load` };
  };
  const deadline = Date.now() + options.drainS * 1_000;
  let now = await backlog();
  let best = now?.value ?? 0;
  let lastProgress = Date.now();
  while (now && now.value > 1 && Date.now() < deadline && Date.now() - lastProgress < 5_000) {
    if (target.lag) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    now = await backlog();
    if (now && now.value < best * 0.95) {
      best = now.value;
      lastProgress = Date.now();
    }
  }
  if (now && now.value > 1) {
    options.log(`    (${now.detail} before the next run)`);
  }
}

/** Below these a target counts as drained: consumer lag in records, idle CPU in % of one core. */
const DRAINED_LAG = 500;
const SETTLED_CPU_PCT = 20;

/** So far past capacity that repeating it only adds backlog: the first run is reported alone. */
const farBeyond = (m: Measurement): boolean => m.errorRate > 0.5 || m.achievedRate < 0.5 * m.offeredRate;

async function repeated(
  generator: LoadGeneratorProcess,
  target: RunningTarget,
  rate: number,
  options: IntakeBenchOptions,
  notes: string[],
): Promise<Summary> {
  const runs: Measurement[] = [];
  for (let i = 0; i < options.repeats; i++) {
    // Back-to-back repeats at the same rate are already warm: a 1 s settle replaces the full warm-up.
    const run = await measure(generator, target, rate, options.durationS, i === 0 ? options.warmUpS : 1, options);
    runs.push(run);
    if (farBeyond(run) && i + 1 < options.repeats) {
      notes.push(`${fmtRate(rate)}/s is far beyond capacity: measured once instead of ${options.repeats} times`);
      break;
    }
  }

  return summarise(runs);
}

async function benchTarget(
  name: TargetName,
  generator: LoadGeneratorProcess,
  options: IntakeBenchOptions,
): Promise<TargetResult> {
  const label = TARGET_LABELS[name];
  options.log(`\n== ${label} ==`);
  const busy = await waitForQuiet(options, () => ({ generator: generator.pid }), options.quietWaitS);
  const notes: string[] = [];
  if (busy > QUIET_PCT) {
    notes.push(
      `machine was ${busy.toFixed(0)}% busy (of one core) before the start: other work on the box skews this target`,
    );
  }
  const started = Date.now();
  let target: RunningTarget;
  try {
    target = await startTarget(name, options);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    options.log(`  could not start: ${message}`);

    return { name, label, pinning: '-', ladder: [], ceilingNotReached: false, notes, error: message };
  }
  options.log(`  up in ${((Date.now() - started) / 1_000).toFixed(1)} s at ${target.url} (${target.pinning})`);
  if (target.lag) {
    // A shared broker may hold other runs' records in the services' fixed consumer groups: they will be
    // consumed (and cost CPU) during this bench.
    const initial = await target.lag().catch(() => undefined);
    if (initial && initial.total > 0) {
      notes.push(
        `consumer lag before any load: ${initial.total} ${JSON.stringify(initial.byGroup)} (earlier runs' records)`,
      );
      options.log(`  consumer lag before any load: ${initial.total} ${JSON.stringify(initial.byGroup)}`);
    }
  }
  notes.push(...target.notes);
  const ladder: Measurement[] = [];
  let latency: Summary | undefined;
  let max: Summary | undefined;
  let ceilingNotReached = false;
  try {
    // Low enough that the slowest target is not already overloaded (its backlog would bill the first runs).
    const warmUpRate = Math.min(...options.rates);
    options.log(`  warm-up: ${options.initialWarmUpS} s at ${fmtRate(warmUpRate)}/s`);
    await generator.run({
      origin: target.url,
      path: '/v1/messages',
      headers: target.headers,
      body: BODY,
      rate: warmUpRate,
      durationS: 0.5,
      warmUpS: options.initialWarmUpS,
      connections: options.connections,
      maxInFlight: options.maxInFlight,
      timeoutMs: options.timeoutMs,
    });

    // Ascending, so the target meets overload only at the last rung: a backlog left by an overloaded run
    // (the real pipeline behind intake keeps working on it) would otherwise bill every run after it.
    const rates = [...options.rates].sort((a, b) => a - b);
    let best = 0;
    let firstFailed: number | undefined;
    options.log(`  ladder (${options.stepS} s per step):`);
    for (const rate of rates) {
      const step = await measure(generator, target, rate, options.stepS - 1, 1, options);
      ladder.push(step);
      if (!sustained(step)) {
        firstFailed = rate;
        break;
      }
      best = rate;
    }
    const failedStep = ladder.find((m) => !sustained(m));
    if (failedStep && failedStep.generatorCpuPct > GENERATOR_BOUND_PCT) {
      notes.push("the generator used most of its core at the failing step: the ceiling may be the client's");
    }
    if (best === 0 && firstFailed !== undefined) {
      // Not even the lowest rung held: halve down so a slow target still gets a figure.
      for (let rate = roundTo5(firstFailed / 2); rate >= 50 && best === 0; rate = roundTo5(rate / 2)) {
        await drain(target, options);
        const step = await measure(generator, target, rate, options.stepS - 1, 1, options);
        ladder.push(step);
        if (sustained(step)) {
          best = rate;
        }
      }
    } else if (firstFailed === undefined) {
      ceilingNotReached = true;
      notes.push(`sustained every ladder rate up to ${fmtRate(best)}/s: the ceiling is higher (or the generator's)`);
    } else if (firstFailed - best > Math.max(250, best * 0.2)) {
      // One midpoint between the last rung that held and the first that did not, rounded to 250/s (50/s low down).
      const grain = firstFailed > 1_000 ? 250 : 50;
      const mid = Math.round((best + firstFailed) / 2 / grain) * grain;
      await drain(target, options);
      const step = await measure(generator, target, mid, options.stepS - 1, 1, options);
      ladder.push(step);
      if (sustained(step)) {
        best = mid;
      }
    }

    if (best > 0 && best !== options.latencyRate) {
      await drain(target, options);
      options.log(`  max sustained: confirming ${fmtRate(best)}/s, ${options.repeats} × ${options.durationS} s:`);
      max = await repeated(generator, target, best, options, notes);
    } else if (best === 0) {
      notes.push('no ladder rate was sustained');
    }

    await drain(target, options);
    const beyond = best < options.latencyRate;
    options.log(
      `  latency at ${fmtRate(options.latencyRate)}/s, ${options.repeats} × ${options.durationS} s` +
        `${beyond ? ' (above the sustained rate)' : ''}:`,
    );
    latency = await repeated(generator, target, options.latencyRate, options, notes);
    if (best === options.latencyRate) {
      max = latency;
    }
    const growth = median((max?.runs ?? []).map((r) => r.backlogGrowthPerS ?? Number.NaN));
    if (max && Number.isFinite(growth) && growth > 0.05 * max.offeredRate) {
      notes.push(
        `at ${fmtRate(max.offeredRate)}/s the pipeline behind intake fell behind: its backlog grew ` +
          `~${fmtRate(growth)}/s, so only ~${fmtRate(Math.max(0, max.offeredRate - growth))}/s went on to the ` +
          'provider; intake holds that rate only while the backlog grows',
      );
    }
    if (max && !max.sustained) {
      notes.push(`the median of the confirmation runs at ${fmtRate(best)}/s did not hold; reported as measured`);
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    options.log(`  failed: ${message}`);
    notes.push(`failed: ${message}`);
  } finally {
    await target.stop();
  }

  return { name, label, pinning: target.pinning, latency, ladder, max, ceilingNotReached, notes };
}

export async function runIntakeBench(overrides: Partial<IntakeBenchOptions> = {}): Promise<IntakeBenchResult> {
  const options = { ...intakeOptionsFromEnv(), ...overrides };
  const pin = options.pin && canPin() && cpus().length >= 2;
  if (options.pin && !pin) {
    options.log('taskset unavailable or fewer than 2 cores: running unpinned');
  }
  const effective = { ...options, pin };
  const generator = await LoadGeneratorProcess.start({ cpus: pin ? '1' : undefined });
  setNice(generator.pid, options.nice);
  const forgetGenerator = onInterrupt(() => generator.close());
  const targets: TargetResult[] = [];
  try {
    for (const name of options.targets) {
      targets.push(await benchTarget(name, generator, effective));
    }
  } finally {
    await generator.close();
    forgetGenerator();
  }
  const { kafka: _kafka, log: _log, mysqlUrl: _mysql, ...shown } = effective;

  return { options: shown, targets };
}

export function formatIntake(result: IntakeBenchResult): string {
  const rows: string[][] = [
    [
      'target',
      'max sustained/s',
      'p99 there',
      `@${fmtRate(result.options.latencyRate)}/s: achieved`,
      'p50',
      'p90',
      'p99',
      'max',
      'errors',
      'server CPU @3k',
    ],
  ];
  for (const t of result.targets) {
    const l = t.latency;
    const serverCpu = l
      ? Object.entries(l.cpu)
          .filter(([k, v]) => !k.startsWith('(') && v >= 5)
          .sort((a, b) => b[1] - a[1])
          .map(([k, v]) => `${k} ${v.toFixed(0)}%`)
          .join(', ')
      : '';
    rows.push([
      t.label,
      t.max
        ? `${fmtRate(t.max.achievedRate)}${t.ceilingNotReached ? '+' : ''}${t.max.sustained ? '' : ' ✗'}`
        : t.error
          ? 'failed'
          : '-',
      t.max ? fmtMs(t.max.p99) : '-',
      l ? fmtRate(l.achievedRate) : '-',
      l ? fmtMs(l.p50) : '-',
      l ? fmtMs(l.p90) : '-',
      l ? fmtMs(l.p99) : '-',
      l ? fmtMs(l.max) : '-',
      l ? fmtPct(l.errorRate) : '-',
      serverCpu,
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const lines = rows.map((r) =>
    r
      .map((cell, c) => (c === 0 || c === r.length - 1 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  '),
  );
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));

  const bare = result.targets.find((t) => t.name === 'bare');
  if (bare?.max) {
    lines.push('', 'ratio to the bare Fastify baseline (same run, same machine):');
    for (const t of result.targets.filter((x) => x.name !== 'bare')) {
      if (t.max) {
        const throughput = t.max.achievedRate / bare.max.achievedRate;
        const p99 =
          t.latency && bare.latency
            ? `, p99 @${fmtRate(result.options.latencyRate)}/s ${fmtMs(t.latency.p99)} vs ${fmtMs(bare.latency.p99)} ms`
            : '';
        const bound = bare.ceilingNotReached ? ' (bare ceiling not reached: an upper bound)' : '';
        lines.push(`  ${t.label}: throughput ${(throughput * 100).toFixed(1)}% of bare${bound}${p99}`);
      }
    }
  }
  for (const t of result.targets) {
    lines.push('', `${t.label} (${t.pinning}):`);
    const cpuAt = (s: Summary | undefined, what: string): void => {
      if (!s) {
        return;
      }
      const parts = Object.entries(s.cpu)
        .filter(([, v]) => Number.isFinite(v))
        .sort((a, b) => (a[0].startsWith('(') ? 1 : 0) - (b[0].startsWith('(') ? 1 : 0) || b[1] - a[1])
        .map(([k, v]) => `${k} ${v.toFixed(0)}%`);
      lines.push(`  CPU at ${what} (% of one core, median): ${parts.join(', ')}`);
    };
    cpuAt(t.latency, `${fmtRate(result.options.latencyRate)}/s`);
    cpuAt(t.max, `max ${t.max ? fmtRate(t.max.offeredRate) : ''}/s`);
    for (const step of t.ladder) {
      lines.push(`  ladder: ${describeRun(step)}`);
    }
    if (t.max && t.max !== t.latency) {
      for (const run of t.max.runs) {
        lines.push(`  max:    ${describeRun(run)}`);
      }
    }
    for (const run of t.latency?.runs ?? []) {
      lines.push(`  @${fmtRate(result.options.latencyRate)}:  ${describeRun(run)}`);
    }
    for (const note of t.notes) {
      lines.push(`  note: ${note}`);
    }
  }

  return lines.join('\n');
}

if (require.main === module) {
  runIntakeBench()
    .then((result) => {
      process.stdout.write(`\n${formatIntake(result)}\n`);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
