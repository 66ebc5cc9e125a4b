/**
 * The infrastructure the distributed bench needs: Kafka (started with test/kafka/up.sh only when nothing
 * answers, and then stopped again by us), a fresh MySQL database with every slice migrated and an API key,
 * and the consumer lag docs/performance.md's "Bench hygiene" asks to report.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import mysql from 'mysql2/promise';
import { ALL_SCOPES, openApiKeyService } from '@sms/auth';
import { migrate } from '../../scripts/migrate';
import { ROOT } from './processes';

export function tcpReachable(hostPort: string, timeoutMs = 1_000): Promise<boolean> {
  const [host, port] = hostPort.split(':');

  return new Promise((resolve) => {
    const socket = connect({ host: host ?? '127.0.0.1', port: Number(port) });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function runScript(script: string, env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [path.isAbsolute(script) ? script : path.join(ROOT, script)],
      { cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`${script} failed: ${error.message}\n${stdout}\n${stderr}`));
        } else {
          resolve(stdout);
        }
      },
    );
  });
}

export interface KafkaHandle {
  readonly brokers: string;
  readonly startedByUs: boolean;
  /** The broker JVM's pid when this run started it (for CPU accounting and priority). */
  readonly pid?: number;
  stop(): Promise<void>;
}

/**
 * Uses the broker at `brokers` if it answers; otherwise starts the repo's local one (test/kafka/up.sh) and
 * remembers to stop it. Beware: the services' consumer groups have fixed names, so on a broker shared with
 * other runs they inherit those runs' backlog, and they would join a concurrently running e2e suite's groups.
 */
export async function ensureKafka(brokers: string, log: (line: string) => void): Promise<KafkaHandle> {
  const first = brokers.split(',')[0] ?? '127.0.0.1:9092';
  if (await tcpReachable(first)) {
    return { brokers, startedByUs: false, stop: async () => undefined };
  }
  const port = first.split(':')[1] ?? '9092';
  log(`kafka: nothing on ${first}, starting test/kafka/up.sh (stopped again at the end)`);
  const started = Date.now();
  await runScript('test/kafka/up.sh', { KAFKA_PORT: port });
  log(`kafka: up after ${((Date.now() - started) / 1_000).toFixed(0)} s`);

  return {
    brokers,
    startedByUs: true,
    pid: readPid(path.join(ROOT, 'test/kafka/.run/kafka.pid')),
    // down.sh only stops the pid its own up.sh recorded, never a broker someone else started.
    stop: async () => {
      await runScript('test/kafka/down.sh');
    },
  };
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());

    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A broker of the bench's own, started from a copy of test/kafka in tmp/bench-kafka on its own ports: an
 * empty cluster every run (no other run's backlog in the services' consumer groups), and no chance of
 * joining the groups of an e2e suite someone runs at the same time against 9092. up.sh keeps its state next
 * to itself, so the copy never touches test/kafka/.run or a broker started from it.
 */
export async function startOwnKafka(port: number, log: (line: string) => void): Promise<KafkaHandle> {
  const source = path.join(ROOT, 'test', 'kafka');
  const dir = path.join(ROOT, 'tmp', 'bench-kafka');
  mkdirSync(dir, { recursive: true });
  for (const file of readdirSync(source)) {
    if (/\.(sh|cjs|json|properties|xml)$/.test(file)) {
      copyFileSync(path.join(source, file), path.join(dir, file));
    }
  }
  if (!existsSync(path.join(dir, 'libs'))) {
    // The ~46 MB of broker jars are shared, not copied; up.sh resolves them with Maven only if they are missing.
    symlinkSync(path.join(source, 'libs'), path.join(dir, 'libs'));
  }
  const brokers = `127.0.0.1:${port}`;
  if (await tcpReachable(brokers)) {
    throw new Error(`port ${port} is taken; choose another with BENCH_KAFKA_PORT`);
  }
  log(`kafka: starting the bench's own broker on ${brokers} (tmp/bench-kafka, stopped at the end)`);
  const started = Date.now();
  await runScript(path.join(dir, 'up.sh'), { KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(port + 1) });
  log(`kafka: up after ${((Date.now() - started) / 1_000).toFixed(0)} s`);

  return {
    brokers,
    startedByUs: true,
    pid: readPid(path.join(dir, '.run', 'kafka.pid')),
    stop: async () => {
      await runScript(path.join(dir, 'down.sh'));
    },
  };
}

