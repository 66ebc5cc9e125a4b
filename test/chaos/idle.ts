/**
 * Idle CPU of each distributed process (issue #18: ≤ 0.5 % of a core per service with no traffic). Starts
 * the fault suite's gateway (scripts/distributed.ts's processes on a database, Redis key prefix and topic
 * prefix of its own, on the shared servers), sends a few messages so every path has run once, lets it
 * settle, then reads utime+stime from /proc/<pid>/stat of every process over a window with no traffic.
 *
 *   node -r ./scripts/register.js test/chaos/idle.ts
 *
 * With LOAD_MESSAGES=n (LOAD_RATE, default 50/s) it then sends n messages and reports each process's CPU ms
 * per delivered message, from the first request until every accepted message is final.
 *
 * Settings (environment): IDLE_SETTLE_S (default 30), IDLE_WINDOW_S (default 60), IDLE_PROFILE=1 (each
 * service also writes a .cpuprofile into the run directory), CHAOS_PORT_OFFSET (default 870), KAFKA_BROKERS,
 * REDIS_URL, MYSQL_URL (the server; a database of its own is created and dropped).
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { createConnection } from 'mysql2/promise';
import path from 'node:path';
import { cpuMsOf } from '../../bench/lib/process-cpu';
import type { ServiceName } from '../../scripts/distributed';
import { ChaosEnvironment, SERVICES } from './environment';
import { sleep } from './private-infra';
import { LoadClient } from './load';
import { DESTINATIONS, warmUp } from './suite';

const ROOT = path.join(__dirname, '..', '..');
async function main(): Promise<void> {
  const settleS = Number(process.env['IDLE_SETTLE_S'] ?? 30);
  const windowS = Number(process.env['IDLE_WINDOW_S'] ?? 60);
  const runId = `idle${randomBytes(3).toString('hex')}`;
  const dir = path.join(ROOT, 'tmp', 'chaos', runId);
  mkdirSync(dir, { recursive: true });
  const server = new URL(process.env['MYSQL_URL'] ?? 'mysql://root@127.0.0.1:3306/sms_test');
  server.pathname = '';
  const profile = process.env['IDLE_PROFILE'] === '1';
  const nodeArgs: Partial<Record<ServiceName, string[]>> | undefined = profile
    ? Object.fromEntries(SERVICES.map((s) => [s, ['--cpu-prof', `--cpu-prof-dir=${path.join(dir, s)}`]]))
    : undefined;
  const env = await ChaosEnvironment.start({
    runId,
    mysqlServerUrl: server.toString().replace(/\/$/, ''),
    redisUrl: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    kafkaBrokers: process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092',
    portOffset: Number(process.env['CHAOS_PORT_OFFSET'] ?? 870),
    dir,
    onOutput: (name, line) => appendFileSync(path.join(dir, 'services.log'), `[${name}] ${line}\n`),
    ...(nodeArgs ? { nodeArgs } : {}),
  });
  try {
    await warmUp(env.intakeUrl, env.apiKey, 4);
    process.stdout.write(`gateway up and warmed; settling ${settleS} s, then measuring ${windowS} s\n`);
    await sleep(settleS * 1000);
    const processes = [
      ...env.topology.processes.filter((p) => p.name === 'simulator'),
      ...SERVICES.map((name) => ({ name, child: { pid: env.pidOf(name) } })),
    ];
    const before = processes.map((p) => cpuMsOf(p.child.pid as number));
    await sleep(windowS * 1000);
    const after = processes.map((p) => cpuMsOf(p.child.pid as number));
    process.stdout.write(`\n| process | CPU ms over ${windowS} s | % of a core |\n|---|---:|---:|\n`);
    processes.forEach((p, i) => {
      const ms = (after[i] as number) - (before[i] as number);
      process.stdout.write(`| ${p.name} | ${ms} | ${((ms / (windowS * 1000)) * 100).toFixed(2)} |\n`);
    });
    const loadMessages = Number(process.env['LOAD_MESSAGES'] ?? 0);
    if (loadMessages > 0) {
      await measureLoad(env, processes, loadMessages, Number(process.env['LOAD_RATE'] ?? 50));
    }
  } finally {
    await env.stop();
  }
  if (profile) {
    process.stdout.write(`\nprofiles under ${dir}/<service>/\n`);
  }
}

/**
 * CPU per delivered message: `count` messages at `rate`/s, from before the first request until every
 * accepted one is final (or 3 minutes pass), each process's utime+stime divided by the messages delivered.
 */
async function measureLoad(
  env: ChaosEnvironment,
  processes: readonly { name: string; child: { pid?: number } }[],
  count: number,
  rate: number,
): Promise<void> {
  process.stdout.write(`\nload: ${count} messages at ${rate}/s\n`);
  const before = processes.map((p) => cpuMsOf(p.child.pid as number));
  const started = Date.now();
  const client = new LoadClient({
    url: env.intakeUrl,
    apiKey: env.apiKey,
    rate,
    maxRequests: count,
    maxMs: (count / rate) * 1000 + 10_000,
    timeoutMs: 30_000,
    destinations: DESTINATIONS,
  });
  client.start();
  await client.finished();
  const ids = client.acceptedIds();
  const connection = await createConnection({ uri: env.mysqlUrl });
  let delivered = 0;
  try {
    const deadline = Date.now() + 180_000;
    for (;;) {
      let final = 0;
      delivered = 0;
      for (let from = 0; from < ids.length; from += 500) {
        const [rows] = await connection.query(
          'SELECT status, COUNT(*) AS n FROM sms_messages WHERE id IN (?) GROUP BY status',
          [ids.slice(from, from + 500)],
        );
        for (const row of rows as { status: string; n: number }[]) {
          final += ['delivered', 'undelivered', 'failed'].includes(row.status) ? Number(row.n) : 0;
          delivered += row.status === 'delivered' ? Number(row.n) : 0;
        }
      }
      if (final >= ids.length || Date.now() > deadline) {
        break;
      }
      await sleep(500);
    }
  } finally {
    await connection.end();
  }
  const after = processes.map((p) => cpuMsOf(p.child.pid as number));
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(
    `${ids.length} accepted, ${delivered} delivered in ${seconds.toFixed(1)} s\n\n| process | CPU ms | ms per delivered message |\n|---|---:|---:|\n`,
  );
  let total = 0;
  processes.forEach((p, i) => {
    const ms = (after[i] as number) - (before[i] as number);
    total += p.name === 'simulator' ? 0 : ms;
    process.stdout.write(`| ${p.name} | ${ms} | ${(ms / Math.max(1, delivered)).toFixed(3)} |\n`);
  });
  process.stdout.write(`| services (no simulator) | ${total} | ${(total / Math.max(1, delivered)).toFixed(3)} |\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `idle measurement failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
