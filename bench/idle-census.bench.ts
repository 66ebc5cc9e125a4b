/**
 * What wakes each distributed service with no traffic, source by source (issue #18: ≤ 0.5 % of a core idle).
 * Starts the fault suite's topology as bench/footprint.bench.ts does, with bench/lib/wakeup-census.preload.js
 * in every service, sends a few messages so every path has run once, lets it settle, then over a window
 * with nothing sent reads, per service: CPU (its threads' run time, lib/process-cpu.ts) as % of a core, context switches of all its
 * threads per second (each is a wake-up), and the census: timer callbacks by where they were armed, kafkajs
 * requests by client and API, socket reads by remote port, each per second.
 *
 *   node -r ./scripts/register.js bench/idle-census.bench.ts
 *   CENSUS_SETTLE_S (30), CENSUS_WINDOW_S (30), CENSUS_TOP (12), CENSUS_PORT_OFFSET (960); the environment
 *   reaches the services, so a setting can be compared by running the bench with it.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ChaosEnvironment, SERVICES } from '../test/chaos/environment';
import { warmUp } from '../test/chaos/suite';
import { threadCpuMsOf } from './lib/process-cpu';
import { ROOT } from './lib/processes';

const seconds = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);

  return Number.isFinite(value) && value >= 0 ? value : fallback;
};
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Voluntary + involuntary context switches of every thread of `pid`. */
function contextSwitchesOf(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/task`).reduce((sum, tid) => {
      const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
      const switches = [...status.matchAll(/_ctxt_switches:\s+(\d+)/g)].map((m) => Number(m[1]));

      return sum + switches.reduce((a, b) => a + b, 0);
    }, 0);
  } catch {
    return 0;
  }
}

async function readCensus(file: string): Promise<Record<string, number>> {
  for (let tries = 0; tries < 50 && !existsSync(file); tries++) {
    await sleep(100);
  }

  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>) : {};
}

async function main(): Promise<void> {
  const settleS = seconds('CENSUS_SETTLE_S', 30);
  const windowS = seconds('CENSUS_WINDOW_S', 30);
  const top = seconds('CENSUS_TOP', 12);
  const runId = `ic${randomBytes(3).toString('hex')}`;
  const dir = path.join(ROOT, 'tmp', 'idle-census', runId);
  mkdirSync(dir, { recursive: true });
  process.env['WAKEUP_CENSUS_DIR'] = dir;
  const preload = path.join(__dirname, 'lib', 'wakeup-census.preload.js');
  const server = new URL(process.env['MYSQL_URL'] ?? 'mysql://root@127.0.0.1:3306/sms_test');
  server.pathname = '';
  const env = await ChaosEnvironment.start({
    runId,
    mysqlServerUrl: server.toString().replace(/\/$/, ''),
    redisUrl: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    kafkaBrokers: process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092',
    portOffset: seconds('CENSUS_PORT_OFFSET', 960),
    dir,
    onOutput: (name, line) => appendFileSync(path.join(dir, 'services.log'), `[${name}] ${line}\n`),
    nodeArgs: Object.fromEntries(SERVICES.map((s) => [s, ['-r', preload]])),
  });
  try {
    await warmUp(env.intakeUrl, env.apiKey, 4);
    await sleep(settleS * 1000);
    const services = SERVICES.map((name) => ({ name, pid: env.pidOf(name) }));
    services.forEach((s) => process.kill(s.pid, 'SIGUSR2'));
    await sleep(500);
    // The first signal wrote the counts since start: gone, so what is read below is the window's.
    services.forEach((s) => rmSync(path.join(dir, `${s.pid}.json`), { force: true }));
    const cpuBefore = services.map((s) => threadCpuMsOf(s.pid));
    const switchesBefore = services.map((s) => contextSwitchesOf(s.pid));
    await sleep(windowS * 1000);
    const cpuMs = services.map((s, i) => threadCpuMsOf(s.pid) - (cpuBefore[i] as number));
    const switches = services.map((s, i) => contextSwitchesOf(s.pid) - (switchesBefore[i] as number));
    services.forEach((s) => process.kill(s.pid, 'SIGUSR2'));
    const loadAverage = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    process.stdout.write(`\nbox load average ${loadAverage}; window ${windowS} s after ${settleS} s settled\n`);
    for (const [i, s] of services.entries()) {
      const census = await readCensus(path.join(dir, `${s.pid}.json`));
      const pct = (((cpuMs[i] as number) / (windowS * 1000)) * 100).toFixed(2);
      const perS = ((switches[i] as number) / windowS).toFixed(1);
      process.stdout.write(`\n${s.name}: ${pct} % of a core, ${perS} context switches/s\n`);
      Object.entries(census)
        .slice(0, top)
        .forEach(([source, count]) => process.stdout.write(`  ${(count / windowS).toFixed(2)}/s  ${source}\n`));
    }
  } finally {
    await env.stop();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `idle census failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
}
