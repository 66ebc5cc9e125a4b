/**
 * End to end, issue #18's benchmark: `POST /v1/messages` from a keep-alive generator in its own process
 * until every accepted message is final (delivered, both of the simulator's receipts processed), for the
 * embedded gateway, the distributed gateway and, in the same run, Kannel's sendsms → fakesmsc as the peer.
 *
 *   npm run bench -- --only=e2e [--mode=embedded|distributed|both] [--kannel=false] [--runs=3] [--duration=15]
 *                    [--latency-duration=6] [--idle=10] [--connections=50] [--senders=8] [--sim-latency=0]
 *
 * Per target: a warm-up burst (its rate sizes the next ones), the idle CPU of every process over --idle
 * seconds, --runs bursts of about --duration seconds end to end (medians reported), then the accept
 * latency at half the sustained rate (and, distributed, at 1,000/s when the pipeline can drain it).
 * CPU is utime+stime from /proc per process, charged per final message, with each process's idle use
 * over the same window subtracted; counts per message come from the drivers' statement counter
 * (SQL_STATEMENT_COUNTING), the broker's offsets under the run's topic prefix and the HTTP counters.
 * docs/performance.md explains the method and keeps the figures.
 */
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import { startDistributed, SERVICE_PORTS, type DistributedTopology } from '../scripts/distributed';
import { createTopics, readTopicSpecs } from '../scripts/create-topics';
import {
  cpuPerMessage,
  cpuTicksFromStat,
  endToEndRate,
  kannelSentFromStatus,
  median,
  medianByKey,
  type ModeFigures,
  offsetsDelta,
  offsetsDeltaBy,
  peakRssMbFromStatus,
  promSum,
  type TargetCheck,
  verdicts,
} from './lib/e2e-stats';
import { type E2eMode, type E2eOptions, e2eOptionsFromArgv } from './lib/e2e-options';
import { dropDatabase, prepareDatabase } from './lib/infra';
import { KafkaOffsets, type OffsetSnapshot } from './lib/kafka-offsets';
import { pidsListeningOn } from './lib/process-cpu';
import { freePort, onInterrupt, ROOT, startServer } from './lib/processes';
import { type RawLoadSpec, RawLoadProcess } from './lib/raw-load-process';

type TargetName = E2eMode | 'kannel';

const CLOCK_TICKS_PER_S = 100;
/** Offered to find the sustained rate: far above any target's, so the generator's connections set the pace. */
const FLOOD_RATE = 100_000;
/** The distributed accept latency is measured at this rate when the pipeline keeps up with at least ... */
const THOUSAND = 1_000;
/** ... this share of it, so draining what it accepts takes seconds, not minutes. */
const THOUSAND_OFFERED_FROM = 0.8;
/** Distinct recipients: below the pumping guard's sequential threshold (PUMPING_SEQUENTIAL_RECIPIENTS 50). */
const RECIPIENTS = 40;
/** How often a burst checks for final messages. */
const POLL_MS = 100;
const FINAL_STATUSES = ['delivered', 'undelivered', 'failed'];
const IGNORED_ROUTES = new Set(['/metrics', '/healthz', '/readyz', 'unmatched']);
/** Account limits lifted: the pipeline, not an account's quota, is measured. */
const UNLIMITED_QUOTAS = {
  LIMITS_MESSAGES_PER_SECOND: '0',
  LIMITS_MESSAGES_PER_DAY: '0',
  LIMITS_SEGMENTS_PER_DAY: '0',
  LIMITS_SPEND_PER_DAY: '0',
  LIMITS_SPEND_PER_MONTH: '0',
};

// ---------------------------------------------------------------------------------------------------------------
// /proc readings

function cpuMsOf(pid: number): number {
  try {
    return (cpuTicksFromStat(readFileSync(`/proc/${pid}/stat`, 'utf8')) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return Number.NaN;
  }
}

function peakRssMbOf(pid: number): number {
  try {
    return peakRssMbFromStatus(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return Number.NaN;
  }
}

const cpuOfAll = (pids: Readonly<Record<string, number>>): Record<string, number> =>
  Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMsOf(pid)]));

const minus = (a: Record<string, number>, b: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.keys(a).map((k) => [k, (a[k] ?? Number.NaN) - (b[k] ?? Number.NaN)]));

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------------------------
// Targets

