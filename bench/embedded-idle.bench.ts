/**
 * The embedded gateway's CPU with no traffic after a burst, slice by slice (issue #18: ≤ 0.5 % of a core idle;
 * docs/performance.md, "Embedded: idle after a burst"). Starts the gateway as the e2e bench does (`npm start`'s
 * entry point, the simulator in process), sends IDLE_BURST messages (default 3,000) through 50 keep-alive
 * connections, waits until every one is final (or none is left queued, sending or sent, or the statuses stop moving for 30 s) and a 5-s window is quiet
 * (under QUIET_PCT, default 3, % of a core), then reads the gateway's thread run time over IDLE_S seconds
 * (default 90) in IDLE_SLICE_S slices (default 10), and its main thread's voluntary context switches (each a
 * wake-up). Nothing polls the gateway meanwhile (the e2e bench reads the SQLite file from its own process).
 *
 *   node -r ./scripts/register.js bench/embedded-idle.bench.ts [--node-flags=...] [--cpu-prof=<dir>]
 *   IDLE_BURST, IDLE_S, IDLE_SLICE_S, IDLE_ROUNDS (default 1: bursts, each followed by its idle window),
 *   QUIET_PCT
 */
import { readFileSync } from 'node:fs';
import { e2eOptionsFromArgv } from './lib/e2e-options';
import { STARTERS } from './lib/e2e-targets';
import { threadCpuMsOf } from './lib/process-cpu';
import { RawLoadProcess } from './lib/raw-load-process';

const numberOf = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);

  return process.env[name] !== undefined && Number.isFinite(value) && value >= 0 ? value : fallback;
};
/** Statuses a message leaves on its own soon (`unknown` waits for a lookup much later, `scheduled` for its time). */
const PENDING = new Set(['queued', 'sending', 'sent']);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Voluntary context switches of the main thread: each is the loop waking from epoll. */
function wakeUpsOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/task/${pid}/status`, 'utf8');

  return Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);

  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

async function main(): Promise<void> {
  const burst = numberOf('IDLE_BURST', 3_000);
  const idleS = numberOf('IDLE_S', 90);
  const sliceS = Math.max(1, numberOf('IDLE_SLICE_S', 10));
  const rounds = Math.max(1, numberOf('IDLE_ROUNDS', 1));
  const quietPct = numberOf('QUIET_PCT', 3);
  const options = e2eOptionsFromArgv(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`));
  const target = await STARTERS.embedded(options);
  const generator = await RawLoadProcess.start();
  const pid = target.pids['gateway'] as number;
  try {
    for (let round = 1; round <= rounds; round++) {
      const before = await target.finalCount();
      const started = Date.now();
      const run = await generator.run({
        ...target.load,
        count: burst,
        rate: 100_000,
        warmUp: 0,
        connections: 50,
        timeoutMs: 30_000,
      });
      // Final, or settled: a starved loop classes some sends ambiguous (`unknown`), left for reconciliation.
      let last = '';
      let stableSince = Date.now();
      while ((await target.finalCount()) - before < run.result.ok && Date.now() - stableSince < 30_000) {
        const counts = (await target.statusCounts?.()) ?? {};
        if (!Object.keys(counts).some((status) => PENDING.has(status))) {
          break;
        }
        const now = JSON.stringify(counts);
        if (now !== last) {
          last = now;
          stableSince = Date.now();
        }
        await sleep(200);
      }
      // Then quiet: a 5-s window under QUIET_PCT % of a core (retries and lookups of the burst done).
      for (let tries = 0; tries < 60; tries++) {
        const cpu0 = threadCpuMsOf(pid);
        await sleep(5_000);
        if ((threadCpuMsOf(pid) - cpu0) / 50 < quietPct) {
          break;
        }
      }
      const finalS = (Date.now() - started) / 1000;
      const slices: string[] = [];
      const pcts: number[] = [];
      for (let done = 0; done < idleS; done += sliceS) {
        const cpu0 = threadCpuMsOf(pid);
        const wake0 = wakeUpsOf(pid);
        const t0 = Date.now();
        await sleep(Math.min(sliceS, idleS - done) * 1_000);
        const elapsed = Date.now() - t0;
        const pct = ((threadCpuMsOf(pid) - cpu0) / elapsed) * 100;
        pcts.push(pct);
        slices.push(`${pct.toFixed(2)}% (${(((wakeUpsOf(pid) - wake0) * 1000) / elapsed).toFixed(1)}/s)`);
      }
      process.stdout.write(
        `round ${round}: ${run.result.ok}/${burst} accepted, settled after ${finalS.toFixed(1)} s ${last}; idle by ` +
          `${sliceS}-s slice, % of a core (main-thread wake-ups/s): ${slices.join(', ')}; median ` +
          `${median(pcts).toFixed(2)}%, after the first slice ${median(pcts.slice(1)).toFixed(2)}%\n`,
      );
    }
  } finally {
    await generator.close();
    await target.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