/** Drops and recreates `database`, runs every slice's migrations, and returns a fresh API key for it. */
export async function prepareDatabase(mysqlUrl: string): Promise<string> {
  const url = new URL(mysqlUrl);
  const database = url.pathname.replace(/^\//, '');
  if (!/^[A-Za-z0-9_]+$/.test(database)) {
    throw new Error(`bench database name must be [A-Za-z0-9_]+, got '${database}'`);
  }
  url.pathname = '/';
  const admin = await mysql.createConnection(url.toString());
  try {
    // A fresh database each run: tables that grew by a million rows in a previous run would slow the inserts.
    await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`);
  } finally {
    await admin.end();
  }
  await migrate(mysqlUrl);
  const { keys, close } = await openApiKeyService({ kind: 'mysql', url: mysqlUrl });
  try {
    return (await keys.create('bench', ALL_SCOPES)).key;
  } finally {
    await close();
  }
}

/** Drops the bench database again, so a shared MariaDB does not keep a run's tens of thousands of rows. */
export async function dropDatabase(mysqlUrl: string): Promise<void> {
  const url = new URL(mysqlUrl);
  const database = url.pathname.replace(/^\//, '');
  url.pathname = '/';
  const admin = await mysql.createConnection(url.toString());
  try {
    await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
  } finally {
    await admin.end();
  }
}

/** Counts of messages per status in the intake ledger: how far the pipeline got with what was accepted. */
export async function messageStatusCounts(mysqlUrl: string): Promise<Record<string, number>> {
  const connection = await mysql.createConnection(mysqlUrl);
  try {
    const [rows] = await connection.query('SELECT status, COUNT(*) AS n FROM sms_messages GROUP BY status');

    return Object.fromEntries((rows as { status: string; n: number }[]).map((r) => [r.status, Number(r.n)]));
  } finally {
    await connection.end();
  }
}

export interface ConsumerLag {
  readonly total: number;
  readonly byGroup: Record<string, number>;
}

/** Sum over partitions of (high watermark - committed offset), per consumer group on the project's topics. */
export class LagReader {
  private readonly admin;
  private connected = false;

  constructor(brokers: string) {
    const kafka = new Kafka({
      clientId: `bench-lag-${randomBytes(3).toString('hex')}`,
      brokers: brokers.split(','),
      logLevel: logLevel.NOTHING,
    });
    this.admin = kafka.admin();
  }

  async read(): Promise<ConsumerLag> {
    if (!this.connected) {
      await this.admin.connect();
      this.connected = true;
    }
    const { groups: listed } = await this.admin.listGroups();
    // Live groups only: a shared broker keeps the committed offsets of groups whose services are long gone.
    const described = listed.length === 0 ? [] : (await this.admin.describeGroups(listed.map((g) => g.groupId))).groups;
    const groups = described.filter((g) => g.state === 'Stable' && g.members.length > 0);
    const highs = new Map<string, Map<number, number>>();
    const high = async (topic: string, partition: number): Promise<number> => {
      let topicHighs = highs.get(topic);
      if (!topicHighs) {
        const offsets = await this.admin.fetchTopicOffsets(topic);
        topicHighs = new Map(offsets.map((o) => [o.partition, Number(o.high)]));
        highs.set(topic, topicHighs);
      }

      return topicHighs.get(partition) ?? 0;
    };
    const byGroup: Record<string, number> = {};
    let total = 0;
    for (const { groupId } of groups) {
      const committed = await this.admin.fetchOffsets({ groupId });
      let lag = 0;
      for (const { topic, partitions } of committed) {
        // Only the gateway's own topics: a shared broker may carry other tenants' and other benches' groups.
        if (!topic.startsWith('sms.') || topic.endsWith('.dlq')) {
          continue;
        }
        for (const { partition, offset } of partitions) {
          const end = await high(topic, partition);
          const at = Number(offset);
          lag += at < 0 ? end : Math.max(0, end - at);
        }
      }
      if (committed.some((c) => c.topic.startsWith('sms.'))) {
        byGroup[groupId] = lag;
        total += lag;
      }
    }

    return { total, byGroup };
  }

  async close(): Promise<void> {
    if (this.connected) {
      await this.admin.disconnect();
    }
  }
}
