import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** Nice values a service may ask for: 0 (the default) to 19 (runs only on CPU nobody else wants). */
export const CPU_NICE_RANGE = { min: 0, max: 19 } as const;

/**
 * Sets the CPU nice value of every thread of a process (default: this one) and returns how many it set.
 *
 * Why every thread: on Linux the nice value belongs to a thread, and setpriority(pid) moves the main thread
 * only; V8's GC and compiler threads and libuv's pool, started at boot, would keep the old value. Threads
 * started afterwards inherit the value of the thread that starts them. Where /proc is absent (macOS) the
 * value is the process's and one call sets it.
 *
 * Lowering a priority needs no privilege; raising it again (a smaller value) needs CAP_SYS_NICE, so that
 * failure is thrown. A thread that exits meanwhile is skipped.
 */
export function setCpuNice(nice: number, pid: number = process.pid): number {
  if (!Number.isInteger(nice) || nice < -20 || nice > 19) {
    throw new RangeError(`nice must be an integer from -20 to 19, got ${nice}`);
  }
  const threads = threadsOf(pid);
  if (threads === null) {
    setPriority(pid, nice);

    return 1;
  }
  let set = 0;
  for (const tid of threads) {
    try {
      setPriority(tid, nice);
      set++;
    } catch (error) {
      if (!isGone(error) || tid === pid) {
        throw error;
      }
    }
  }

  return set;
}

/** The nice value of each thread of a process (thread id → nice); the process's own where /proc is absent. */
export function cpuNiceOfThreads(pid: number = process.pid): Map<number, number> {
  const threads = threadsOf(pid) ?? [pid];
  const nice = new Map<number, number>();
  for (const tid of threads) {
    try {
      nice.set(tid, getPriority(tid));
    } catch (error) {
      if (!isGone(error)) {
        throw error;
      }
    }
  }

  return nice;
}

function threadsOf(pid: number): number[] | null {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    return null;
  }
}

/**
 * Linux scheduling policies a service may ask for. `other` is the default time sharing, weighted by the nice
 * value. `idle` (SCHED_IDLE) runs a thread only on CPU no `other` thread wants. Unlike nice 19, which still
 * holds a core until the scheduler's next decision, a SCHED_IDLE thread gives the core up as soon as an
 * `other` thread wakes on it (ADR 0016).
 */
export const CPU_POLICIES = ['other', 'idle'] as const;
export type CpuPolicy = (typeof CPU_POLICIES)[number];

/** A process's CPU priority: its scheduling policy and nice value (CPU_POLICY and CPU_NICE). */
export interface CpuPriority {
  readonly nice: number;
  readonly policy: CpuPolicy;
}

/** Kernel policy numbers, as /proc/<pid>/task/<tid>/stat reports them (field 41) and chrt names them. */
const POLICY_NUMBERS: Readonly<Record<CpuPolicy, number>> = { other: 0, idle: 5 };
const POLICY_NAMES = new Map(Object.entries(POLICY_NUMBERS).map(([name, value]) => [value, name as CpuPolicy]));

/**
 * Sets the scheduling policy of every thread of a process (default: this one). Threads started afterwards
 * inherit it from the thread that starts them, as with the nice value.
 *
 * Node exposes setpriority but not sched_setscheduler, so util-linux's `chrt` (in every Debian-based image,
 * the Dockerfile's included) makes the call: once per process at boot, not on any hot path. Moving to `idle`
 * needs no privilege; leaving it needs CAP_SYS_NICE, so that failure is thrown, as is a missing `chrt`.
 */
export function setCpuPolicy(policy: CpuPolicy, pid: number = process.pid): void {
  if (!CPU_POLICIES.includes(policy)) {
    throw new RangeError(`policy must be one of ${CPU_POLICIES.join(', ')}, got ${String(policy)}`);
  }
  if (process.platform !== 'linux') {
    throw new Error(`CPU policy ${policy} needs Linux (SCHED_IDLE), this is ${process.platform}`);
  }
  execFileSync('chrt', [`--${policy}`, '--all-tasks', '--pid', '0', String(pid)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

/** The scheduling policy of each thread of a process (thread id → policy name, or its number when unnamed). */
export function cpuPolicyOfThreads(pid: number = process.pid): Map<number, CpuPolicy | number> {
  const policies = new Map<number, CpuPolicy | number>();
  for (const tid of threadsOf(pid) ?? []) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch (error) {
      if (!isGone(error)) {
        throw error;
      }
      continue;
    }
    // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const value = Number(fields[41 - 3]);
    policies.set(tid, POLICY_NAMES.get(value) ?? value);
  }

  return policies;
}

/** A service's CPU priority (CPU_NICE and CPU_POLICY): applied before its pools and clients start threads. */
export function applyCpuPriority(priority: CpuPriority): void {
  if (priority.nice !== 0) {
    setCpuNice(priority.nice);
  }
  if (priority.policy !== 'other') {
    setCpuPolicy(priority.policy);
  }
}

/** Node reports setpriority's errno in `info.code` of an ERR_SYSTEM_ERROR. */
const isGone = (error: unknown): boolean => {
  const info = (error as { info?: { code?: unknown } } | null)?.info;

  return info?.code === 'ESRCH' || info?.code === 'ENOENT' || (error as { code?: unknown } | null)?.code === 'ENOENT';
};
