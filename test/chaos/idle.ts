/**
 * Idle CPU of each distributed process (issue #18: ≤ 0.5 % of a core per service with no traffic). Starts
 * the fault suite's gateway (scripts/distributed.ts's processes on a database, Redis key prefix and topic
 * prefix of its own, on the shared servers), sends a few messages so every path has run once, lets it
 * settle, then reads utime+stime from /proc/<pid>/stat of every process over a window with no traffic.
 *
 *   node -r ./scripts/register.js test/chaos/idle.ts
 *
 * Settings (environment): IDLE_SETTLE_S (default 30), IDLE_WINDOW_S (default 60), IDLE_PROFILE=1 (each
 * service also writes a .cpuprofile into the run directory), CHAOS_PORT_OFFSET (default 870), KAFKA_BROKERS,
 * REDIS_URL, MYSQL_URL (the server; a database of its own is created and dropped).
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { cpuMsOf } from '../../bench/lib/process-cpu';
import type { ServiceName } from '../../scripts/distributed';
import { ChaosEnvironment, SERVICES } from './environment';
import { sleep } from './private-infra';
import { warmUp } from './suite';

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
  } finally {
    await env.stop();
  }
  if (profile) {
    process.stdout.write(`\nprofiles under ${dir}/<service>/\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `idle measurement failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
