/**
 * End to end, issue #18's benchmark: `POST /v1/messages` from a keep-alive generator in its own process
 * until every accepted message is final (delivered, both of the simulator's receipts processed), for the
 * embedded gateway, the distributed gateway and, in the same run, Kannel's sendsms → fakesmsc as the peer.
 *
 *   npm run bench -- --only=e2e [--mode=embedded|distributed|both] [--kannel=false] [--runs=3] [--duration=15]
 *                    [--latency-duration=6] [--idle=10] [--idle-settle=30] [--connections=50] [--senders=8]
 *                    [--sim-latency=0] [--burst=<messages in each measured burst, fixed; default: the last rate × duration>]
 *                    [--cpu-prof=<dir>]   (then: node -r ./scripts/register.js bench/lib/cpuprofile-summary.ts <file>)
 *                    [--node-flags=--max-semi-space-size=32,...]   (our processes' node flags, default the start scripts')
 *
 * Per target: a warm-up burst (its rate sizes the next ones), the CPU of every process over the
 * --idle-settle seconds after it (the burst's tail, reported apart) and then over --idle seconds (idle), --runs bursts of about --duration seconds end to end (medians reported), then the accept
 * latency at half the sustained rate (and, distributed, at 1,000/s when the pipeline can drain it).
 * CPU is utime+stime from /proc per process, charged per final message, with each process's idle use
 * over the same window subtracted; counts per message come from the drivers' statement counter
 * (SQL_STATEMENT_COUNTING), the broker's offsets under the run's topic prefix and the HTTP counters.
 * docs/performance.md explains the method and keeps the figures.
 */
import { readFileSync } from 'node:fs';
import { type E2eMode, type E2eOptions, e2eOptionsFromArgv } from './lib/e2e-options';
import {
  cpuPerMessage,
  cpuTicksFromStat,
  endToEndRate,
  median,
  medianByKey,
  nothingInFlight,
  type ModeFigures,
  offsetsDelta,
  offsetsDeltaBy,
  peakRssMbFromStatus,
  type TargetCheck,
  verdicts,
} from './lib/e2e-stats';
import { STARTERS, type Target, type TargetName } from './lib/e2e-targets';
import { type OffsetSnapshot } from './lib/kafka-offsets';
import { threadCpuMsOf } from './lib/process-cpu';
import { onInterrupt } from './lib/processes';
import { RawLoadProcess } from './lib/raw-load-process';

const CLOCK_TICKS_PER_S = 100;
/** Offered to find the sustained rate: far above any target's, so the generator's connections set the pace. */
const FLOOD_RATE = 100_000;
/** The distributed accept latency is measured at this rate when the pipeline keeps up with at least ... */
const THOUSAND = 1_000;
/** ... this share of it, so draining what it accepts takes seconds, not minutes. */
const THOUSAND_OFFERED_FROM = 0.8;
/** How often a burst checks for final messages. */
const POLL_MS = 100;

// ---------------------------------------------------------------------------------------------------------------
// /proc readings

function cpuMsOf(pid: number): number {
  try {
    return (cpuTicksFromStat(readFileSync(`/proc/${pid}/stat`, 'utf8')) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return Number.NaN;
  }
}

function peakRssMbOf(pid: number): number {
  try {
    return peakRssMbFromStatus(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return Number.NaN;
  }
}

const cpuOfAll = (pids: Readonly<Record<string, number>>): Record<string, number> =>
  Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMsOf(pid)]));

/**
 * For idle windows: our services' CPU to the nanosecond (threadCpuMsOf; at 10-ms ticks a 5-s slice reads in
 * steps of 0.2 % of a core, against a 0.5 % target), the shared servers' in ticks (their connection threads
 * come and go, and an ended thread's time would leave the sum).
 */
const idleCpuOfAll = (pids: Readonly<Record<string, number>>, ours: readonly string[]): Record<string, number> =>
  Object.fromEntries(
    Object.entries(pids).map(([name, pid]) => [name, ours.includes(name) ? threadCpuMsOf(pid) : cpuMsOf(pid)]),
  );

