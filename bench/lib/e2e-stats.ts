/**
 * The end-to-end bench's pure arithmetic: /proc parsing, medians, counter and offset deltas, CPU per message
 * and the verdict against issue #18's targets. No I/O here, so every rule is unit-tested (e2e-stats.spec.ts).
 */

/** utime + stime, in clock ticks, from the text of /proc/<pid>/stat (all threads of the process). */
export function cpuTicksFromStat(stat: string): number {
  // The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
  // fields[0] is field 3 (state), so utime (14) and stime (15) are at 11 and 12.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);

  return Number.isFinite(ticks) ? ticks : Number.NaN;
}

/** Peak resident set (VmHWM) in MB from the text of /proc/<pid>/status; NaN when absent. */
export function peakRssMbFromStatus(status: string): number {
  const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);

  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/** Median of the finite values; NaN when there are none. */
/**
 * Statuses the gateway moves on by itself within seconds: routing and sending, and a retry's backoff or an
 * ambiguous send's lookup (the message is `queued` again meanwhile). `sent` is left out: it waits for a
 * receipt that may never come (the deadline sweep's business, an hour later).
 */
const WORKING_STATUSES = ['queued', 'sending'] as const;

/** True when no message is in a status the gateway is still working on (a burst's work is over). */
export function nothingInFlight(counts: Readonly<Record<string, number>>): boolean {
  return WORKING_STATUSES.every((status) => (counts[status] ?? 0) === 0);
}

export function median(values: readonly number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) {
    return Number.NaN;
  }
  const middle = Math.floor(sorted.length / 2);

  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Per-key medians of several runs' records (keys missing from a run are left out of that key's median). */
export function medianByKey(runs: readonly Readonly<Record<string, number>>[]): Record<string, number> {
  const keys = new Set(runs.flatMap((r) => Object.keys(r)));

  return Object.fromEntries([...keys].map((k) => [k, median(runs.map((r) => r[k] ?? Number.NaN))]));
}

export type Labels = Readonly<Record<string, string>>;

/** Every sample of `metric` in a Prometheus text exposition, with its labels. */
export function promSamples(text: string, metric: string): { labels: Labels; value: number }[] {
  const samples: { labels: Labels; value: number }[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(metric) || (line[metric.length] !== '{' && line[metric.length] !== ' ')) {
      continue;
    }
    const close = line.lastIndexOf('}');
    const labelText = line[metric.length] === '{' ? line.slice(metric.length + 1, close) : '';
    const value = Number(
      line
        .slice((close > 0 ? close : metric.length) + 1)
        .trim()
        .split(' ')[0],
    );
    const labels: Record<string, string> = {};
    for (const match of labelText.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[match[1] as string] = (match[2] as string).replace(/\\(.)/g, '$1');
    }
    if (Number.isFinite(value)) {
      samples.push({ labels, value });
    }
  }

  return samples;
}

/** Sum of `metric`'s samples whose labels pass `keep`. */
export function promSum(text: string, metric: string, keep: (labels: Labels) => boolean = () => true): number {
  return promSamples(text, metric)
    .filter((s) => keep(s.labels))
    .reduce((sum, s) => sum + s.value, 0);
}

/**
 * Sum over keys (topic/partition, or group/topic/partition) of after − before. A key first seen after is
 * counted from 0: the run's topics are fresh (their own prefix), so a partition or group offset that did not
 * exist before the run started at 0. A key that went backwards (a deleted and recreated topic) counts 0.
 */
export function offsetsDelta(
  before: Readonly<Record<string, number>>,
  after: Readonly<Record<string, number>>,
): number {
  let sum = 0;
  for (const [key, end] of Object.entries(after)) {
    const start = Math.max(before[key] ?? 0, 0);
    sum += Math.max(0, end - start);
  }

  return sum;
}

/** {@link offsetsDelta} per group of keys, e.g. per topic (`topic/partition` → topic) or per consumer group. */
export function offsetsDeltaBy(
  before: Readonly<Record<string, number>>,
  after: Readonly<Record<string, number>>,
  groupOf: (key: string) => string,
): Record<string, number> {
  const grouped: Record<string, number> = {};
  for (const key of Object.keys(after)) {
    const group = groupOf(key);
    grouped[group] = (grouped[group] ?? 0) + offsetsDelta({ [key]: before[key] ?? 0 }, { [key]: after[key] ?? 0 });
  }

  return grouped;
}

/**
 * CPU ms per message over a window: gross, and net of the process's own idle use over the same window
 * (what it would have burnt with no traffic: timers, polls, a shared server's other tenants).
 */
export function cpuPerMessage(
  cpuMs: number,
  idlePctOfCore: number,
  windowMs: number,
  messages: number,
): { gross: number; net: number } {
  if (messages <= 0) {
    return { gross: Number.NaN, net: Number.NaN };
  }
  const idleMs = Number.isFinite(idlePctOfCore) ? (idlePctOfCore / 100) * windowMs : 0;

  return { gross: cpuMs / messages, net: Math.max(0, cpuMs - idleMs) / messages };
}

