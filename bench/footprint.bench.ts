/**
 * What each distributed process costs with no traffic and how much memory it holds (issue #18: ≤ 0.5 % of a
 * core idle and ≤ 200 MB RSS per service). Starts the fault suite's topology (scripts/distributed.ts's
 * processes on a database, Redis key prefix and topic prefix of their own, on the shared servers), sends a
 * few messages so every path has run once, lets it settle, then:
 *
 *  1. RSS after warm-up (VmRSS from /proc/<pid>/status);
 *  2. idle CPU: utime + stime over FOOTPRINT_IDLE_S (60) seconds with nothing sent, % of one core;
 *  3. FOOTPRINT_LOAD_S (60) seconds of `POST /v1/messages` at FOOTPRINT_LOAD_RATE (50) per second, then RSS
 *     again after 10 s, and the peak (VmHWM) over the process's life.
 *
 *   node -r ./scripts/register.js bench/footprint.bench.ts
 *   FOOTPRINT_SETTLE_S (20), FOOTPRINT_PORT_OFFSET (930); env reaches the services (e.g. KAFKA_FETCH_MAX_WAIT_MS)
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ChaosEnvironment, SERVICES } from '../test/chaos/environment';
import { LoadClient } from '../test/chaos/load';
import { DESTINATIONS, warmUp } from '../test/chaos/suite';
import { cpuMsOf } from './lib/process-cpu';
import { ROOT } from './lib/processes';

const seconds = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);

  return Number.isFinite(value) && value >= 0 ? value : fallback;
};
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A field of /proc/<pid>/status in MB (VmRSS, VmHWM); 0 where /proc is not readable. */
export function statusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${field}:`));

    return Number(line?.split(/\s+/)[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

async function main(): Promise<void> {
  const settleS = seconds('FOOTPRINT_SETTLE_S', 20);
  const idleS = seconds('FOOTPRINT_IDLE_S', 60);
  const loadS = seconds('FOOTPRINT_LOAD_S', 60);
  const rate = seconds('FOOTPRINT_LOAD_RATE', 50);
  const runId = `fp${randomBytes(3).toString('hex')}`;
  const dir = path.join(ROOT, 'tmp', 'footprint', runId);
  mkdirSync(dir, { recursive: true });
  const server = new URL(process.env['MYSQL_URL'] ?? 'mysql://root@127.0.0.1:3306/sms_test');
  server.pathname = '';
  const env = await ChaosEnvironment.start({
    runId,
    mysqlServerUrl: server.toString().replace(/\/$/, ''),
    redisUrl: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    kafkaBrokers: process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092',
    portOffset: seconds('FOOTPRINT_PORT_OFFSET', 930),
    dir,
    onOutput: (name, line) => appendFileSync(path.join(dir, 'services.log'), `[${name}] ${line}\n`),
  });
  try {
    await warmUp(env.intakeUrl, env.apiKey, 4);
    await sleep(settleS * 1000);
    const processes = [
      ...env.topology.processes
        .filter((p) => p.name === 'simulator')
        .map((p) => ({ name: p.name, pid: p.child.pid as number })),
      ...SERVICES.map((name) => ({ name, pid: env.pidOf(name) })),
    ];
    const rssWarm = processes.map((p) => statusMb(p.pid, 'VmRSS'));
    const cpuBefore = processes.map((p) => cpuMsOf(p.pid));
    await sleep(idleS * 1000);
    const idleMs = processes.map((p, i) => cpuMsOf(p.pid) - (cpuBefore[i] as number));
    let accepted = 0;
    if (loadS > 0) {
      const client = new LoadClient({
        url: env.intakeUrl,
        apiKey: env.apiKey,
        rate,
        maxRequests: Math.round(rate * loadS),
        maxMs: loadS * 1000 + 10_000,
        timeoutMs: 30_000,
        destinations: DESTINATIONS,
      });
      client.start();
      await client.finished();
      accepted = client.acceptedIds().length;
      await sleep(10_000);
    }
    const rssLoaded = processes.map((p) => statusMb(p.pid, 'VmRSS'));
    const peak = processes.map((p) => statusMb(p.pid, 'VmHWM'));
    const load = (
      process.env['KAFKA_FETCH_MAX_WAIT_MS']
        ? `KAFKA_FETCH_MAX_WAIT_MS=${process.env['KAFKA_FETCH_MAX_WAIT_MS']}; `
        : ''
    ).concat(`box load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
    process.stdout.write(
      `\n${load}; load phase: ${accepted} messages accepted in ${loadS} s at ${rate}/s\n\n` +
        `| process | idle % of a core (${idleS} s) | RSS after warm-up MB | RSS after load MB | peak RSS MB |\n` +
        `|---|---:|---:|---:|---:|\n`,
    );
    processes.forEach((p, i) => {
      process.stdout.write(
        `| ${p.name} | ${(((idleMs[i] as number) / (idleS * 1000)) * 100).toFixed(2)} | ${(rssWarm[i] as number).toFixed(0)} | ` +
          `${(rssLoaded[i] as number).toFixed(0)} | ${(peak[i] as number).toFixed(0)} |\n`,
      );
    });
  } finally {
    await env.stop();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `footprint bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
}
