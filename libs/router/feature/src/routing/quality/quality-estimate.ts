import {
  addCounts,
  emptyCounts,
  type ErrorClassName,
  errorTotal,
  latencyQuantile,
  latencySamples,
  parseRouteKey,
  type QualityCounts,
} from './quality-counts';
import type { CountryWeights } from './score-weights';

/**
 * The minimum sample: a route's own rate weighs as much as its prior once it has this many outcomes
 * (receipts, or send attempts for the error rate), and its latency percentiles are its own from this
 * many delivered receipts on.
 */
export const MIN_SAMPLE = 20;
/** The prior of a provider with no history at all: the same for every provider, so it never decides. */
export const PRIOR_DELIVERY_RATE = 0.9;
export const PRIOR_ERROR_RATE = 0;

/** One route's quality as a decision reads it (explain shows it). */
export interface RouteQuality {
  /** Messages accepted by the provider for the country, recent window plus days of roll-ups. */
  readonly sent: number;
  /** Final outcomes counted: delivered + undelivered + overdue. */
  readonly outcomes: number;
  /** Delivered ÷ outcomes, smoothed toward the prior (see estimateRoutes); overdue counts as not delivered. */
  readonly deliveryRate: number;
  /** Failed send attempts ÷ attempts, smoothed likewise. */
  readonly errorRate: number;
  /** Send to delivered receipt, from the histogram; null with no delivered receipt anywhere for the provider. */
  readonly latencyP50Ms: number | null;
  readonly latencyP95Ms: number | null;
  /** Share of sent messages that got a final receipt in time (null before any send): not smoothed. */
  readonly coverage: number | null;
  readonly overdue: number;
  readonly errorsByClass: Readonly<Record<ErrorClassName, number>>;
  /** Outcomes in the recent window (short buckets) alone. */
  readonly recentOutcomes: number;
  /**
   * Whose counts these are: the route's on the destination's network (smoothed toward the country's), the
   * route's for the country, the provider's over every country (no counts for the country), or the priors.
   */
  readonly level: QualityLevel;
}

export type QualityLevel = 'network' | 'country' | 'provider' | 'prior';

/** What a decision for one destination country reads about quality. */
export interface CountryQuality {
  readonly weights: CountryWeights;
  /** provider id → its quality for the country. */
  readonly routes: ReadonlyMap<string, RouteQuality>;
  /** provider id → its quality over every country: what a provider new to the country starts from. */
  readonly providers: ReadonlyMap<string, RouteQuality>;
  /**
   * network (MCC+MNC, as route keys hold it: `23430`) → provider id → the route's quality on that network
   * of the country, for the networks with counts; absent: scored per country only.
   */
  readonly networks?: ReadonlyMap<string, ReadonlyMap<string, RouteQuality>>;
}

const outcomesOf = (c: QualityCounts): number => c.delivered + c.undelivered + c.overdue;
const attemptsOf = (c: QualityCounts): number => c.sent + errorTotal(c);
/** Beta-binomial smoothing: `hits` of `n` pulled toward `prior` as if MIN_SAMPLE outcomes had it. */
const smooth = (hits: number, n: number, prior: number): number => (hits + MIN_SAMPLE * prior) / (n + MIN_SAMPLE);

/**
 * Every route's quality for `country`, in three levels of evidence: the provider's rate over every
 * country (smoothed toward the fixed prior) is the prior of the route's days of hourly roll-ups, whose
 * rate is in turn the prior of the recent window's. A route with little recent traffic so keeps its
 * history; a new route starts at its provider's global rate; a route with MIN_SAMPLE recent outcomes
 * moves halfway to what it shows now.
 */
export function estimateRoutes(
  country: string,
  recent: ReadonlyMap<string, QualityCounts>,
  history: ReadonlyMap<string, QualityCounts>,
): Map<string, RouteQuality> {
  const globalByProvider = new Map<string, QualityCounts>();
  const routeRecent = new Map<string, QualityCounts>();
  const routeHistory = new Map<string, QualityCounts>();
  const fold = (source: ReadonlyMap<string, QualityCounts>, route: Map<string, QualityCounts>) => {
    for (const [key, counts] of source) {
      const parsed = parseRouteKey(key);
      if (!parsed) {
        continue;
      }
      globalByProvider.set(parsed.provider, addCounts(globalByProvider.get(parsed.provider) ?? emptyCounts(), counts));
      if (parsed.country === country) {
        route.set(parsed.provider, addCounts(route.get(parsed.provider) ?? emptyCounts(), counts));
      }
    }
  };
  fold(recent, routeRecent);
  fold(history, routeHistory);

  const out = new Map<string, RouteQuality>();
  for (const provider of new Set([...routeRecent.keys(), ...routeHistory.keys()])) {
    out.set(
      provider,
      estimate(
        routeRecent.get(provider) ?? emptyCounts(),
        routeHistory.get(provider) ?? emptyCounts(),
        globalByProvider.get(provider)!,
        'country',
      ).quality,
    );
  }

  return out;
}

/**
 * Every route's quality per network of `country` (networks with counts only), one level below the
 * country's and by the same rule: the route's rate for the whole country is the prior of the network's
 * roll-ups, whose rate is the prior of the network's recent window. A network with few outcomes so
 * scores close to the country's figures (MIN_SAMPLE outcomes weigh as much as the prior); latency is
 * the network's own from MIN_SAMPLE delivered receipts, else the country's.
 */
