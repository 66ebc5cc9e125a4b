import type { ProviderHealth } from '../routing/decision/health-view';

export interface HealthPoint {
  readonly at: string;
  readonly deliveryRate: number | null;
  readonly errorRate: number;
  readonly latencyMs: number | null;
  readonly attempts: number;
  /** `open` while the router skips the provider (over the error threshold, no recovery streak yet). */
  readonly circuit: 'open' | 'closed';
}

export interface ProviderHealthSeries {
  readonly provider: string;
  readonly points: HealthPoint[];
}

/** One sample a minute, kept for a day: at most this many points per provider. */
export const HEALTH_HISTORY_POINTS = 1440;
export const HEALTH_SAMPLE_INTERVAL_MS = 60_000;

const pointOf = (at: number, health: ProviderHealth): HealthPoint => ({
  at: new Date(at).toISOString(),
  deliveryRate: health.deliveryRate,
  errorRate: health.errorRate,
  latencyMs: health.latencyMs === null ? null : Math.round(health.latencyMs),
  attempts: health.attempts,
  circuit: health.unhealthy ? 'open' : 'closed',
});

/**
 * Provider health over time (GET /v1/providers/health): the router's own 5-minute view of each provider,
 * sampled once a minute into a bounded ring in memory, plus a point taken at the request. The view is the
 * shared one (Redis in the distributed mode), so every router replica samples the same figures; a replica
 * that started recently has a shorter history.
 */
export class HealthHistory {
  private readonly series = new Map<string, HealthPoint[]>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly read: () => Promise<Map<string, ProviderHealth>>,
    private readonly onError: (error: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {}

  start(intervalMs = HEALTH_SAMPLE_INTERVAL_MS): void {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /** Takes one sample of every provider; never throws (a failed read leaves a gap). */
  async sample(): Promise<void> {
    try {
      const at = this.now();
      for (const [provider, health] of await this.read()) {
        const points = this.series.get(provider) ?? [];
        points.push(pointOf(at, health));
        if (points.length > HEALTH_HISTORY_POINTS) {
          points.splice(0, points.length - HEALTH_HISTORY_POINTS);
        }
        this.series.set(provider, points);
      }
    } catch (error) {
      this.onError(error);
    }
  }

  /** The points of the last `minutes`, oldest first, ending with one taken now; providers by name. */
  async over(minutes: number): Promise<ProviderHealthSeries[]> {
    const now = this.now();
    const current = await this.read();
    const from = now - minutes * 60_000;
    const providers = [...new Set([...this.series.keys(), ...current.keys()])].sort();

    return providers.map((provider) => {
      const kept = (this.series.get(provider) ?? []).filter((point) => Date.parse(point.at) >= from);
      const live = current.get(provider);

      return { provider, points: live ? [...kept, pointOf(now, live)] : kept };
    });
  }
}