interface Counters {
  /** SQL statements passed to the drivers (sms_sql_statements_total over every service). */
  readonly sql: number;
  /** The same, per process. */
  readonly sqlBy: Record<string, number>;
  /** HTTP requests our services answered, ops routes and the in-process simulator's left out. */
  readonly httpServed: number;
  /** HTTP calls our services made to providers (the simulator). */
  readonly providerCalls: number;
}

interface Target {
  readonly name: TargetName;
  readonly load: Omit<RawLoadSpec, 'count' | 'rate' | 'warmUp' | 'connections' | 'timeoutMs'>;
  /** Every process charged: name → pid. */
  readonly pids: Readonly<Record<string, number>>;
  /** The processes that are services of ours (idle and RSS targets). */
  readonly services: readonly string[];
  /** Messages final so far (monotonic). */
  finalCount(): Promise<number>;
  /** Final messages by status so far. */
  statusCounts(): Promise<Record<string, number>>;
  counters?(): Promise<Counters>;
  readonly kafka?: KafkaOffsets;
  readonly kafkaPrefix?: string;
  readonly notes: string[];
  stop(): Promise<void>;
}

async function scrape(url: string, token: string): Promise<string> {
  const response = await fetch(`${url}/metrics`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) {
    throw new Error(`${url}/metrics answered ${response.status}`);
  }

  return response.text();
}

async function countersOf(urls: Readonly<Record<string, string>>, token: string): Promise<Counters> {
  const names = Object.keys(urls);
  const texts = await Promise.all(names.map((name) => scrape(urls[name] as string, token)));
  const sum = (f: (text: string) => number): number => texts.reduce((total, text) => total + f(text), 0);

  return {
    sql: sum((t) => promSum(t, 'sms_sql_statements_total')),
    sqlBy: Object.fromEntries(names.map((name, i) => [name, promSum(texts[i] as string, 'sms_sql_statements_total')])),
    httpServed: sum((t) =>
      promSum(
        t,
        'sms_http_requests_total',
        (l) => !IGNORED_ROUTES.has(l['route'] ?? '') && !(l['route'] ?? '').startsWith('/sim'),
      ),
    ),
    providerCalls: sum((t) => promSum(t, 'sms_provider_sends_total')),
  };
}

async function api(
  base: string,
  key: string,
  method: string,
  route: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${base}${route}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();

  return { status: response.status, json: text ? (JSON.parse(text) as unknown) : undefined };
}

/**
 * The bench's own pool, through the operator API: every GB Twilio sender's carrier limit lifted to the
 * maximum, and `extra` more such senders, so the pipeline and not the modelled carrier is measured.
 */
async function seedSenders(
  operatorUrl: string,
  key: string,
  extra: number,
  log: (line: string) => void,
): Promise<void> {
  const maxRate = 10_000;
  for (let i = 0; i < extra; i++) {
    const number = `+4474009009${String(50 + i).padStart(2, '0')}`;
    const created = await api(operatorUrl, key, 'POST', '/v1/numbers', {
      number,
      provider: 'twilio',
      country: 'GB',
      type: 'longcode',
      segmentsPerSecond: maxRate,
    });
    if (created.status !== 201 && created.status !== 409) {
      throw new Error(`POST /v1/numbers ${number}: ${created.status} ${JSON.stringify(created.json)}`);
    }
  }
  const listed = await api(operatorUrl, key, 'GET', '/v1/numbers?country=GB&provider=twilio&active=true');
  const numbers = ((listed.json as { data?: { number: string }[] } | undefined)?.data ?? []).map((n) => n.number);
  for (const number of numbers) {
    const patched = await api(operatorUrl, key, 'PATCH', `/v1/numbers/${encodeURIComponent(number)}`, {
      segmentsPerSecond: maxRate,
    });
    if (patched.status !== 200) {
      throw new Error(`PATCH /v1/numbers: ${patched.status} ${JSON.stringify(patched.json)}`);
    }
  }
  log(`  pool: ${numbers.length} GB Twilio senders at ${maxRate.toLocaleString('en-US')} segments/s each`);
}

async function setSimulatorLatency(simUrl: string, auth: string, latencyMs: number): Promise<void> {
  const response = await fetch(`${simUrl}/knobs/twilio`, {
    method: 'PUT',
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: JSON.stringify({ latencyMs }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) {
    throw new Error(`simulator knobs: ${response.status} ${await response.text()}`);
  }
}

const messageLoad = (url: string, key: string): Target['load'] => {
  const { hostname, port } = new URL(url);

  return {
    host: hostname,
    port: Number(port),
    method: 'POST',
    path: '/v1/messages',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ to: '+4474001234{i}', body: 'Your code is 123456' }),
    variants: RECIPIENTS,
  };
};