export function estimateNetworks(
  country: string,
  recent: ReadonlyMap<string, QualityCounts>,
  history: ReadonlyMap<string, QualityCounts>,
): Map<string, Map<string, RouteQuality>> {
  const globalByProvider = new Map<string, QualityCounts>();
  /** provider → [recent, history] for the whole country; `provider|network` → the same for one network. */
  const routes = new Map<string, [QualityCounts, QualityCounts]>();
  const networks = new Map<string, [QualityCounts, QualityCounts]>();
  const add = (into: Map<string, [QualityCounts, QualityCounts]>, key: string, at: 0 | 1, counts: QualityCounts) => {
    const pair = into.get(key) ?? [emptyCounts(), emptyCounts()];
    addCounts(pair[at], counts);
    into.set(key, pair);
  };
  for (const [at, source] of [recent, history].entries()) {
    for (const [key, counts] of source) {
      const parsed = parseRouteKey(key);
      if (!parsed) {
        continue;
      }
      globalByProvider.set(parsed.provider, addCounts(globalByProvider.get(parsed.provider) ?? emptyCounts(), counts));
      if (parsed.country === country) {
        add(routes, parsed.provider, at as 0 | 1, counts);
        if (parsed.network !== '') {
          add(networks, `${parsed.provider}|${parsed.network}`, at as 0 | 1, counts);
        }
      }
    }
  }
  const out = new Map<string, Map<string, RouteQuality>>();
  for (const [key, [netRecent, netHistory]] of networks) {
    const [provider, network] = key.split('|') as [string, string];
    const [routeRecent, routeHistory] = routes.get(provider)!;
    const route = estimate(routeRecent, routeHistory, globalByProvider.get(provider)!, 'country');
    const ofNetwork = out.get(network) ?? new Map<string, RouteQuality>();
    ofNetwork.set(
      provider,
      estimateWith(
        netRecent,
        netHistory,
        { delivery: route.quality.deliveryRate, errors: route.quality.errorRate, latency: route.latency },
        'network',
      ).quality,
    );
    out.set(network, ofNetwork);
  }

  return out;
}

/** Each provider's quality over every country: where a route with no counts of its own starts. */
export function estimateProviders(
  recent: ReadonlyMap<string, QualityCounts>,
  history: ReadonlyMap<string, QualityCounts>,
): Map<string, RouteQuality> {
  const global = new Map<string, QualityCounts>();
  for (const source of [recent, history]) {
    for (const [key, counts] of source) {
      const provider = parseRouteKey(key)?.provider;
      if (provider) {
        global.set(provider, addCounts(global.get(provider) ?? emptyCounts(), counts));
      }
    }
  }

  return new Map(
    [...global].map(([provider, counts]) => [
      provider,
      estimate(emptyCounts(), emptyCounts(), counts, 'provider').quality,
    ]),
  );
}

/** A provider nobody has counts for: the priors. */
export const PRIOR_QUALITY: RouteQuality = estimate(emptyCounts(), emptyCounts(), emptyCounts(), 'prior').quality;

/** What a level's estimate starts from: the rates and latency histogram of the level above it. */
interface Prior {
  readonly delivery: number;
  readonly errors: number;
  readonly latency: readonly number[];
}

interface Estimate {
  readonly quality: RouteQuality;
  /** The histogram its percentiles came from (the prior of a level below). */
  readonly latency: readonly number[];
}

function estimate(recent: QualityCounts, history: QualityCounts, global: QualityCounts, level: QualityLevel): Estimate {
  return estimateWith(
    recent,
    history,
    {
      delivery: smooth(global.delivered, outcomesOf(global), PRIOR_DELIVERY_RATE),
      errors: smooth(errorTotal(global), attemptsOf(global), PRIOR_ERROR_RATE),
      latency: global.latency,
    },
    level,
  );
}

function estimateWith(recent: QualityCounts, history: QualityCounts, prior: Prior, level: QualityLevel): Estimate {
  const historyDelivery = smooth(history.delivered, outcomesOf(history), prior.delivery);
  const historyErrors = smooth(errorTotal(history), attemptsOf(history), prior.errors);
  const both = addCounts(addCounts(emptyCounts(), recent), history);
  // Latency: the narrowest level with MIN_SAMPLE delivered receipts (recent, then with history, then the
  // level above's), since percentiles do not smooth like rates.
  let histogram: readonly number[] = recent.latency;
  if (latencySamples(recent) < MIN_SAMPLE) {
    histogram = both.latency;
    if (latencySamples(both) < MIN_SAMPLE) {
      histogram = prior.latency;
    }
  }
  const quality: RouteQuality = {
    sent: both.sent,
    outcomes: outcomesOf(both),
    deliveryRate: smooth(recent.delivered, outcomesOf(recent), historyDelivery),
    errorRate: smooth(errorTotal(recent), attemptsOf(recent), historyErrors),
    latencyP50Ms: latencyQuantile(histogram, 0.5),
    latencyP95Ms: latencyQuantile(histogram, 0.95),
    coverage: both.sent > 0 ? Math.min(1, (both.delivered + both.undelivered) / both.sent) : null,
    overdue: both.overdue,
    errorsByClass: both.errors,
    recentOutcomes: outcomesOf(recent),
    level,
  };

  return { quality, latency: histogram };
}