const minus = (a: Record<string, number>, b: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.keys(a).map((k) => [k, (a[k] ?? Number.NaN) - (b[k] ?? Number.NaN)]));

/** Per key, the mean of the records that have it. */
const meanByKey = (records: readonly Record<string, number>[]): Record<string, number> => {
  const keys = new Set(records.flatMap((r) => Object.keys(r)));

  return Object.fromEntries(
    [...keys].map((k) => {
      const values = records.map((r) => r[k]).filter((v): v is number => v !== undefined);

      return [k, values.reduce((a, b) => a + b, 0) / values.length];
    }),
  );
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------------------------
// Bursts

export interface BurstResult {
  readonly offeredRate: number;
  readonly requests: number;
  readonly accepted: number;
  /** Accepted messages that became final within the deadline. */
  readonly final: number;
  readonly errors: Record<string, number>;
  readonly acceptP50: number;
  readonly acceptP99: number;
  /** Accepted messages final per second, first request → last final. */
  readonly endToEndRate: number;
  /** Whether every accepted message became final before the deadline. */
  readonly complete: boolean;
  readonly windowMs: number;
  /** CPU ms used over the window, per process. */
  readonly cpuMs: Record<string, number>;
  /**
   * Per final message: sqlPerMessage, httpPerMessage, kafkaProducedPerMessage, kafkaConsumedPerMessage, and
   * the breakdowns `sql:<process>`, `produced:<topic>`, `consumed:<group>`.
   */
  readonly counts: Record<string, number>;
}

/** Records produced per topic and consumed per group, per message, the run's prefix left out of the names. */
function kafkaCounts(
  a: OffsetSnapshot,
  b: OffsetSnapshot,
  prefix: string,
  per: (n: number) => number,
): Record<string, number> {
  const counts: Record<string, number> = {
    kafkaProducedPerMessage: per(offsetsDelta(a.ends, b.ends)),
    kafkaConsumedPerMessage: per(offsetsDelta(a.committed, b.committed)),
  };
  const strip = (name: string): string => (name.startsWith(prefix) ? name.slice(prefix.length) : name);
  for (const [topic, n] of Object.entries(offsetsDeltaBy(a.ends, b.ends, (k) => k.slice(0, k.lastIndexOf('/'))))) {
    counts[`produced:${strip(topic)}`] = per(n);
  }
  for (const [group, n] of Object.entries(offsetsDeltaBy(a.committed, b.committed, (k) => k.split('/')[0] ?? k))) {
    counts[`consumed:${strip(group)}`] = per(n);
  }

  return counts;
}

async function burst(
  target: Target,
  generator: RawLoadProcess,
  count: number,
  rate: number,
  options: E2eOptions,
  expectedRate: number,
): Promise<BurstResult> {
  const before = {
    final: await target.finalCount(),
    counters: await target.counters?.(),
    offsets: await target.kafka?.snapshot(),
  };
  const pids = { ...target.pids, generator: generator.pid };
  const cpu0 = cpuOfAll(pids);
  const run = await generator.run({
    ...target.load,
    count,
    rate,
    warmUp: 0,
    connections: options.connections,
    timeoutMs: 30_000,
  });
  const accepted = run.result.ok;
  // Twice the expected time and at least a minute: a slow drain shows as an incomplete run, not a hang.
  const deadline = Date.now() + Math.max(60_000, (2_000 * accepted) / Math.max(expectedRate, 1));
  let finalAt = Date.now();
  let final = 0;
  while (Date.now() < deadline) {
    final = (await target.finalCount()) - before.final;
    finalAt = Date.now();
    if (final >= accepted) {
      break;
    }
    await sleep(POLL_MS);
  }
  const cpu = minus(cpuOfAll(pids), cpu0);
  const after = {
    counters: await target.counters?.(),
    offsets: await target.kafka?.snapshot(),
  };
  const per = (n: number): number => (final > 0 ? n / final : Number.NaN);
  const counts: Record<string, number> = {};
  if (before.counters && after.counters) {
    const b = before.counters;
    const a = after.counters;
    counts['sqlPerMessage'] = per(a.sql - b.sql);
    // The generator's requests are among the services' served ones; provider calls are outbound.
    counts['httpPerMessage'] = per(a.httpServed - b.httpServed + a.providerCalls - b.providerCalls);
    for (const name of Object.keys(a.sqlBy)) {
      counts[`sql:${name}`] = per((a.sqlBy[name] ?? 0) - (b.sqlBy[name] ?? 0));
    }
  } else {
    counts['sqlPerMessage'] = 0;
    counts['httpPerMessage'] = per(accepted);
  }
  if (before.offsets && after.offsets) {
    Object.assign(counts, kafkaCounts(before.offsets, after.offsets, target.kafkaPrefix ?? '', per));
  }

  return {
    offeredRate: rate,
    requests: run.result.sent,
    accepted,
    final,
    errors: run.result.errors,
    acceptP50: run.result.p50,
    acceptP99: run.result.p99,
    endToEndRate: endToEndRate(final, run.startedAt, finalAt),
    complete: final >= accepted,
    windowMs: finalAt - run.startedAt,
    cpuMs: cpu,
    counts,
  };
}

export interface TargetResult {
  readonly name: TargetName;
  readonly notes: readonly string[];
  readonly idlePct: Record<string, number>;
  /** % of a core per process in each 5-s slice between the warm-up's drain and the idle window. */
  readonly idleTailPct: Record<string, number>[];
  readonly runs: BurstResult[];
  readonly sustainedRate: number;
  /** Median over runs of net CPU ms per final message (idle subtracted), per process. */
  readonly cpuMsPerMessage: Record<string, number>;
  readonly grossCpuMsPerMessage: Record<string, number>;
  readonly counts: Record<string, number>;
  readonly halfRate?: BurstResult;
  readonly thousand?: BurstResult;
  readonly thousandNote?: string;
  readonly peakRssMb: Record<string, number>;
  readonly services: readonly string[];
  readonly statusAtEnd: Record<string, number>;
  readonly error?: string;
}

async function waitDrained(target: Target): Promise<void> {
  // Nothing left moving: the final count holds still for a second and no message is queued or sending. A
  // burst whose sends went ambiguous on a starved loop leaves retries and lookups for a minute or more after
  // the final count first pauses; measured as idle, they read 3-10 % of a core.
  let last = -1;
  for (let i = 0; i < 120; i++) {
    const now = await target.finalCount();
    if (now === last && nothingInFlight(await target.statusCounts())) {
      return;
    }
    last = now;
    await sleep(1_000);
  }
}

/** Seconds per figure of the burst's tail (TargetResult.idleTailPct). */
const IDLE_TAIL_SLICE_S = 5;

/**
 * Each process's CPU as % of a core over consecutive slices of `sliceS` seconds filling `totalS`. The bench
 * polls for final messages during a burst (a COUNT on MariaDB, status.txt on bearerbox): it polls the same
 * way here, so that cost lands in the idle rate subtracted from the bursts.
 */
async function cpuPctSlices(
  target: Target,
  pids: Readonly<Record<string, number>>,
  totalS: number,
  sliceS: number,
): Promise<Record<string, number>[]> {
  const slices: Record<string, number>[] = [];
  for (let done = 0; done < totalS; done += sliceS) {
    const cpu0 = idleCpuOfAll(pids, target.services);
    const start = Date.now();
    const lengthMs = Math.min(sliceS, totalS - done) * 1_000;
    while (Date.now() - start < lengthMs) {
      await target.finalCount();
      await sleep(POLL_MS);
    }
    const elapsedMs = Date.now() - start;
    slices.push(
      Object.fromEntries(
        Object.entries(minus(idleCpuOfAll(pids, target.services), cpu0)).map(([name, ms]) => [
          name,
          (ms / elapsedMs) * 100,
        ]),
      ),
    );
  }

  return slices;
}

async function benchTarget(target: Target, generator: RawLoadProcess, options: E2eOptions): Promise<TargetResult> {
  const log = options.log;
  const pids = { ...target.pids, generator: generator.pid };
  const warmCount = target.name === 'kannel' ? 5_000 : 300;
  const warm = await burst(target, generator, warmCount, FLOOD_RATE, options, 50);
  log(`  warm-up: ${warm.accepted}/${warm.requests} accepted, ${Math.round(warm.endToEndRate)}/s end to end`);
  await waitDrained(target);

  // The burst's tail, then idle: every process with no traffic, after the warm-up's work has settled.
  await sleep(2_000);
  const idleTailPct = await cpuPctSlices(target, pids, options.idleSettleS, IDLE_TAIL_SLICE_S);
  const idlePct = (await cpuPctSlices(target, pids, options.idleS, options.idleS))[0] ?? {};

  const runs: BurstResult[] = [];
  let estimate = warm.endToEndRate;
  for (let i = 0; i < options.runs; i++) {
    const count = options.burstCount ?? Math.max(200, Math.min(300_000, Math.round(estimate * options.durationS)));
    const result = await burst(target, generator, count, FLOOD_RATE, options, estimate);
    runs.push(result);
    if (Number.isFinite(result.endToEndRate)) {
      estimate = result.endToEndRate;
    }
    log(
      `  run ${i + 1}: ${result.accepted}/${result.requests} accepted` +
        `${Object.keys(result.errors).length ? ` (errors ${JSON.stringify(result.errors)})` : ''}, ` +
        `${Math.round(result.endToEndRate)}/s end to end${result.complete ? '' : ' (NOT all final)'}`,
    );
    await waitDrained(target);
  }
  const sustainedRate = median(runs.map((r) => r.endToEndRate));
  const perMessage = (r: BurstResult, net: boolean): Record<string, number> =>
    Object.fromEntries(
      Object.entries(r.cpuMs).map(([name, ms]) => {
        const figure = cpuPerMessage(ms, idlePct[name] ?? 0, r.windowMs, r.final);

        return [name, net ? figure.net : figure.gross];
      }),
    );
  const cpuMsPerMessage = medianByKey(runs.map((r) => perMessage(r, true)));
  const grossCpuMsPerMessage = medianByKey(runs.map((r) => perMessage(r, false)));
  const counts = medianByKey(
    runs.map(
      (r) =>
        Object.fromEntries(Object.entries(r.counts ?? {}).filter(([, v]) => v !== undefined)) as Record<string, number>,
    ),
  );

  let halfRate: BurstResult | undefined;
  if (Number.isFinite(sustainedRate) && sustainedRate > 0) {
    const rate = sustainedRate / 2;
    halfRate = await burst(
      target,
      generator,
      Math.max(50, Math.round(rate * options.latencyS)),
      rate,
      options,
      sustainedRate,
    );
    log(
      `  at ${Math.round(rate)}/s (half): accept p50 ${halfRate.acceptP50.toFixed(2)} ms, p99 ${halfRate.acceptP99.toFixed(1)} ms`,
    );
    await waitDrained(target);
  }
  let thousand: BurstResult | undefined;
  let thousandNote: string | undefined;
  if (target.name === 'distributed') {
    if (sustainedRate >= THOUSAND * THOUSAND_OFFERED_FROM) {
      thousand = await burst(
        target,
        generator,
        Math.round(THOUSAND * options.latencyS),
        THOUSAND,
        options,
        sustainedRate,
      );
      log(`  at 1,000/s: accept p50 ${thousand.acceptP50.toFixed(2)} ms, p99 ${thousand.acceptP99.toFixed(1)} ms`);
      await waitDrained(target);
    } else {
      thousandNote =
        `1,000/s not offered: the pipeline finishes ${Math.round(sustainedRate)}/s, so ${options.latencyS} s at ` +
        `1,000/s would take ${Math.round((THOUSAND * options.latencyS) / Math.max(sustainedRate, 1))} s to drain`;
      log(`  ${thousandNote}`);
    }
  }

  return {
    name: target.name,
    notes: target.notes,
    idlePct,
    idleTailPct,
    runs,
    sustainedRate,
    cpuMsPerMessage,
    grossCpuMsPerMessage,
    counts,
    halfRate,
    thousand,
    thousandNote,
    peakRssMb: Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, peakRssMbOf(pid)])),
    services: target.services,
    statusAtEnd: await target.statusCounts(),
  };
}

