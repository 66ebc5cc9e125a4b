/**
 * Rate precedence with a known network (number portability): a network's rate wins over every prefix rate
 * for numbers placed on it, applies to no other number, and a plan made for one network is never reused for
 * another.
 */
import { MemoryRoutingState } from '../state/memory-routing-state';
import { RoutingEngine, type RoutingOutcome } from '../routing/routing-engine';
import { poolNumber, poolRate, routeRequest } from '../routing/routing.fixtures';
import { buildRouteSnapshot, snapshotRoutePool } from '../routing/snapshot/route-snapshot';

const POOL = [poolNumber('+447700900001', 'alpha', 'GB'), poolNumber('+447700900002', 'bravo', 'GB')];
const RATES = [
  poolRate('alpha', 'GB', '0.0300'),
  poolRate('alpha', 'GB', '0.0350', '4474'),
  poolRate('bravo', 'GB', '0.0400'),
  // bravo carries network 234-30 cheaply; alpha charges it dearly.
  { ...poolRate('bravo', 'GB', '0.0100'), mcc: '234', mnc: '30' },
  { ...poolRate('alpha', 'GB', '0.0900'), mcc: '234', mnc: '30' },
];
const EE = { mcc: '234', mnc: '30' };

const engine = () =>
  new RoutingEngine(
    snapshotRoutePool(() => buildRouteSnapshot(['alpha', 'bravo'], POOL, RATES, [])),
    new MemoryRoutingState(),
    { healthTtlMs: 0 },
  );

const routed = (outcome: RoutingOutcome) => {
  if (outcome.kind !== 'route') {
    throw new Error(`expected a route, got ${outcome.kind}: ${outcome.reason}`);
  }

  return outcome;
};

describe('routing by network', () => {
  it("prefers the network's rate over the longest prefix when the network is known", async () => {
    const outcome = routed(await engine().route(routeRequest({ to: '+447400123456', network: EE }), true));

    expect(outcome.providerId).toBe('bravo');
    expect(outcome.price).toBe('0.0100');
    expect(outcome.candidates.map((c) => [c.providerId, c.price, c.network])).toEqual([
      ['bravo', '0.0100', '234-30'],
      ['alpha', '0.0900', '234-30'],
    ]);
  });

  it('routes by prefix when the network is unknown or has no rate', async () => {
    const e = engine();
    const unknown = routed(await e.route(routeRequest({ to: '+447400123456', network: null }), true));
    const other = routed(
      await e.route(routeRequest({ to: '+447400123456', network: { mcc: '234', mnc: '15' } }), true),
    );

    for (const outcome of [unknown, other]) {
      expect(outcome.providerId).toBe('alpha');
      expect(outcome.price).toBe('0.0350');
      expect(outcome.candidates.every((c) => c.network === '')).toBe(true);
    }
  });

  it('keeps plans apart per network: the same destination shape routes differently on another network', async () => {
    const e = engine();
    const before = routed(await e.route(routeRequest({ to: '+447400000001' }), true));
    const ported = routed(await e.route(routeRequest({ to: '+447400000002', network: EE }), true));
    const after = routed(await e.route(routeRequest({ to: '+447400000003' }), true));

    expect([before.providerId, ported.providerId, after.providerId]).toEqual(['alpha', 'bravo', 'alpha']);
  });
});
