/**
 * Scoring per network: with the destination's network known and counts for the route on it, the quality
 * factors read the network's figures, smoothed toward the route's figures for the whole country (a small
 * sample stays close to the country's); without a network, or without counts on it, the country's figures
 * apply. Explain shows the level (`quality.level`).
 */
import { RouteDecider } from '../decision/route-decider';
import { poolNumber, poolRate, routeRequest } from '../routing.fixtures';
import { buildRouteSnapshot } from '../snapshot/route-snapshot';
import { emptyCounts, type QualityCounts, routeKeyString } from './quality-counts';
import { estimateNetworks, estimateProviders, estimateRoutes, MIN_SAMPLE } from './quality-estimate';
import { WEIGHT_PRESETS } from './score-weights';

/** `delivered` of `outcomes` receipts, each delivered within 2-3 s of its send. */
function counts(delivered: number, outcomes: number): QualityCounts {
  const c = emptyCounts();
  c.sent = outcomes;
  c.delivered = delivered;
  c.undelivered = outcomes - delivered;
  c.latency[3] = delivered;

  return c;
}
const key = (provider: string, network = '') => routeKeyString({ provider, country: 'GB', network });
const smooth = (hits: number, n: number, prior: number) => (hits + MIN_SAMPLE * prior) / (n + MIN_SAMPLE);

describe('estimateNetworks', () => {
  it("smooths a network's rate toward the route's rate for the country, by the same rule as the country's", () => {
    // alpha in GB: 180 of 200 delivered on other networks, and `n` outcomes on 234-30 with none delivered.
    const recentWith = (n: number) =>
      new Map([
        [key('alpha', '23415'), counts(180, 200)],
        [key('alpha', '23430'), counts(0, n)],
      ]);
    for (const n of [2, MIN_SAMPLE, 10 * MIN_SAMPLE]) {
      const recent = recentWith(n);
      const country = estimateRoutes('GB', recent, new Map()).get('alpha')!;
      const network = estimateNetworks('GB', recent, new Map()).get('23430')!.get('alpha')!;

      expect(network.level).toBe('network');
      expect(country.level).toBe('country');
      // No network history: its history rate is the country's, and the recent window is pulled toward it.
      expect(network.deliveryRate).toBeCloseTo(smooth(0, n, country.deliveryRate), 9);
    }
    const few = estimateNetworks('GB', recentWith(2), new Map()).get('23430')!.get('alpha')!;
    const many = estimateNetworks('GB', recentWith(10 * MIN_SAMPLE), new Map())
      .get('23430')!
      .get('alpha')!;
    // A small sample stays near the country's figure; a large one is the network's own (nothing delivered).
    expect(few.deliveryRate).toBeGreaterThan(0.75);
    expect(many.deliveryRate).toBeLessThan(0.1);
    // Latency: the network has no delivered receipt, so its percentiles are the country's.
    expect(many.latencyP95Ms).toBe(
      estimateRoutes('GB', recentWith(10 * MIN_SAMPLE), new Map()).get('alpha')!.latencyP95Ms,
    );
  });

  it('keeps no network entry for counts without a network, nor for another country', () => {
    const recent = new Map([
      [key('alpha'), counts(10, 10)],
      [routeKeyString({ provider: 'alpha', country: 'FR', network: '20801' }), counts(10, 10)],
    ]);

    expect(estimateNetworks('GB', recent, new Map()).size).toBe(0);
  });
});

describe('the decision scores per network when the network is known', () => {
  const pool = [poolNumber('+447400000001', 'cheap', 'GB'), poolNumber('+447400000002', 'good', 'GB')];
  const rates = [poolRate('cheap', 'GB', '0.0380'), poolRate('good', 'GB', '0.0400')];
  // Over GB both deliver 98%; on network 234-30 cheap delivers 40% (enough samples to count), good 98%.
  const recent = new Map([
    [key('cheap', '23415'), counts(9800, 10000)],
    [key('good', '23415'), counts(9800, 10000)],
    [key('cheap', '23430'), counts(80, 200)],
    [key('good', '23430'), counts(196, 200)],
  ]);
  const snapshot = {
    ...buildRouteSnapshot(['cheap', 'good'], pool, rates, [], false),
    quality: {
      weights: { scope: 'default', weights: WEIGHT_PRESETS.balanced },
      routes: estimateRoutes('GB', recent, new Map()),
      providers: estimateProviders(recent, new Map()),
      networks: estimateNetworks('GB', recent, new Map()),
    },
  };
  const plan = (network: { mcc: string; mnc: string } | null) => {
    const p = new RouteDecider().plan(routeRequest({ network }), snapshot, new Map());
    if (p.kind !== 'route') {
      throw new Error(p.kind);
    }

    return p;
  };

  it("picks the route that delivers on the number's network, where the country's figures pick the cheaper", () => {
    const onNetwork = plan({ mcc: '234', mnc: '30' });
    const unknown = plan(null);
    const quiet = plan({ mcc: '234', mnc: '20' });

    expect(onNetwork.best.providerId).toBe('good');
    expect(onNetwork.candidates.map((c) => [c.providerId, c.quality?.level])).toEqual([
      ['good', 'network'],
      ['cheap', 'network'],
    ]);
    expect(onNetwork.candidates.find((c) => c.providerId === 'cheap')!.reason).toContain('delivery');
    expect(unknown.best.providerId).toBe('cheap');
    expect(unknown.candidates.every((c) => c.quality?.level === 'country')).toBe(true);
    // A network without counts for these routes is scored on the country's figures.
    expect(quiet.best.providerId).toBe('cheap');
    expect(quiet.candidates.every((c) => c.quality?.level === 'country')).toBe(true);
  });
});