export interface E2eResult {
  readonly options: Omit<E2eOptions, 'log'>;
  readonly targets: TargetResult[];
  readonly kannelRate: number;
  readonly ratios: Record<string, number>;
  readonly checks: TargetCheck[];
}

export async function runE2eBench(options: E2eOptions): Promise<E2eResult> {
  const names: TargetName[] = [...(options.kannel ? (['kannel'] as const) : []), ...options.modes];
  const generator = await RawLoadProcess.start();
  const forgetGenerator = onInterrupt(() => generator.close());
  const targets: TargetResult[] = [];
  try {
    for (const name of names) {
      options.log(`\n#### ${name}`);
      let target: Target | undefined;
      try {
        target = await STARTERS[name](options);
        targets.push(await benchTarget(target, generator, options));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        options.log(`  ${name} failed: ${message}`);
        targets.push({
          name,
          notes: [],
          idlePct: {},
          idleTailPct: [],
          runs: [],
          sustainedRate: Number.NaN,
          cpuMsPerMessage: {},
          grossCpuMsPerMessage: {},
          counts: {},
          peakRssMb: {},
          services: [],
          statusAtEnd: {},
          error: message,
        });
      } finally {
        await target?.stop().catch((error: unknown) => options.log(`  ${name}: stop failed: ${String(error)}`));
      }
    }
  } finally {
    await generator.close();
    forgetGenerator();
  }
  if (targets.every((t) => t.error !== undefined)) {
    throw new Error(`no target could be measured: ${targets.map((t) => `${t.name}: ${t.error}`).join('; ')}`);
  }
  const kannelRate = targets.find((t) => t.name === 'kannel')?.sustainedRate ?? Number.NaN;
  const ratios = Object.fromEntries(
    targets.filter((t) => t.name !== 'kannel').map((t) => [t.name, t.sustainedRate / kannelRate]),
  );
  const checks = targets
    .filter((t): t is TargetResult & { name: E2eMode } => t.name !== 'kannel')
    .flatMap((t) =>
      verdicts(
        {
          mode: t.name,
          sustainedRate: t.sustainedRate,
          halfRateP99: t.halfRate?.acceptP99 ?? Number.NaN,
          thousandP99: t.thousand?.acceptP99,
          cpuMsPerMessage: t.cpuMsPerMessage,
          idlePct: t.idlePct,
          peakRssMb: t.peakRssMb,
          services: t.services,
        } satisfies ModeFigures,
        kannelRate,
      ),
    );
  const { log: _log, ...recorded } = options;

  return { options: recorded, targets, kannelRate, ratios, checks };
}

