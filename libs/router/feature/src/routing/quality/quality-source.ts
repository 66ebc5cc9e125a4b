import type { RoutePool, RouteSnapshot } from '../snapshot/route-snapshot';
import { HOUR_MS, type HourlyRollups } from './hourly-rollups';

/** What the source reads the roll-ups through (HourlyRollups; an in-memory one in the day simulation). */
export type RollupReader = Pick<HourlyRollups, 'read'>;
import type { QualityCounts } from './quality-counts';
import {
  type CountryQuality,
  estimateNetworks,
  estimateProviders,
  estimateRoutes,
  type RouteQuality,
} from './quality-estimate';
import type { WeightStore } from './score-weights';
import type { ShortBucketStore } from './short-buckets';

export interface QualitySourceOptions {
  /** The recent window read from the short buckets. */
  readonly windowMs: number;
  /** Days of hourly roll-ups read as the history; 0 reads none. */
  readonly historyDays: number;
  /** How long read counts are reused (each snapshot load reads fresh weights, cached counts). */
  readonly refreshMs: number;
}

interface Counts {
  readonly recent: ReadonlyMap<string, QualityCounts>;
  readonly history: ReadonlyMap<string, QualityCounts>;
  readonly providers: ReadonlyMap<string, RouteQuality>;
  readonly at: number;
}

const NO_COUNTS: Counts = { recent: new Map(), history: new Map(), providers: new Map(), at: 0 };

/**
 * What a country's decisions read about quality: its weights (read at every snapshot load, so an
 * operator's change applies with the snapshot's invalidation) and the route estimates, from counts read
 * at most once per `refreshMs` (the recent window from the short buckets, the hours before it from the
 * roll-ups). A failed read keeps the counts read before: routing never waits on, or fails for, quality.
 */
export class QualitySource {
  private counts: Counts = NO_COUNTS;
  private loading: Promise<Counts> | null = null;

  constructor(
    private readonly short: ShortBucketStore,
    private readonly rollups: RollupReader,
    private readonly weights: Pick<WeightStore, 'forCountry'>,
    private readonly options: QualitySourceOptions,
    private readonly onError: (error: unknown) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  async forCountry(country: string): Promise<CountryQuality> {
    const [weights, counts] = await Promise.all([this.weights.forCountry(country), this.current()]);

    return {
      weights,
      routes: estimateRoutes(country, counts.recent, counts.history),
      providers: counts.providers,
      networks: estimateNetworks(country, counts.recent, counts.history),
    };
  }

  /** Drops the cached counts: the next load reads the stores (tests, and after a flush in embedded mode). */
  invalidate(): void {
    this.counts = { ...this.counts, at: 0 };
  }

  private current(): Promise<Counts> {
    if (this.now() - this.counts.at < this.options.refreshMs) {
      return Promise.resolve(this.counts);
    }
    this.loading ??= this.load().finally(() => {
      this.loading = null;
    });

    return this.loading;
  }

  private async load(): Promise<Counts> {
    const now = this.now();
    const since = now - this.options.windowMs;
    // History ends at the hour the recent window starts in, so no count is read twice (the hour between
    // that hour's start and the window's start is read from neither: at most one hour of a week).
    const historyEnd = Math.floor(since / HOUR_MS) * HOUR_MS;
    const historyStart = historyEnd - this.options.historyDays * 24 * HOUR_MS;
    try {
      const [recent, history] = await Promise.all([
        this.short.read(since),
        this.options.historyDays > 0 ? this.rollups.read(historyStart, historyEnd) : new Map<string, QualityCounts>(),
      ]);
      this.counts = { recent, history, providers: estimateProviders(recent, history), at: now };
    } catch (error) {
      this.onError(error);
      this.counts = { ...this.counts, at: now };
    }

    return this.counts;
  }
}

/** The pool with each country's snapshot carrying its quality (RouteSnapshot.quality). */
export function qualityAwarePool(pool: RoutePool, source: QualitySource): RoutePool {
  return {
    forCountry: async (country: string): Promise<RouteSnapshot> => {
      const [snapshot, quality] = await Promise.all([pool.forCountry(country), source.forCountry(country)]);

      // Its own derived work: plans made over it depend on this quality (RoutePlans keeps them there).
      return { ...snapshot, quality, derived: new Map() };
    },
    sender: (value) => pool.sender(value),
    activeProviders: () => pool.activeProviders(),
  };
}