const finalWhere = `status IN (${FINAL_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/** The SQLite file under DATA_DIR that holds the message ledger (sms_messages), whichever file that is. */
function ledgerFile(dataDir: string): string {
  for (const file of readdirSync(dataDir).filter((f) => f.endsWith('.sqlite'))) {
    const db = new Database(path.join(dataDir, file), { readonly: true, fileMustExist: true });
    try {
      if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sms_messages'").get()) {
        return path.join(dataDir, file);
      }
    } finally {
      db.close();
    }
  }
  throw new Error(`no SQLite file under ${dataDir} holds sms_messages`);
}

async function startEmbedded(options: E2eOptions): Promise<Target> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sms-bench-e2e-'));
  const key = `smsgw_bench_${randomBytes(16).toString('hex')}`;
  const metricsToken = randomBytes(18).toString('hex');
  const server = await startServer(
    'embedded',
    'apps/gateway/src/main.ts',
    {
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      SMS_GATEWAY_API_KEY: key,
      SMPP_SIM_PORT: '0',
      METRICS_TOKEN: metricsToken,
      SQL_STATEMENT_COUNTING: '1',
      ...UNLIMITED_QUOTAS,
    },
    await freePort(),
  );
  try {
    await seedSenders(server.url, key, options.senders, options.log);
    await setSimulatorLatency(`${server.url}/sim`, `Bearer ${key}`, options.simLatencyMs);
  } catch (error) {
    await server.stop(2_000);
    throw error;
  }
  const db = new Database(ledgerFile(dataDir), { readonly: true, fileMustExist: true });
  const finals = db.prepare(`SELECT COUNT(*) AS n FROM sms_messages WHERE ${finalWhere}`);
  const byStatus = db.prepare('SELECT status, COUNT(*) AS n FROM sms_messages GROUP BY status');

  return {
    name: 'embedded',
    load: messageLoad(server.url, key),
    pids: { gateway: server.child.pid as number },
    services: ['gateway'],
    finalCount: async () => (finals.get() as { n: number }).n,
    statusCounts: async () =>
      Object.fromEntries((byStatus.all() as { status: string; n: number }[]).map((r) => [r.status, r.n])),
    counters: () => countersOf({ gateway: server.url }, metricsToken),
    notes: [
      'one process: API, SQLite ledger and outbox, in-process bus, router, send-worker, the simulator (in ' +
        'process, answering over HTTP on the same port) and the receipt path',
    ],
    stop: async () => {
      db.close();
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function startDistributedTarget(options: E2eOptions): Promise<Target> {
  const prefix = `bench-e2e-${randomBytes(3).toString('hex')}.`;
  const metricsToken = randomBytes(18).toString('hex');
  const key = await prepareDatabase(options.mysqlUrl);
  const specs = readTopicSpecs(path.join(ROOT, 'test/kafka/topics.json')).map((s) => ({
    ...s,
    topic: prefix + s.topic,
  }));
  await createTopics(options.kafkaBrokers.split(','), specs);
  const kafka = new KafkaOffsets(options.kafkaBrokers, prefix);
  const output: string[] = [];
  let topology: DistributedTopology;
  const cleanUp = async (): Promise<void> => {
    await kafka.deleteTopics().catch(() => undefined);
    await kafka.close().catch(() => undefined);
    if (process.env['BENCH_KEEP_DB'] !== '1') {
      await dropDatabase(options.mysqlUrl).catch(() => undefined);
    }
  };
  try {
    topology = await startDistributed({
      mysqlUrl: options.mysqlUrl,
      redisUrl: options.redisUrl,
      kafkaBrokers: options.kafkaBrokers,
      portOffset: options.portOffset,
      logLevel: 'warn',
      startTimeoutMs: 180_000,
      extraEnv: {
        ...UNLIMITED_QUOTAS,
        KAFKA_TOPIC_PREFIX: prefix,
        METRICS_TOKEN: metricsToken,
        SQL_STATEMENT_COUNTING: '1',
      },
      onOutput: (service, line) => {
        output.push(`[${service}] ${line}`);
        if (output.length > 200) {
          output.shift();
        }
      },
    });
  } catch (error) {
    await cleanUp();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${output.slice(-30).join('\n')}`);
  }
  const forget = onInterrupt(() => topology.stop(2_000));
  const serviceUrl = (name: keyof typeof SERVICE_PORTS): string =>
    `http://127.0.0.1:${SERVICE_PORTS[name] + options.portOffset}`;
  const connection = await mysql.createConnection(options.mysqlUrl);
  const stop = async (): Promise<void> => {
    await connection.end().catch(() => undefined);
    await topology.stop();
    forget();
    await cleanUp();
    const errors = output.filter((l) => /"level":(50|60)|"level":"(error|fatal)"/.test(l));
    if (errors.length > 0) {
      options.log(`  service errors (last 3 of ${errors.length}):\n    ${errors.slice(-3).join('\n    ')}`);
    }
  };
  try {
    await seedSenders(serviceUrl('router'), key, options.senders, options.log);
    await setSimulatorLatency(
      topology.simulatorUrl,
      topology.simulatorAuth['authorization'] ?? '',
      options.simLatencyMs,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  const kafkaPort = Number(options.kafkaBrokers.split(',')[0]?.split(':')[1] ?? 9092);
  const infra: Record<string, number> = {};
  for (const [name, port] of [
    ['kafka', kafkaPort],
    ['mariadb', Number(new URL(options.mysqlUrl).port || 3306)],
    ['redis', Number(new URL(options.redisUrl).port || 6379)],
  ] as const) {
    const pid = pidsListeningOn(port)[0];
    if (pid !== undefined) {
      infra[name] = pid;
    }
  }
  const services = topology.processes.filter((p) => p.name !== 'simulator').map((p) => p.name);

  return {
    name: 'distributed',
    load: messageLoad(topology.intakeUrl, key),
    pids: {
      ...Object.fromEntries(topology.processes.map((p) => [p.name, p.child.pid as number])),
      ...infra,
    },
    services,
    finalCount: async () => {
      const [rows] = await connection.query(`SELECT COUNT(*) AS n FROM sms_messages WHERE ${finalWhere}`);

      return Number((rows as { n: number }[])[0]?.n ?? 0);
    },
    statusCounts: async () => {
      const [rows] = await connection.query('SELECT status, COUNT(*) AS n FROM sms_messages GROUP BY status');

      return Object.fromEntries((rows as { status: string; n: number }[]).map((r) => [r.status, Number(r.n)]));
    },
    counters: () =>
      countersOf(
        Object.fromEntries(services.map((s) => [s, serviceUrl(s as keyof typeof SERVICE_PORTS)])),
        metricsToken,
      ),
    kafka,
    kafkaPrefix: prefix,
    notes: [
      `seven services and the simulator as npm run dev starts them, on the shared MariaDB (database ` +
        `${new URL(options.mysqlUrl).pathname.slice(1)}), Redis and Kafka (topic prefix ${prefix}); the ` +
        'infrastructure servers are shared with other work on the box, their idle use is subtracted',
    ],
    stop,
  };
}

function runScript(script: string, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [script], { env: { ...process.env, ...env }, timeout: 300_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${script}: ${error.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

async function startKannel(options: E2eOptions): Promise<Target> {
  const dir = path.join(ROOT, 'bench', 'peers', 'kannel');
  const runDir = mkdtempSync(path.join(tmpdir(), 'sms-bench-kannel-'));
  const env = { KANNEL_RUN_DIR: runDir, KANNEL_PORT_BASE: String(options.kannelPortBase) };
  const down = (): Promise<void> =>
    runScript(path.join(dir, 'down.sh'), env).then(
      () => undefined,
      () => undefined,
    );
  const forget = onInterrupt(down);
  let started: string;
  try {
    started = await runScript(path.join(dir, 'up.sh'), env);
  } catch (error) {
    await down();
    forget();
    throw error;
  }
  const pids = Object.fromEntries(
    started
      .trim()
      .split('\n')
      .map((line) => line.split(' '))
      .map(([name, pid]) => [name as string, Number(pid)]),
  );
  const admin = `http://127.0.0.1:${options.kannelPortBase}/status.txt?password=bench`;
  const sent = async (): Promise<number> => {
    const text = await (await fetch(admin, { signal: AbortSignal.timeout(5_000) })).text();

    return kannelSentFromStatus(text);
  };

  return {
    name: 'kannel',
    load: {
      host: '127.0.0.1',
      port: options.kannelPortBase + 13,
      method: 'GET',
      path: '/cgi-bin/sendsms?username=bench&password=bench&from=12345&to=4474001234{i}&text=Your+code+is+123456',
      headers: {},
      body: '',
      variants: RECIPIENTS,
    },
    pids,
    services: [],
    finalCount: sent,
    statusCounts: async () => ({ sent: await sent() }),
    notes: [
      'Kannel 1.4.5 (Debian): smsbox sendsms → bearerbox (spool store) → fakesmsc; final = handed to the ' +
        'SMSC (fakesmsc sends no receipts); one HTTP exchange per message, no SQL, no Kafka',
    ],
    stop: async () => {
      await down();
      forget();
      rmSync(runDir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Bursts

export interface BurstResult {
  readonly offeredRate: number;
  readonly requests: number;
  readonly accepted: number;
  /** Accepted messages that became final within the deadline. */
  readonly final: number;
  readonly errors: Record<string, number>;
  readonly acceptP50: number;
  readonly acceptP99: number;
  /** Accepted messages final per second, first request → last final. */
  readonly endToEndRate: number;
  /** Whether every accepted message became final before the deadline. */
  readonly complete: boolean;
  readonly windowMs: number;
  /** CPU ms used over the window, per process. */
  readonly cpuMs: Record<string, number>;
  /**
   * Per final message: sqlPerMessage, httpPerMessage, kafkaProducedPerMessage, kafkaConsumedPerMessage, and
   * the breakdowns `sql:<process>`, `produced:<topic>`, `consumed:<group>`.
   */
  readonly counts: Record<string, number>;
}

/** Records produced per topic and consumed per group, per message, the run's prefix left out of the names. */
function kafkaCounts(
  a: OffsetSnapshot,
  b: OffsetSnapshot,
  prefix: string,
  per: (n: number) => number,
): Record<string, number> {
  const counts: Record<string, number> = {
    kafkaProducedPerMessage: per(offsetsDelta(a.ends, b.ends)),
    kafkaConsumedPerMessage: per(offsetsDelta(a.committed, b.committed)),
  };
  const strip = (name: string): string => (name.startsWith(prefix) ? name.slice(prefix.length) : name);
  for (const [topic, n] of Object.entries(offsetsDeltaBy(a.ends, b.ends, (k) => k.slice(0, k.lastIndexOf('/'))))) {
    counts[`produced:${strip(topic)}`] = per(n);
  }
  for (const [group, n] of Object.entries(offsetsDeltaBy(a.committed, b.committed, (k) => k.split('/')[0] ?? k))) {
    counts[`consumed:${strip(group)}`] = per(n);
  }

  return counts;
}

async function burst(
  target: Target,
  generator: RawLoadProcess,
  count: number,
  rate: number,
  options: E2eOptions,
  expectedRate: number,
): Promise<BurstResult> {
  const before = {
    final: await target.finalCount(),
    counters: await target.counters?.(),
    offsets: await target.kafka?.snapshot(),
  };
  const pids = { ...target.pids, generator: generator.pid };
  const cpu0 = cpuOfAll(pids);
  const run = await generator.run({
    ...target.load,
    count,
    rate,
    warmUp: 0,
    connections: options.connections,
    timeoutMs: 30_000,
  });
  const accepted = run.result.ok;
  // Twice the expected time and at least a minute: a slow drain shows as an incomplete run, not a hang.
  const deadline = Date.now() + Math.max(60_000, (2_000 * accepted) / Math.max(expectedRate, 1));
  let finalAt = Date.now();
  let final = 0;
  while (Date.now() < deadline) {
    final = (await target.finalCount()) - before.final;
    finalAt = Date.now();
    if (final >= accepted) {
      break;
    }
    await sleep(POLL_MS);
  }
  const cpu = minus(cpuOfAll(pids), cpu0);
  const after = {
    counters: await target.counters?.(),
    offsets: await target.kafka?.snapshot(),
  };
  const per = (n: number): number => (final > 0 ? n / final : Number.NaN);
  const counts: Record<string, number> = {};
  if (before.counters && after.counters) {
    const b = before.counters;
    const a = after.counters;
    counts['sqlPerMessage'] = per(a.sql - b.sql);
    // The generator's requests are among the services' served ones; provider calls are outbound.
    counts['httpPerMessage'] = per(a.httpServed - b.httpServed + a.providerCalls - b.providerCalls);
    for (const name of Object.keys(a.sqlBy)) {
      counts[`sql:${name}`] = per((a.sqlBy[name] ?? 0) - (b.sqlBy[name] ?? 0));
    }
  } else {
    counts['sqlPerMessage'] = 0;
    counts['httpPerMessage'] = per(accepted);
  }
  if (before.offsets && after.offsets) {
    Object.assign(counts, kafkaCounts(before.offsets, after.offsets, target.kafkaPrefix ?? '', per));
  }

  return {
    offeredRate: rate,
    requests: run.result.sent,
    accepted,
    final,
    errors: run.result.errors,
    acceptP50: run.result.p50,
    acceptP99: run.result.p99,
    endToEndRate: endToEndRate(final, run.startedAt, finalAt),
    complete: final >= accepted,
    windowMs: finalAt - run.startedAt,
    cpuMs: cpu,
    counts,
  };
}

export interface TargetResult {
  readonly name: TargetName;
  readonly notes: readonly string[];
  readonly idlePct: Record<string, number>;
  readonly runs: BurstResult[];
  readonly sustainedRate: number;
  /** Median over runs of net CPU ms per final message (idle subtracted), per process. */
  readonly cpuMsPerMessage: Record<string, number>;
  readonly grossCpuMsPerMessage: Record<string, number>;
  readonly counts: Record<string, number>;
  readonly halfRate?: BurstResult;
  readonly thousand?: BurstResult;
  readonly thousandNote?: string;
  readonly peakRssMb: Record<string, number>;
  readonly services: readonly string[];
  readonly statusAtEnd: Record<string, number>;
  readonly error?: string;
}

async function waitDrained(target: Target): Promise<void> {
  // Nothing left moving: the final count holds still for a second.
  let last = -1;
  for (let i = 0; i < 120; i++) {
    const now = await target.finalCount();
    if (now === last) {
      return;
    }
    last = now;
    await sleep(1_000);
  }
}

async function benchTarget(target: Target, generator: RawLoadProcess, options: E2eOptions): Promise<TargetResult> {
  const log = options.log;
  const pids = { ...target.pids, generator: generator.pid };
  const warmCount = target.name === 'kannel' ? 5_000 : 300;
  const warm = await burst(target, generator, warmCount, FLOOD_RATE, options, 50);
  log(`  warm-up: ${warm.accepted}/${warm.requests} accepted, ${Math.round(warm.endToEndRate)}/s end to end`);
  await waitDrained(target);

  // Idle: every process with no traffic, after the warm-up's work has settled.
  await sleep(2_000);
  const idle0 = cpuOfAll(pids);
  const idleStart = Date.now();
  // The bench polls for final messages during a burst (a COUNT on MariaDB, status.txt on bearerbox): it
  // polls the same way while idle, so that cost lands in the idle rate subtracted from the bursts.
  while (Date.now() - idleStart < options.idleS * 1_000) {
    await target.finalCount();
    await sleep(POLL_MS);
  }
  const idleMs = Date.now() - idleStart;
  const idlePct = Object.fromEntries(
    Object.entries(minus(cpuOfAll(pids), idle0)).map(([name, ms]) => [name, (ms / idleMs) * 100]),
  );

  const runs: BurstResult[] = [];
  let estimate = warm.endToEndRate;
  for (let i = 0; i < options.runs; i++) {
    const count = Math.max(200, Math.min(300_000, Math.round(estimate * options.durationS)));
    const result = await burst(target, generator, count, FLOOD_RATE, options, estimate);
    runs.push(result);
    if (Number.isFinite(result.endToEndRate)) {
      estimate = result.endToEndRate;
    }
    log(
      `  run ${i + 1}: ${result.accepted}/${result.requests} accepted` +
        `${Object.keys(result.errors).length ? ` (errors ${JSON.stringify(result.errors)})` : ''}, ` +
        `${Math.round(result.endToEndRate)}/s end to end${result.complete ? '' : ' (NOT all final)'}`,
    );
    await waitDrained(target);
  }
  const sustainedRate = median(runs.map((r) => r.endToEndRate));
  const perMessage = (r: BurstResult, net: boolean): Record<string, number> =>
    Object.fromEntries(
      Object.entries(r.cpuMs).map(([name, ms]) => {
        const figure = cpuPerMessage(ms, idlePct[name] ?? 0, r.windowMs, r.final);

        return [name, net ? figure.net : figure.gross];
      }),
    );
  const cpuMsPerMessage = medianByKey(runs.map((r) => perMessage(r, true)));
  const grossCpuMsPerMessage = medianByKey(runs.map((r) => perMessage(r, false)));
  const counts = medianByKey(
    runs.map(
      (r) =>
        Object.fromEntries(Object.entries(r.counts ?? {}).filter(([, v]) => v !== undefined)) as Record<string, number>,
    ),
  );

  let halfRate: BurstResult | undefined;
  if (Number.isFinite(sustainedRate) && sustainedRate > 0) {
    const rate = sustainedRate / 2;
    halfRate = await burst(
      target,
      generator,
      Math.max(50, Math.round(rate * options.latencyS)),
      rate,
      options,
      sustainedRate,
    );
    log(
      `  at ${Math.round(rate)}/s (half): accept p50 ${halfRate.acceptP50.toFixed(2)} ms, p99 ${halfRate.acceptP99.toFixed(1)} ms`,
    );
    await waitDrained(target);
  }
  let thousand: BurstResult | undefined;
  let thousandNote: string | undefined;
  if (target.name === 'distributed') {
    if (sustainedRate >= THOUSAND * THOUSAND_OFFERED_FROM) {
      thousand = await burst(
        target,
        generator,
        Math.round(THOUSAND * options.latencyS),
        THOUSAND,
        options,
        sustainedRate,
      );
      log(`  at 1,000/s: accept p50 ${thousand.acceptP50.toFixed(2)} ms, p99 ${thousand.acceptP99.toFixed(1)} ms`);
      await waitDrained(target);
    } else {
      thousandNote =
        `1,000/s not offered: the pipeline finishes ${Math.round(sustainedRate)}/s, so ${options.latencyS} s at ` +
        `1,000/s would take ${Math.round((THOUSAND * options.latencyS) / Math.max(sustainedRate, 1))} s to drain`;
      log(`  ${thousandNote}`);
    }
  }

  return {
    name: target.name,
    notes: target.notes,
    idlePct,
    runs,
    sustainedRate,
    cpuMsPerMessage,
    grossCpuMsPerMessage,
    counts,
    halfRate,
    thousand,
    thousandNote,
    peakRssMb: Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, peakRssMbOf(pid)])),
    services: target.services,
    statusAtEnd: await target.statusCounts(),
  };
}

export interface E2eResult {
  readonly options: Omit<E2eOptions, 'log'>;
  readonly targets: TargetResult[];
  readonly kannelRate: number;
  readonly ratios: Record<string, number>;
  readonly checks: TargetCheck[];
}

const STARTERS: Record<TargetName, (options: E2eOptions) => Promise<Target>> = {
  kannel: startKannel,
  embedded: startEmbedded,
  distributed: startDistributedTarget,
};

export async function runE2eBench(options: E2eOptions): Promise<E2eResult> {
  const names: TargetName[] = [...(options.kannel ? (['kannel'] as const) : []), ...options.modes];
  const generator = await RawLoadProcess.start();
  const forgetGenerator = onInterrupt(() => generator.close());
  const targets: TargetResult[] = [];
  try {
    for (const name of names) {
      options.log(`\n#### ${name}`);
      let target: Target | undefined;
      try {
        target = await STARTERS[name](options);
        targets.push(await benchTarget(target, generator, options));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        options.log(`  ${name} failed: ${message}`);
        targets.push({
          name,
          notes: [],
          idlePct: {},
          runs: [],
          sustainedRate: Number.NaN,
          cpuMsPerMessage: {},
          grossCpuMsPerMessage: {},
          counts: {},
          peakRssMb: {},
          services: [],
          statusAtEnd: {},
          error: message,
        });
      } finally {
        await target?.stop().catch((error: unknown) => options.log(`  ${name}: stop failed: ${String(error)}`));
      }
    }
  } finally {
    await generator.close();
    forgetGenerator();
  }
  if (targets.every((t) => t.error !== undefined)) {
    throw new Error(`no target could be measured: ${targets.map((t) => `${t.name}: ${t.error}`).join('; ')}`);
  }
  const kannelRate = targets.find((t) => t.name === 'kannel')?.sustainedRate ?? Number.NaN;
  const ratios = Object.fromEntries(
    targets.filter((t) => t.name !== 'kannel').map((t) => [t.name, t.sustainedRate / kannelRate]),
  );
  const checks = targets
    .filter((t): t is TargetResult & { name: E2eMode } => t.name !== 'kannel')
    .flatMap((t) =>
      verdicts(
        {
          mode: t.name,
          sustainedRate: t.sustainedRate,
          halfRateP99: t.halfRate?.acceptP99 ?? Number.NaN,
          thousandP99: t.thousand?.acceptP99,
          cpuMsPerMessage: t.cpuMsPerMessage,
          idlePct: t.idlePct,
          peakRssMb: t.peakRssMb,
          services: t.services,
        } satisfies ModeFigures,
        kannelRate,
      ),
    );
  const { log: _log, ...recorded } = options;

  return { options: recorded, targets, kannelRate, ratios, checks };
}

// ---------------------------------------------------------------------------------------------------------------
// Report

const f = (n: number | undefined, digits = 2): string =>
  n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(digits);
const r = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');

export function formatE2e(result: E2eResult): string {
  const lines: string[] = [];
  for (const t of result.targets) {
    lines.push(`\n${t.name}${t.error ? `: could not run (${t.error.split('\n')[0]})` : ''}`);
    if (t.error) {
      continue;
    }
    for (const note of t.notes) {
      lines.push(`  ${note}`);
    }
    const ratio = t.name === 'kannel' ? '' : `, ${f(result.ratios[t.name], 3)}× Kannel`;
    lines.push(
      `  sustained end to end ${r(t.sustainedRate)} msg/s (median of ${t.runs.length}: ` +
        `${t.runs.map((x) => r(x.endToEndRate)).join(', ')})${ratio}`,
    );
    if (t.halfRate) {
      lines.push(
        `  accept at ${r(t.halfRate.offeredRate)}/s (half): p50 ${f(t.halfRate.acceptP50)} ms, p99 ${f(t.halfRate.acceptP99, 1)} ms`,
      );
    }
    if (t.thousand) {
      lines.push(`  accept at 1,000/s: p50 ${f(t.thousand.acceptP50)} ms, p99 ${f(t.thousand.acceptP99, 1)} ms`);
    } else if (t.thousandNote) {
      lines.push(`  ${t.thousandNote}`);
    }
    lines.push(
      `  ${'process'.padEnd(14)} ${'CPU ms/msg'.padStart(10)} ${'(gross)'.padStart(8)} ${'idle %'.padStart(7)} ${'peak RSS MB'.padStart(11)}`,
    );
    const names = Object.keys(t.cpuMsPerMessage);
    for (const name of names) {
      lines.push(
        `  ${name.padEnd(14)} ${f(t.cpuMsPerMessage[name]).padStart(10)} ${f(t.grossCpuMsPerMessage[name]).padStart(8)} ` +
          `${f(t.idlePct[name]).padStart(7)} ${f(t.peakRssMb[name], 0).padStart(11)}`,
      );
    }
    const sum = (keep: (name: string) => boolean): number =>
      names.filter(keep).reduce((total, name) => total + (t.cpuMsPerMessage[name] ?? 0), 0);
    lines.push(`  ${'all'.padEnd(14)} ${f(sum(() => true)).padStart(10)}`);
    lines.push(
      `  ${'all but sim+gen'.padEnd(14)} ${f(sum((n) => n !== 'simulator' && n !== 'generator')).padStart(10)}`,
    );
    const c = t.counts;
    lines.push(
      `  per message: SQL statements ${f(c['sqlPerMessage'], 1)}, HTTP exchanges ${f(c['httpPerMessage'], 1)}` +
        (c['kafkaProducedPerMessage'] === undefined
          ? ''
          : `, Kafka records produced ${f(c['kafkaProducedPerMessage'], 1)}, consumed ${f(c['kafkaConsumedPerMessage'], 1)}`),
    );
    const breakdown = (kind: string): string =>
      Object.entries(c)
        .filter(([k, v]) => k.startsWith(`${kind}:`) && v > 0)
        .map(([k, v]) => `${k.slice(kind.length + 1)} ${f(v, 1)}`)
        .join(', ');
    for (const [kind, label] of [
      ['sql', 'SQL statements by process'],
      ['produced', 'records produced by topic'],
      ['consumed', 'records consumed by group'],
    ] as const) {
      if (breakdown(kind)) {
        lines.push(`    ${label}: ${breakdown(kind)}`);
      }
    }
    lines.push(`  ledger at the end: ${JSON.stringify(t.statusAtEnd)}`);
  }

  return lines.join('\n');
}

if (require.main === module) {
  const log = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  runE2eBench(e2eOptionsFromArgv(process.argv.slice(2), log)).then(
    (result) => {
      log(formatE2e(result));
      for (const c of result.checks) {
        log(`  ${c.met === null ? '?' : c.met ? 'MET' : 'MISSED'} ${c.target}: ${c.measured} (target ${c.required})`);
      }
    },
    (error: unknown) => {
      process.stderr.write(
        `e2e bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
