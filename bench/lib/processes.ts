/**
 * Child processes and CPU accounting for the benches: servers under test are separate processes (never
 * the generator's event loop), optionally pinned with taskset, and their CPU is read from /proc so no
 * dependency (pidusage) is needed.
 */
import { type ChildProcess, execFileSync, spawn, type SpawnOptions } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setPriority } from 'node:os';
import path from 'node:path';

export const ROOT = path.join(__dirname, '..', '..');
const REGISTER = path.join(ROOT, 'scripts', 'register.js');

export interface ServerProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly url: string;
  /** Last lines of output, shown when start-up fails. */
  readonly output: string[];
  stop(graceMs?: number): Promise<void>;
}

let tasksetAvailable: boolean | undefined;

/** taskset exists and this process may set affinity (some containers forbid it). */
export function canPin(): boolean {
  if (tasksetAvailable === undefined) {
    try {
      execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
      tasksetAvailable = true;
    } catch {
      tasksetAvailable = false;
    }
  }

  return tasksetAvailable;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Runs a TypeScript entry point with the repo's SWC loader, pinned to `cpus` when given. */
export function spawnTs(
  name: string,
  script: string,
  env: Record<string, string>,
  cpus?: string,
  /** Node flags before the loader, e.g. `--cpu-prof` (which NODE_OPTIONS does not accept). */
  nodeFlags: readonly string[] = [],
): { child: ChildProcess; output: string[] } {
  const nodeArgs = [...nodeFlags, '-r', REGISTER, path.join(ROOT, script)];
  const options: SpawnOptions = { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] };
  // taskset execs node in place, so child.pid is node's pid and every thread it starts inherits the mask.
  const child = cpus
    ? spawn('taskset', ['-c', cpus, process.execPath, ...nodeArgs], options)
    : spawn(process.execPath, nodeArgs, options);
  const output: string[] = [];
  const keep = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() !== '') {
        output.push(`[${name}] ${line}`);
        if (output.length > 40) {
          output.shift();
        }
      }
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  return { child, output };
}

export async function waitReady(
  child: ChildProcess,
  url: string,
  output: readonly string[],
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${url} exited during start-up (${child.exitCode ?? child.signalCode}):\n${output.join('\n')}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms:\n${output.join('\n')}`);
}

export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export async function startServer(
  name: string,
  script: string,
  env: Record<string, string>,
  port: number,
  cpus?: string,
  nodeFlags: readonly string[] = [],
): Promise<ServerProcess> {
  const { child, output } = spawnTs(name, script, { ...env, PORT: String(port) }, cpus, nodeFlags);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady(child, `${url}/readyz`, output);
  } catch (error) {
    await stopChild(child, 2_000);
    throw error;
  }

  const forget = onInterrupt(() => stopChild(child, 2_000));

  return {
    name,
    child,
    url,
    output,
    stop: async (graceMs) => {
      await stopChild(child, graceMs);
      forget();
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// CPU from /proc: utime + stime of a pid (all its threads), and the machine's busy time.

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds a process has used, or undefined when it is gone or /proc is unavailable. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after its closing parenthesis.
    // fields[0] is field 3 (state), so utime (14) and stime (15) are at 11 and 12.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');

    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** Busy and total CPU seconds of the whole machine (all cores), from the first line of /proc/stat. */
function machineCpuSeconds(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const values = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = values.reduce((a, b) => a + b, 0);
    const idle = (values[3] ?? 0) + (values[4] ?? 0);

    return { busy: (total - idle) / CLOCK_TICKS, total: total / CLOCK_TICKS };
  } catch {
    return undefined;
  }
}

export interface CpuReport {
  /** Percent of one core per named process over the window (200 = both cores of a 2-core box). */
  readonly perProcess: Record<string, number>;
  /** Whole machine, percent of one core; includes anything else running on the box. */
  readonly machine: number;
  /** machine minus the named processes: other tenants, the kernel's softirq work, the bench runner. */
  readonly unaccounted: number;
}

export class CpuSampler {
  private start?: { at: number; perPid: Map<string, number>; machine?: { busy: number; total: number } };
  private report?: CpuReport;

  constructor(private readonly pids: () => Record<string, number | undefined>) {}

  begin(): void {
    const perPid = new Map<string, number>();
    for (const [name, pid] of Object.entries(this.pids())) {
      const cpu = pid === undefined ? undefined : processCpuSeconds(pid);
      if (cpu !== undefined) {
        perPid.set(name, cpu);
      }
    }
    this.start = { at: performance.now(), perPid, machine: machineCpuSeconds() };
  }

  end(): CpuReport | undefined {
    if (!this.start) {
      return undefined;
    }
    const elapsedS = (performance.now() - this.start.at) / 1_000;
    const perProcess: Record<string, number> = {};
    let named = 0;
    for (const [name, pid] of Object.entries(this.pids())) {
      const before = this.start.perPid.get(name);
      const after = pid === undefined ? undefined : processCpuSeconds(pid);
      if (before !== undefined && after !== undefined) {
        const pct = ((after - before) / elapsedS) * 100;
        perProcess[name] = pct;
        named += pct;
      }
    }
    const m0 = this.start.machine;
    const m1 = machineCpuSeconds();
    const machine = m0 && m1 ? ((m1.busy - m0.busy) / elapsedS) * 100 : Number.NaN;
    this.report = { perProcess, machine, unaccounted: machine - named };
    this.start = undefined;

    return this.report;
  }
}

/** Pids listening on the given loopback ports (MariaDB, Redis, Kafka), read from `ss`; empty when ss is absent. */
export function listeningPids(ports: Record<string, number>): Record<string, number | undefined> {
  const found: Record<string, number | undefined> = {};
  let table = '';
  try {
    table = execFileSync('ss', ['-ltnpH'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  } catch {
    return found;
  }
  for (const [name, port] of Object.entries(ports)) {
    const line = table.split('\n').find((l) => new RegExp(`:${port}\\s`).test(l) && l.includes('pid='));
    const pid = line ? /pid=(\d+)/.exec(line)?.[1] : undefined;
    found[name] = pid === undefined ? undefined : Number(pid);
  }

  return found;
}

/**
 * Sets the nice value of every thread of `pid` (Linux applies setpriority to one thread; threads created
 * later inherit it from their creator). On a shared box a negative value keeps other tenants' builds from
 * being billed to the target. Returns false when not permitted.
 */
export function setNice(pid: number | undefined, nice: number): boolean {
  if (pid === undefined || nice === 0) {
    return false;
  }
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      setPriority(Number(tid), nice);
    }

    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Children to stop when the runner is interrupted: without this, Ctrl-C or a kill of the runner would leave
// servers, services and a broker running.

const cleanups = new Set<() => Promise<void>>();

export function onInterrupt(cleanup: () => Promise<void>): () => void {
  cleanups.add(cleanup);

  return () => cleanups.delete(cleanup);
}

export async function runInterruptCleanups(): Promise<void> {
  const pending = [...cleanups].reverse();
  cleanups.clear();
  for (const cleanup of pending) {
    await cleanup().catch(() => undefined);
  }
}
