/**
 * The targets of the end-to-end bench, each started with its own data and torn down after: the embedded
 * gateway, the distributed gateway (own database and topic prefix on the shared servers) and Kannel. Each
 * says what to send, which processes to charge, how many messages are final, and its counters.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import { createTopics, readTopicSpecs } from '../../scripts/create-topics';
import {
  type DistributedTopology,
  SERVICE_PORTS,
  simulatedProviderEnv,
  startDistributed,
} from '../../scripts/distributed';
import { SERVICE_NODE_FLAGS } from '../../scripts/node-flags';
import { kannelSentFromStatus, promSum } from './e2e-stats';
import type { E2eMode, E2eOptions } from './e2e-options';
import { dropDatabase, prepareDatabase } from './infra';
import { KafkaOffsets } from './kafka-offsets';
import { pidsListeningOn } from './process-cpu';
import { freePort, onInterrupt, ROOT, type ServerProcess, startServer } from './processes';
import type { RawLoadSpec } from './raw-load-process';

export type TargetName = E2eMode | 'kannel';

/** Distinct recipients: below the pumping guard's sequential threshold (PUMPING_SEQUENTIAL_RECIPIENTS 50). */
const RECIPIENTS = 40;
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

/** Node flags that write `<name>.cpuprofile` into the run's profile directory when the process exits. */
function cpuProfFlags(options: E2eOptions, name: string): string[] {
  return options.cpuProfDir
    ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`, `--cpu-prof-name=${name}.cpuprofile`]
    : [];
}

export interface Counters {
  /** SQL statements passed to the drivers (sms_sql_statements_total over every service). */
  readonly sql: number;
  /** The same, per process. */
  readonly sqlBy: Record<string, number>;
  /** HTTP requests our services answered, ops routes and the in-process simulator's left out. */
  readonly httpServed: number;
  /** HTTP calls our services made to providers (the simulator). */
  readonly providerCalls: number;
}

export interface Target {
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
  const port = await freePort();
  // The simulator apart: a process of its own, as Kannel's fakesmsc is, so the gateway's row charges the
  // gateway alone and the simulator's share is shown beside it (`--embedded-simulator=process`).
  const simulator = options.embeddedSimulator === 'process' ? await startSimulatorFor(options, port) : undefined;
  const providerEnv: Record<string, string> = simulator
    ? { SIMULATOR_ENABLED: 'false', PUBLIC_BASE_URL: `http://127.0.0.1:${port}`, ...simulator.providerEnv }
    : { SMPP_SIM_PORT: '0' };
  let server: ServerProcess;
  try {
    server = await startServer(
      'embedded',
      'apps/gateway/src/main.ts',
      {
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        SMS_GATEWAY_API_KEY: key,
        METRICS_TOKEN: metricsToken,
        SQL_STATEMENT_COUNTING: '1',
        ...providerEnv,
        ...UNLIMITED_QUOTAS,
      },
      port,
      undefined,
      [...(options.nodeFlags ?? SERVICE_NODE_FLAGS), ...cpuProfFlags(options, 'gateway')],
    );
  } catch (error) {
    await simulator?.topology.stop(2_000);
    throw error;
  }
  const stopAll = async (graceMs?: number): Promise<void> => {
    await server.stop(graceMs);
    await simulator?.topology.stop(graceMs);
  };
  try {
    await seedSenders(server.url, key, options.senders, options.log);
    await (simulator
      ? setSimulatorLatency(
          simulator.topology.simulatorUrl,
          simulator.topology.simulatorAuth['authorization'] ?? '',
          options.simLatencyMs,
        )
      : setSimulatorLatency(`${server.url}/sim`, `Bearer ${key}`, options.simLatencyMs));
  } catch (error) {
    await stopAll(2_000);
    throw error;
  }
  const db = new Database(ledgerFile(dataDir), { readonly: true, fileMustExist: true });
  const finals = db.prepare(`SELECT COUNT(*) AS n FROM sms_messages WHERE ${finalWhere}`);
  const byStatus = db.prepare('SELECT status, COUNT(*) AS n FROM sms_messages GROUP BY status');

  return {
    name: 'embedded',
    load: messageLoad(server.url, key),
    pids: {
      gateway: server.child.pid as number,
      ...(simulator ? { simulator: simulator.pid } : {}),
    },
    services: ['gateway'],
    finalCount: async () => (finals.get() as { n: number }).n,
    statusCounts: async () =>
      Object.fromEntries((byStatus.all() as { status: string; n: number }[]).map((r) => [r.status, r.n])),
    counters: () => countersOf({ gateway: server.url }, metricsToken),
    notes: [
      simulator
        ? 'one process: API, SQLite ledger and outbox, in-process bus, router, send-worker and the receipt ' +
          'path; the simulator in a process of its own (--embedded-simulator=process), as npm run dev runs it'
        : 'one process: API, SQLite ledger and outbox, in-process bus, router, send-worker, the simulator (in ' +
          'process, answering over HTTP on the same port) and the receipt path',
    ],
    stop: async () => {
      db.close();
      await stopAll();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The standalone simulator (apps/simulator) for an embedded gateway on `gatewayPort`: receipts go to the
 * gateway, and `providerEnv` points the gateway's providers at the simulator with this run's accounts.
 */
async function startSimulatorFor(
  options: E2eOptions,
  gatewayPort: number,
): Promise<{ topology: DistributedTopology; pid: number; providerEnv: Record<string, string> }> {
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const topology = await startDistributed({
    mysqlUrl: options.mysqlUrl,
    redisUrl: options.redisUrl,
    kafkaBrokers: options.kafkaBrokers,
    portOffset: options.portOffset,
    logLevel: 'warn',
    startTimeoutMs: 60_000,
    services: [],
    extraEnv: { PUBLIC_BASE_URL: gatewayUrl },
  });
  const simulator = topology.processes.find((p) => p.name === 'simulator');
  if (!simulator) {
    await topology.stop(2_000);
    throw new Error('the simulator did not start');
  }
  const simulatorPort = Number(new URL(topology.simulatorUrl).port);

  return {
    topology,
    pid: simulator.child.pid as number,
    providerEnv: simulatedProviderEnv(topology.accounts, simulatorPort, 2775 + options.portOffset, gatewayUrl),
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
      nodeFlags: options.nodeFlags,
      nodeArgs: options.cpuProfDir
        ? Object.fromEntries(Object.keys(SERVICE_PORTS).map((name) => [name, cpuProfFlags(options, name)]))
        : undefined,
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

export const STARTERS: Record<TargetName, (options: E2eOptions) => Promise<Target>> = {
  kannel: startKannel,
  embedded: startEmbedded,
  distributed: startDistributedTarget,
};
