import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { cpuNiceOfThreads, setCpuNice } from './cpu-priority';

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
