/**
 * What arming a provider call's deadline costs, without the call: `AbortSignal.timeout` per call (its timer
 * fires after the timeout whatever became of the call) against `withDeadline` (an AbortController and a
 * timer cleared when the call settles), each with one abort listener as undici adds. Per round, CALLS
 * deadlines in waves of 100 a turn, then a wait of TIMEOUT_MS so the timers that fire are charged to their
 * case; CPU (process.cpuUsage) per call, the two cases in alternation, ROUNDS times.
 *
 *   node -r ./scripts/register.js bench/provider-deadline.bench.ts
 *
 * Env (defaults): CALLS 50000, TIMEOUT_MS 1000, ROUNDS 5.
 */
import { loadavg } from 'node:os';
import { withDeadline } from '@sms/provider-port';

const CALLS = Number(process.env['CALLS'] ?? 50_000);
const TIMEOUT_MS = Number(process.env['TIMEOUT_MS'] ?? 1_000);
const ROUNDS = Number(process.env['ROUNDS'] ?? 5);
const WAVE = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const listen = async (signal: AbortSignal): Promise<void> => {
  const onAbort = (): void => undefined;
  signal.addEventListener('abort', onAbort, { once: true });
  await Promise.resolve();
  signal.removeEventListener('abort', onAbort);
};
const cases = {
  timeout: () => listen(AbortSignal.timeout(TIMEOUT_MS)),
  deadline: () => withDeadline(TIMEOUT_MS, listen),
};

async function round(arm: () => Promise<void>): Promise<number> {
  const before = process.cpuUsage();
  for (let done = 0; done < CALLS; done += WAVE) {
    await Promise.all(Array.from({ length: WAVE }, arm));
    await new Promise((resolve) => setImmediate(resolve));
  }
  await sleep(TIMEOUT_MS + 200);
  const used = process.cpuUsage(before);

  return Math.round(((used.user + used.system) / CALLS) * 100) / 100;
}

async function main(): Promise<void> {
  console.log(JSON.stringify({ load: loadavg().map((l) => l.toFixed(1)), CALLS, TIMEOUT_MS }));
  for (const arm of Object.values(cases)) {
    await round(arm); // warm-up
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, arm] of Object.entries(cases)) {
      console.log(JSON.stringify({ case: name, usPerCall: await round(arm) }));
    }
  }
}

void main();
