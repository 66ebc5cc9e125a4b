import { readdirSync } from 'node:fs';
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

/** Node reports setpriority's errno in `info.code` of an ERR_SYSTEM_ERROR. */
const isGone = (error: unknown): boolean => {
  const info = (error as { info?: { code?: unknown } } | null)?.info;

  return info?.code === 'ESRCH' || info?.code === 'ENOENT';
};