// ---------------------------------------------------------------------------------------------------------------
// Report

const f = (n: number | undefined, digits = 2): string =>
  n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(digits);
const r = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');

export function formatE2e(result: E2eResult): string {
  const lines: string[] = [];
  for (const t of result.targets) {
    lines.push(`\n${t.name}${t.error ? `: could not run (${t.error.split('\n')[0]})` : ''}`);
    if (t.error) {
      continue;
    }
    for (const note of t.notes) {
      lines.push(`  ${note}`);
    }
    const ratio = t.name === 'kannel' ? '' : `, ${f(result.ratios[t.name], 3)}× Kannel`;
    lines.push(
      `  sustained end to end ${r(t.sustainedRate)} msg/s (median of ${t.runs.length}: ` +
        `${t.runs.map((x) => r(x.endToEndRate)).join(', ')})${ratio}`,
    );
    if (t.halfRate) {
      lines.push(
        `  accept at ${r(t.halfRate.offeredRate)}/s (half): p50 ${f(t.halfRate.acceptP50)} ms, p99 ${f(t.halfRate.acceptP99, 1)} ms`,
      );
    }
    if (t.thousand) {
      lines.push(`  accept at 1,000/s: p50 ${f(t.thousand.acceptP50)} ms, p99 ${f(t.thousand.acceptP99, 1)} ms`);
    } else if (t.thousandNote) {
      lines.push(`  ${t.thousandNote}`);
    }
    lines.push(
      `  ${'process'.padEnd(14)} ${'CPU ms/msg'.padStart(10)} ${'(gross)'.padStart(8)} ${'idle %'.padStart(7)} ` +
        `${'tail %'.padStart(7)} ${'peak RSS MB'.padStart(11)}   (tail: the first 10 s after the warm-up's drain)`,
    );
    const tail = meanByKey(t.idleTailPct.slice(0, 2));
    const names = Object.keys(t.cpuMsPerMessage);
    for (const name of names) {
      lines.push(
        `  ${name.padEnd(14)} ${f(t.cpuMsPerMessage[name]).padStart(10)} ${f(t.grossCpuMsPerMessage[name]).padStart(8)} ` +
          `${f(t.idlePct[name]).padStart(7)} ${f(tail[name]).padStart(7)} ${f(t.peakRssMb[name], 0).padStart(11)}`,
      );
    }
    const sum = (keep: (name: string) => boolean): number =>
      names.filter(keep).reduce((total, name) => total + (t.cpuMsPerMessage[name] ?? 0), 0);
    lines.push(`  ${'all'.padEnd(14)} ${f(sum(() => true)).padStart(10)}`);
    lines.push(
      `  ${'all but sim+gen'.padEnd(14)} ${f(sum((n) => n !== 'simulator' && n !== 'generator')).padStart(10)}`,
    );
    const c = t.counts;
    lines.push(
      `  per message: SQL statements ${f(c['sqlPerMessage'], 1)}, HTTP exchanges ${f(c['httpPerMessage'], 1)}` +
        (c['kafkaProducedPerMessage'] === undefined
          ? ''
          : `, Kafka records produced ${f(c['kafkaProducedPerMessage'], 1)}, consumed ${f(c['kafkaConsumedPerMessage'], 1)}`),
    );
    const breakdown = (kind: string): string =>
      Object.entries(c)
        .filter(([k, v]) => k.startsWith(`${kind}:`) && v > 0)
        .map(([k, v]) => `${k.slice(kind.length + 1)} ${f(v, 1)}`)
        .join(', ');
    for (const [kind, label] of [
      ['sql', 'SQL statements by process'],
      ['produced', 'records produced by topic'],
      ['consumed', 'records consumed by group'],
    ] as const) {
      if (breakdown(kind)) {
        lines.push(`    ${label}: ${breakdown(kind)}`);
      }
    }
    lines.push(`  ledger at the end: ${JSON.stringify(t.statusAtEnd)}`);
  }

  return lines.join('\n');
}

if (require.main === module) {
  const log = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  runE2eBench(e2eOptionsFromArgv(process.argv.slice(2), log)).then(
    (result) => {
      log(formatE2e(result));
      for (const c of result.checks) {
        log(`  ${c.met === null ? '?' : c.met ? 'MET' : 'MISSED'} ${c.target}: ${c.measured} (target ${c.required})`);
      }
    },
    (error: unknown) => {
      process.stderr.write(
        `e2e bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
