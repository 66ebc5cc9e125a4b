import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { applyCpuPriority, cpuNiceOfThreads, cpuPolicyOfThreads, setCpuNice, setCpuPolicy } from './cpu-priority';

const ROOT = path.join(__dirname, '..', '..', '..', '..', '..');
const hasProc = existsSync('/proc/self/task');

/** Runs a script in a fresh Node process (the test's own process keeps its priority), returning its JSON. */
function inChild<T>(script: string): T {
  const out = execFileSync(process.execPath, ['-r', './scripts/register.js', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
  });

  return JSON.parse(out.trim().split('\n').pop() ?? 'null') as T;
}

const MODULE = JSON.stringify(path.join(__dirname, 'cpu-priority.ts'));

describe('setCpuNice', () => {
  it('refuses a value that is not a nice value', () => {
    expect(() => setCpuNice(20, 1)).toThrow(RangeError);
    expect(() => setCpuNice(-21, 1)).toThrow(RangeError);
    expect(() => setCpuNice(1.5, 1)).toThrow(RangeError);
  });

  (hasProc ? it : it.skip)('moves every thread of the process, and threads started later inherit it', () => {
    // Skipped without /proc (macOS): there the value is the process's and there are no threads to count.
    const result = inChild<{ before: number[]; set: number; after: number[]; later: number[] }>(`
      const { Worker } = require('node:worker_threads');
      const { setCpuNice, cpuNiceOfThreads } = require(${MODULE});
      const idle = () => new Worker('setInterval(() => {}, 1000)', { eval: true });
      const first = idle();
      setTimeout(() => {
        const before = [...cpuNiceOfThreads().values()];
        const set = setCpuNice(7);
        const after = [...cpuNiceOfThreads().values()];
        const second = idle();
        setTimeout(() => {
          const later = [...cpuNiceOfThreads().values()];
          console.log(JSON.stringify({ before, set, after, later }));
          process.exit(0);
        }, 300);
      }, 300);
    `);

    // V8's platform threads, libuv's and the worker's: far more than the main thread alone.
    expect(result.before.length).toBeGreaterThan(3);
    expect(result.before.every((nice) => nice === result.before[0])).toBe(true);
    expect(result.before[0]).not.toBe(7);
    expect(result.set).toBe(result.before.length);
    expect(result.after).toEqual(result.after.map(() => 7));
    expect(result.later.length).toBeGreaterThan(result.after.length);
    expect(result.later).toEqual(result.later.map(() => 7));
  });

  describe('on another process', () => {
    let child: ChildProcess;

    beforeEach(async () => {
      child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      await new Promise((resolve) => child.once('spawn', resolve));
    });

    afterEach(async () => {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    });

    it('sets each of its threads', () => {
      const pid = child.pid as number;
      const set = setCpuNice(5, pid);

      const nice = [...cpuNiceOfThreads(pid).values()];
      expect(set).toBe(hasProc ? nice.length : 1);
      expect(nice.length).toBeGreaterThan(0);
      expect(nice).toEqual(nice.map(() => 5));
    });
  });

  it('fails for a process that does not exist', () => {
    expect(() => setCpuNice(5, 2 ** 22 + 12_345)).toThrow(/ESRCH|no such process/);
  });
});

describe('setCpuPolicy', () => {
  it('refuses a policy it does not know', () => {
    expect(() => setCpuPolicy('fifo' as never, 1)).toThrow(RangeError);
  });

  // SCHED_IDLE is Linux's: elsewhere setCpuPolicy throws, which the next test does not cover.
  (process.platform === 'linux' ? it : it.skip)(
    'moves every thread to SCHED_IDLE, and threads started later inherit it',
    () => {
      const result = inChild<{ before: unknown[]; after: unknown[]; later: unknown[]; nice: number[] }>(`
      const { Worker } = require('node:worker_threads');
      const { applyCpuPriority, cpuPolicyOfThreads, cpuNiceOfThreads } = require(${MODULE});
      const idle = () => new Worker('setInterval(() => {}, 1000)', { eval: true });
      idle();
      setTimeout(() => {
        const before = [...cpuPolicyOfThreads().values()];
        applyCpuPriority({ nice: 3, policy: 'idle' });
        const after = [...cpuPolicyOfThreads().values()];
        idle();
        setTimeout(() => {
          const later = [...cpuPolicyOfThreads().values()];
          console.log(JSON.stringify({ before, after, later, nice: [...cpuNiceOfThreads().values()] }));
          process.exit(0);
        }, 300);
      }, 300);
    `);

      expect(result.before.length).toBeGreaterThan(3);
      expect(result.before).toEqual(result.before.map(() => 'other'));
      expect(result.after).toEqual(result.after.map(() => 'idle'));
      expect(result.later.length).toBeGreaterThan(result.after.length);
      expect(result.later).toEqual(result.later.map(() => 'idle'));
      // Both halves of the priority are applied: the nice value as well as the policy.
      expect(result.nice).toEqual(result.nice.map(() => 3));
    },
  );

  it('leaves a process alone when asked for the defaults', () => {
    const before = cpuPolicyOfThreads();
    applyCpuPriority({ nice: 0, policy: 'other' });

    expect(cpuPolicyOfThreads()).toEqual(before);
  });
});