/** Messages finished per second from the first request's send to the instant the last one was final. */
export function endToEndRate(messages: number, firstSentAt: number, lastFinalAt: number): number {
  const seconds = (lastFinalAt - firstSentAt) / 1000;

  return seconds > 0 ? messages / seconds : Number.NaN;
}

export interface TargetCheck {
  readonly target: string;
  readonly required: string;
  readonly measured: string;
  /** null: not measured (the verdict cannot be given). */
  readonly met: boolean | null;
}

export interface ModeFigures {
  readonly mode: 'embedded' | 'distributed';
  readonly sustainedRate: number;
  /** Accept p99 at half the sustained rate, ms. */
  readonly halfRateP99: number;
  /** Accept p99 at 1,000/s, ms; undefined when not offered. */
  readonly thousandP99?: number;
  /** Net CPU ms per delivered message per process (idle subtracted). */
  readonly cpuMsPerMessage: Readonly<Record<string, number>>;
  /** Idle use per process, % of one core. */
  readonly idlePct: Readonly<Record<string, number>>;
  readonly peakRssMb: Readonly<Record<string, number>>;
  /** The processes that are services of ours (idle and RSS targets apply to them only). */
  readonly services: readonly string[];
}

const fixed = (n: number, digits: number): string => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

/** Processes left out of the distributed CPU sum: the simulator stands for the providers, the generator for callers. */
export const OUTSIDE_THE_CPU_TARGET = ['simulator', 'generator'];

/** The verdicts of issue #18's targets for one mode (Kannel's rate is the embedded target's yardstick). */
export function verdicts(figures: ModeFigures, kannelRate: number): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const { mode } = figures;
  if (mode === 'embedded') {
    const ratio = figures.sustainedRate / kannelRate;
    checks.push({
      target: 'embedded end to end vs Kannel sendsms',
      required: '≥ 0.5× Kannel',
      measured: `${fixed(ratio, 3)}× (${fixed(figures.sustainedRate, 0)}/s vs ${fixed(kannelRate, 0)}/s)`,
      met: Number.isFinite(ratio) ? ratio >= 0.5 : null,
    });
    checks.push({
      target: 'embedded accept p99 at half the sustained rate',
      required: '≤ 25 ms',
      measured: `${fixed(figures.halfRateP99, 1)} ms`,
      met: Number.isFinite(figures.halfRateP99) ? figures.halfRateP99 <= 25 : null,
    });
  } else {
    const summed = Object.entries(figures.cpuMsPerMessage)
      .filter(([name]) => !OUTSIDE_THE_CPU_TARGET.includes(name))
      .reduce((sum, [, ms]) => sum + ms, 0);
    checks.push({
      target: 'distributed CPU per delivered message, every process but the simulator and generator',
      required: '≤ 1.5 ms',
      measured: `${fixed(summed, 2)} ms`,
      met: Number.isFinite(summed) && Object.keys(figures.cpuMsPerMessage).length > 0 ? summed <= 1.5 : null,
    });
    checks.push({
      target: 'distributed accept p99 at 1,000/s',
      required: '≤ 25 ms',
      measured:
        figures.thousandP99 === undefined
          ? `not offered (sustained ${fixed(figures.sustainedRate, 0)}/s < 1,000/s)`
          : `${fixed(figures.thousandP99, 1)} ms`,
      met: figures.thousandP99 === undefined ? false : figures.thousandP99 <= 25,
    });
  }
  const idle = figures.services.map((s) => [s, figures.idlePct[s] ?? Number.NaN] as const);
  const worstIdle = idle.reduce((worst, cur) => (cur[1] > worst[1] ? cur : worst), ['', -Infinity] as const);
  checks.push({
    target: `${mode} idle CPU per service`,
    required: '≤ 0.5 % of a core each',
    measured: idle.length ? `worst ${worstIdle[0]} ${fixed(worstIdle[1], 2)} %` : 'not measured',
    met: idle.length && idle.every(([, pct]) => Number.isFinite(pct)) ? idle.every(([, pct]) => pct <= 0.5) : null,
  });
  const rss = figures.services.map((s) => [s, figures.peakRssMb[s] ?? Number.NaN] as const);
  const worstRss = rss.reduce((worst, cur) => (cur[1] > worst[1] ? cur : worst), ['', -Infinity] as const);
  checks.push({
    target: `${mode} peak RSS per service`,
    required: '≤ 200 MB each',
    measured: rss.length ? `worst ${worstRss[0]} ${fixed(worstRss[1], 0)} MB` : 'not measured',
    met: rss.length && rss.every(([, mb]) => Number.isFinite(mb)) ? rss.every(([, mb]) => mb <= 200) : null,
  });

  return checks;
}

/** Messages bearerbox has handed to its SMSCs, from its admin status.txt ("SMS: received …, sent N …"). */
export function kannelSentFromStatus(status: string): number {
  const match = /^SMS: received \d+ \(\d+ queued\), sent (\d+)/m.exec(status);

  return match ? Number(match[1]) : 0;
}
