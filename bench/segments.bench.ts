/**
 * countSegments throughput against a naive baseline, in one process so both see the same machine state.
 * Run: `node -r @swc-node/register bench/segments.bench.ts`. A bench runner can call `runSegmentsBench()`.
 *
 * The baseline is the obvious implementation (spread into code points, Set lookups, arrays of costs): it is
 * what the direct scan replaces, so the ratio shows what the lookup table buys on this machine.
 */
import { countSegments, GSM7_BASIC_TABLE, GSM7_ESCAPE, GSM7_EXTENSION_TABLE } from '@sms/segments';

export interface BenchResult {
  readonly name: string;
  readonly medianOpsPerSec: number;
}

interface Counted {
  readonly encoding: 'GSM-7' | 'UCS-2';
  readonly segments: number;
  readonly units: number;
}

const WARM_UP_MS = 500;
const RUN_MS = 300;
const RUNS = 5;

// Bodies reach countSegments from JSON.parse, which yields flat strings; concatenated literals would be V8 cons
// strings, slower to index, and would measure something intake never sees.
const flat = (text: string): string => JSON.parse(JSON.stringify(text)) as string;

// 160 characters of the basic table: the single-part GSM-7 message that dominates real traffic.
const GSM_TEXT = flat(
  'Your verification code is 482913. It expires in 10 minutes. Do not share it with anyone, our staff '
    .concat('will never ask for it. Reply STOP to opt out of alerts.')
    .padEnd(160, '.'),
);
// 300 UTF-16 units of Cyrillic with a few emoji (surrogate pairs): a 5-part UCS-2 message.
const UCS2_TEXT = flat(
  'Ваш код подтверждения 482913 😀 действует 10 минут. Никому его не сообщайте 👍 '.repeat(4).slice(0, 300),
);

const BASIC = new Set([...GSM7_BASIC_TABLE].filter((_, septet) => septet !== GSM7_ESCAPE));
const EXTENSION = new Set(GSM7_EXTENSION_TABLE.keys());

function naiveCountSegments(text: string): Counted {
  const chars = [...text];
  const gsm = chars.every((char) => BASIC.has(char) || EXTENSION.has(char));
  const costs = chars.map((char) => (gsm ? (EXTENSION.has(char) ? 2 : 1) : char.length));
  const units = costs.reduce((sum, cost) => sum + cost, 0);
  const encoding = gsm ? 'GSM-7' : 'UCS-2';
  if (units <= (gsm ? 160 : 70)) {
    return { encoding, segments: 1, units };
  }
  const perPart = gsm ? 153 : 67;
  let segments = 1;
  let fill = 0;
  for (const cost of costs) {
    if (fill + cost > perPart) {
      segments++;
      fill = 0;
    }
    fill += cost;
  }

  return { encoding, segments, units };
}

// One loop per implementation, so each call site stays monomorphic and V8 may inline what it calls.
function loopDirect(text: string, iterations: number): number {
  let sink = 0;
  for (let i = 0; i < iterations; i++) {
    sink += countSegments(text).segments;
  }

  return sink;
}

function loopNaive(text: string, iterations: number): number {
  let sink = 0;
  for (let i = 0; i < iterations; i++) {
    sink += naiveCountSegments(text).segments;
  }

  return sink;
}

type Loop = (text: string, iterations: number) => number;

// Written to after every run so the optimiser cannot prove the loops' results unused.
let blackhole = 0;

function opsPerSec(loop: Loop, text: string, iterations: number): number {
  const start = process.hrtime.bigint();
  blackhole += loop(text, iterations);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;

  return iterations / seconds;
}

async function measure(loop: Loop, text: string): Promise<number> {
  // Warm-up doubles as calibration: size each timed run to about RUN_MS at the warmed-up rate.
  let iterations = 1_000;
  let elapsed = 0;
  let rate = 0;
  while (elapsed < WARM_UP_MS) {
    rate = opsPerSec(loop, text, iterations);
    elapsed += (iterations / rate) * 1_000;
    iterations *= 2;
  }
  const perRun = Math.max(1_000, Math.round((rate * RUN_MS) / 1_000));
  const rates: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    // Yield between runs so a runner's timers and I/O are not starved for the whole bench.
    await new Promise((resolve) => setImmediate(resolve));
    rates.push(opsPerSec(loop, text, perRun));
  }

  return median(rates);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);

  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function assertSameAnswer(text: string): void {
  const direct = countSegments(text);
  const naive = naiveCountSegments(text);
  if (direct.encoding !== naive.encoding || direct.segments !== naive.segments || direct.units !== naive.units) {
    throw new Error(`baseline disagrees: ${JSON.stringify(direct)} vs ${JSON.stringify(naive)}`);
  }
}

export async function runSegmentsBench(): Promise<BenchResult[]> {
  const cases = [
    { label: `GSM-7 ${GSM_TEXT.length} chars`, text: GSM_TEXT },
    { label: `UCS-2 ${UCS2_TEXT.length} units`, text: UCS2_TEXT },
  ];
  const results: BenchResult[] = [];
  for (const { label, text } of cases) {
    assertSameAnswer(text);
    results.push({ name: `countSegments ${label}`, medianOpsPerSec: await measure(loopDirect, text) });
    results.push({ name: `naive baseline ${label}`, medianOpsPerSec: await measure(loopNaive, text) });
  }
  if (blackhole === 0) {
    throw new Error('benchmark loops produced no work');
  }

  return results;
}

async function main(): Promise<void> {
  const format = (n: number): string => Math.round(n).toLocaleString('en-US');
  console.log(`node ${process.version}, ${RUNS} runs of ~${RUN_MS} ms after ${WARM_UP_MS} ms warm-up, median`);
  const results = await runSegmentsBench();
  for (let i = 0; i + 1 < results.length; i += 2) {
    const direct = results[i];
    const naive = results[i + 1];
    if (!direct || !naive) {
      continue;
    }
    console.log(`${direct.name.padEnd(40)} ${format(direct.medianOpsPerSec).padStart(12)} ops/s`);
    console.log(`${naive.name.padEnd(40)} ${format(naive.medianOpsPerSec).padStart(12)} ops/s`);
    console.log(
      `${'ratio (direct / baseline)'.padEnd(40)} ${(direct.medianOpsPerSec / naive.medianOpsPerSec).toFixed(1)}x`,
    );
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
