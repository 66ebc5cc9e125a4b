/**
 * What route quality counts per (provider, country[, network]) and time bucket: plain sums, so buckets
 * from several router replicas and several minutes add up to the same thing in any order (Redis HINCRBY,
 * SQL `col = col + ?`). Receipt latency is a histogram over fixed bounds for the same reason: percentiles
 * of a merged window come from the summed bins, never from per-bucket percentiles.
 */

/** The error classes a failed send or receipt carries (provider-port's ErrorClass), plus anything else. */
export const ERROR_CLASSES = ['transient', 'permanent', 'opted_out', 'configuration', 'other'] as const;
export type ErrorClassName = (typeof ERROR_CLASSES)[number];

/**
 * Upper bounds (ms) of the receipt-latency bins; the last bin is open. Chosen around what receipts take:
 * seconds for most carriers, minutes for some, the hour that reconciliation waits at most.
 */
export const LATENCY_BOUNDS_MS = [
  500, 1_000, 2_000, 3_000, 5_000, 10_000, 20_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000,
] as const;
export const LATENCY_BINS = LATENCY_BOUNDS_MS.length + 1;

/** The route a count belongs to. `network` is the MCC+MNC when the send knew it, else ''. */
export interface RouteKey {
  readonly provider: string;
  readonly country: string;
  readonly network: string;
}

export interface QualityCounts {
  /** Messages the provider accepted (send-worker `sent`). */
  sent: number;
  /** Final receipts that said delivered, in time. */
  delivered: number;
  /** Final receipts that said not delivered (undelivered, failed). */
  undelivered: number;
  /** Messages whose receipt never came in time: reconciliation looked them up (docs/reconciliation.md). */
  overdue: number;
  /** Failed send attempts and failed receipts, by error class. */
  errors: Record<ErrorClassName, number>;
  /** Receipt latency (receipt time − sent time) histogram over LATENCY_BOUNDS_MS. */
  latency: number[];
}

export const emptyCounts = (): QualityCounts => ({
  sent: 0,
  delivered: 0,
  undelivered: 0,
  overdue: 0,
  errors: { transient: 0, permanent: 0, opted_out: 0, configuration: 0, other: 0 },
  latency: new Array<number>(LATENCY_BINS).fill(0),
});

/** Adds `from` into `into` (and answers `into`). */
export function addCounts(into: QualityCounts, from: QualityCounts): QualityCounts {
  into.sent += from.sent;
  into.delivered += from.delivered;
  into.undelivered += from.undelivered;
  into.overdue += from.overdue;
  for (const cls of ERROR_CLASSES) {
    into.errors[cls] += from.errors[cls];
  }
  for (let i = 0; i < LATENCY_BINS; i++) {
    into.latency[i]! += from.latency[i] ?? 0;
  }

  return into;
}

export function binOf(latencyMs: number): number {
  for (let i = 0; i < LATENCY_BOUNDS_MS.length; i++) {
    if (latencyMs <= LATENCY_BOUNDS_MS[i]!) {
      return i;
    }
  }

  return LATENCY_BOUNDS_MS.length;
}

export const errorClassOf = (value: string | null | undefined): ErrorClassName =>
  (ERROR_CLASSES as readonly string[]).includes(value ?? '') ? (value as ErrorClassName) : 'other';

export const latencySamples = (counts: QualityCounts): number => counts.latency.reduce((sum, n) => sum + n, 0);

export const errorTotal = (counts: QualityCounts): number =>
  ERROR_CLASSES.reduce((sum, cls) => sum + counts.errors[cls], 0);

/**
 * The q-quantile (0 < q < 1) of the histogram, interpolated linearly inside its bin (the open last bin
 * answers its lower bound); null without samples.
 */
export function latencyQuantile(histogram: readonly number[], q: number): number | null {
  const total = histogram.reduce((sum, n) => sum + n, 0);
  if (total === 0) {
    return null;
  }
  const target = q * total;
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    const n = histogram[i] ?? 0;
    if (n > 0 && seen + n >= target) {
      const low = i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1]!;
      const high = LATENCY_BOUNDS_MS[i];
      if (high === undefined) {
        return low;
      }

      return low + ((target - seen) / n) * (high - low);
    }
    seen += n;
  }

  return LATENCY_BOUNDS_MS.at(-1)!;
}

const SEP = '|';
/** A route key as one string (provider ids, countries and MCC+MNC never hold '|'). */
export const routeKeyString = (key: RouteKey): string => key.provider + SEP + key.country + SEP + key.network;
export function parseRouteKey(value: string): RouteKey | null {
  const [provider, country, network, extra] = value.split(SEP);
  if (!provider || country === undefined || network === undefined || extra !== undefined) {
    return null;
  }

  return { provider, country, network };
}

/**
 * Flat field names for a hash (Redis) or columns: `sent`, `err.transient`, `lat.3`, … Each value is an
 * integer count, so a bucket written by several replicas is their sum.
 */
export function countFields(counts: QualityCounts): [string, number][] {
  const out: [string, number][] = [];
  const push = (field: string, n: number) => {
    if (n !== 0) {
      out.push([field, n]);
    }
  };
  push('sent', counts.sent);
  push('delivered', counts.delivered);
  push('undelivered', counts.undelivered);
  push('overdue', counts.overdue);
  for (const cls of ERROR_CLASSES) {
    push(`err.${cls}`, counts.errors[cls]);
  }
  counts.latency.forEach((n, i) => push(`lat.${i}`, n));

  return out;
}

/** Adds one flat field (as countFields writes it) into counts; unknown fields are ignored. */
export function addField(counts: QualityCounts, field: string, n: number): void {
  if (!Number.isFinite(n)) {
    return;
  }
  if (field === 'sent' || field === 'delivered' || field === 'undelivered' || field === 'overdue') {
    counts[field] += n;
  } else if (field.startsWith('err.')) {
    counts.errors[errorClassOf(field.slice(4))] += n;
  } else if (field.startsWith('lat.')) {
    const i = Number(field.slice(4));
    if (Number.isInteger(i) && i >= 0 && i < LATENCY_BINS) {
      counts.latency[i]! += n;
    }
  }
}
