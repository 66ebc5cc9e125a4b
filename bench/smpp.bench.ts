/**
 * SMPP submit throughput: the adapter (this process) against the simulated SMSC (apps/simulator, a child
 * process, so client and SMSC do not share an event loop). The baseline is one bind with window 1 (every submit
 * waits for the previous submit_sm_resp: stop-and-wait); it is compared in the same run with the windowed pool.
 * Receipts are on (registered_delivery 1) and consumed, so the SMSC and the adapter also carry the DLR traffic.
 *
 *   npm run bench -- --only=smpp                      (with the other benches' runner)
 *   node -r ./scripts/register.js bench/smpp.bench.ts (alone)
 *   SMPP_BENCH_BINDS=2 SMPP_BENCH_WINDOW=20 SMPP_BENCH_RUNS=5 SMPP_BENCH_RUN_MS=2000
 */
import { parseSmppConfig, SmppSmsProvider } from '@sms/provider-smpp';
import { canPin, freePort, onInterrupt, spawnTs, stopChild, waitReady } from './lib/processes';

export interface SmppBenchCase {
  readonly name: string;
  readonly binds: number;
  readonly window: number;
  readonly runsPerSec: number[];
  readonly medianPerSec: number;
  readonly errors: number;
}

/** One SMSC answer latency: the stop-and-wait baseline against the configured pool, same run. */
export interface SmppBenchScenario {
  readonly smscLatencyMs: number;
  readonly baseline: SmppBenchCase;
  readonly windowed: SmppBenchCase;
  /** Windowed median over the baseline median. */
  readonly ratio: number;
}

export interface SmppBenchResult {
  readonly scenarios: SmppBenchScenario[];
  readonly runMs: number;
  readonly runs: number;
  readonly pinned: boolean;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);

  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

const envInt = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);

  return Number.isInteger(value) && value > 0 ? value : fallback;
};

/** Keeps `binds × window` sends in flight for `runMs`; returns accepted submits per second and the errors. */
async function measure(provider: SmppSmsProvider, concurrency: number, runMs: number): Promise<[number, number]> {
  let accepted = 0;
  let errors = 0;
  let sequence = 0;
  const deadline = Date.now() + runMs;
  const started = Date.now();
  const worker = async (): Promise<void> => {
    while (Date.now() < deadline) {
      sequence += 1;
      try {
        await provider.send({
          messageId: `bench-${sequence}`,
          to: `+4670${String(1_000_000 + (sequence % 8_999_999)).padStart(7, '0')}`,
          from: '+46701740605',
          body: 'Your verification code is 482913. It expires in 10 minutes.',
          encoding: 'GSM-7',
          segments: 1,
        });
        accepted += 1;
      } catch {
        errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));

  return [(accepted * 1_000) / (Date.now() - started), errors];
}

async function runCase(port: number, name: string, binds: number, window: number, runs: number, runMs: number) {
  const provider = new SmppSmsProvider(
    parseSmppConfig({
      SMPP_HOST: '127.0.0.1',
      SMPP_PORT: String(port),
      SMPP_SYSTEM_ID: 'smppsim',
      SMPP_PASSWORD: 'simpass',
      SMPP_BINDS: String(binds),
      SMPP_WINDOW: String(window),
    }),
  );
  // Receipts are taken (transceiver binds) and dropped: the SMSC's DLR traffic is part of the load.
  provider.attachWebhookSink(() => Promise.resolve());
  const runsPerSec: number[] = [];
  let errors = 0;
  try {
    await measure(provider, binds * window, 500); // bind + warm-up (JIT, TCP windows)
    for (let run = 0; run < runs; run++) {
      const [perSec, failed] = await measure(provider, binds * window, runMs);
      runsPerSec.push(perSec);
      errors += failed;
    }
  } finally {
    await provider.close();
  }

  return { name, binds, window, runsPerSec, medianPerSec: median(runsPerSec), errors };
}

async function setLatency(httpPort: number, latencyMs: number): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${httpPort}/sim/knobs/smpp`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ latencyMs }),
  });
  if (!response.ok) {
    throw new Error(`could not set the SMSC latency: ${response.status}`);
  }
}

export async function runSmppBench(log: (line: string) => void = console.log): Promise<SmppBenchResult> {
  const runs = envInt('SMPP_BENCH_RUNS', 5);
  const runMs = envInt('SMPP_BENCH_RUN_MS', 2_000);
  const binds = envInt('SMPP_BENCH_BINDS', 2);
  const window = envInt('SMPP_BENCH_WINDOW', 20);
  const [httpPort, smppPort] = [await freePort(), await freePort()];
  const pinned = canPin();
  const sim = spawnTs(
    'simulator',
    'apps/simulator/src/main.ts',
    {
      SIM_PORT: String(httpPort),
      SIM_HOST: '127.0.0.1',
      SMPP_SIM_PORT: String(smppPort),
      LOG_LEVEL: 'warn',
    },
    pinned ? '1' : undefined,
  );
  const stop = (): Promise<void> => stopChild(sim.child);
  const forget = onInterrupt(stop);
  try {
    await waitReady(sim.child, `http://127.0.0.1:${httpPort}/sim/knobs/smpp`, sim.output);
    const scenarios: SmppBenchScenario[] = [];
    // 0 ms: loopback, CPU-bound on both sides. 10 ms: an SMSC that answers like a nearby real one, where the
    // window is what sets the rate (T = binds × window / latency, docs/performance.md, "Reference figures").
    for (const latencyMs of [0, 10]) {
      await setLatency(httpPort, latencyMs);
      log(`  SMSC answer latency ${latencyMs} ms:`);
      const baseline = await runCase(smppPort, 'baseline: 1 bind, window 1', 1, 1, runs, runMs);
      log(`    ${baseline.name.padEnd(32)} ${Math.round(baseline.medianPerSec).toString().padStart(7)} submits/s`);
      const label = `${binds} bind${binds > 1 ? 's' : ''}, window ${window}`;
      const windowed = await runCase(smppPort, label, binds, window, runs, runMs);
      const ratio = windowed.medianPerSec / Math.max(1, baseline.medianPerSec);
      log(
        `    ${windowed.name.padEnd(32)} ${Math.round(windowed.medianPerSec).toString().padStart(7)} submits/s ` +
          `(${ratio.toFixed(1)}x the baseline, errors ${windowed.errors})`,
      );
      scenarios.push({ smscLatencyMs: latencyMs, baseline, windowed, ratio });
    }

    return { scenarios, runMs, runs, pinned };
  } finally {
    await stop();
    forget();
  }
}

if (require.main === module) {
  runSmppBench().then(
    (result) => {
      console.log(JSON.stringify(result, null, 2));
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
