/**
 * Rule precedence with a known network: a network's rule replaces the country's, whole, for numbers placed
 * on that network; with the network unknown, or no rule for it, the country's rule (or the defaults)
 * applies; the decision says which one it applied.
 */
import type { CountryRuleEntity } from '../database/entities/country-rule.entity';
import { MemoryRoutingState } from '../state/memory-routing-state';
import { RoutingEngine, type RoutingOutcome } from '../routing/routing-engine';
import { poolNumber, poolRate, routeRequest } from '../routing/routing.fixtures';
import {
  buildRouteSnapshot,
  DEFAULT_COUNTRY_RULE,
  ruleFor,
  snapshotRoutePool,
} from '../routing/snapshot/route-snapshot';

// alpha is cheaper but sends to GB only from a French number; bravo has a GB number.
const POOL = [
  poolNumber('+33700900001', 'alpha', 'FR'),
  poolNumber('+447700900002', 'bravo', 'GB'),
  poolNumber('ACME', 'bravo', 'GB', 'alphanumeric'),
];
const RATES = [poolRate('alpha', 'GB', '0.0300'), poolRate('bravo', 'GB', '0.0400')];
const PORTED = { mcc: '234', mnc: '30' };
const OTHER = { mcc: '234', mnc: '15' };

type RuleRow = Omit<CountryRuleEntity, 'updatedAt'> & { mcc?: string; mnc?: string };

const rule = (over: Partial<RuleRow> = {}): RuleRow => ({
  country: 'GB',
  allowedSenderTypes: [],
  senderIdPolicy: 'allowed' as const,
  localNumberRequired: false,
  blocked: false,
  ...over,
});

const engine = (rules: RuleRow[]) =>
  new RoutingEngine(
    snapshotRoutePool(() => buildRouteSnapshot(['alpha', 'bravo'], POOL, RATES, rules)),
    new MemoryRoutingState(),
    { healthTtlMs: 0 },
  );

const routed = (outcome: RoutingOutcome) => {
  if (outcome.kind !== 'route') {
    throw new Error(`expected a route, got ${outcome.kind}: ${outcome.reason}`);
  }

  return outcome;
};

describe('network rules', () => {
  it("ruleFor: the network's rule when the network has one, else the country's, else the defaults", () => {
    const snapshot = buildRouteSnapshot(
      [],
      [],
      [],
      [rule({ localNumberRequired: true }), rule({ mcc: '234', mnc: '30', blocked: true })],
    );
    const bare = buildRouteSnapshot([], [], [], [rule({ mcc: '234', mnc: '30', blocked: true })]);

    expect(ruleFor(snapshot, 'GB', PORTED)).toMatchObject({
      level: 'network',
      network: '234-30',
      rule: { blocked: true },
    });
    // The network rule replaces the country's whole: localNumberRequired is the network rule's (false).
    expect(ruleFor(snapshot, 'GB', PORTED).rule.localNumberRequired).toBe(false);
    expect(ruleFor(snapshot, 'GB', OTHER)).toMatchObject({ level: 'country', network: null, rule: { blocked: false } });
    expect(ruleFor(snapshot, 'GB', null)).toMatchObject({ level: 'country', rule: { localNumberRequired: true } });
    expect(ruleFor(snapshot, 'FR', PORTED)).toEqual({ level: 'default', network: null, rule: DEFAULT_COUNTRY_RULE });
    expect(ruleFor(bare, 'GB', null)).toEqual({ level: 'default', network: null, rule: DEFAULT_COUNTRY_RULE });
  });

  it("refuses a number on a blocked network, and routes the country's other numbers", async () => {
    const e = engine([rule({ mcc: '234', mnc: '30', blocked: true })]);
    const blocked = await e.route(routeRequest({ network: PORTED }), true);
    const other = routed(await e.route(routeRequest({ network: OTHER }), true));
    const unknown = routed(await e.route(routeRequest({ network: null }), true));

    expect(blocked).toMatchObject({
      kind: 'refused',
      code: 'COUNTRY_NOT_ALLOWED',
      reason: 'sending to GB network 234-30 is blocked',
      rule: { level: 'network', network: '234-30' },
    });
    expect([other.providerId, other.rule]).toEqual(['alpha', { level: 'default', network: null }]);
    expect(unknown.providerId).toBe('alpha');
  });

  it("reroutes when the network's rule requires a local number, and says so", async () => {
    const e = engine([rule(), rule({ mcc: '234', mnc: '30', localNumberRequired: true })]);
    const ported = routed(await e.route(routeRequest({ network: PORTED }), true));
    const home = routed(await e.route(routeRequest({ network: OTHER }), true));

    expect([ported.providerId, ported.sender]).toEqual(['bravo', '+447700900002']);
    expect(ported.rule).toEqual({ level: 'network', network: '234-30' });
    expect(ported.reason).toContain('best score for GB (rule of network 234-30): bravo');
    expect(ported.candidates.find((c) => c.providerId === 'alpha')?.reason).toBe(
      'no compliant sender number for GB network 234-30 (local number required; short codes domestic only)',
    );
    expect([home.providerId, home.rule]).toEqual(['alpha', { level: 'country', network: null }]);
  });

  it('refuses a sender ID the network forbids, and takes it for another network of the country', async () => {
    const e = engine([rule({ mcc: '234', mnc: '30', senderIdPolicy: 'forbidden' })]);
    const ported = await e.route(routeRequest({ from: 'ACME', network: PORTED }), true);
    const other = routed(await e.route(routeRequest({ from: 'ACME', network: OTHER }), true));

    expect(ported).toMatchObject({
      kind: 'refused',
      code: 'SENDER_ID_NOT_ALLOWED',
      reason: 'GB network 234-30 does not allow alphanumeric sender IDs',
    });
    expect([other.providerId, other.sender]).toEqual(['bravo', 'ACME']);
  });

  it("holds a message no sender may carry under the network's rule as no-route, naming the network", async () => {
    const e = engine([rule({ mcc: '234', mnc: '30', allowedSenderTypes: ['shortcode'] })]);

    expect(await e.route(routeRequest({ network: PORTED }), true)).toMatchObject({
      kind: 'no-route',
      reason: 'no provider has a compliant sender for GB network 234-30',
      rule: { level: 'network', network: '234-30' },
    });
    expect(routed(await e.route(routeRequest({ network: OTHER }), true)).providerId).toBe('alpha');
  });

  it("lets a network's rule be looser than its country's (the operator's rule for that network wins)", async () => {
    const e = engine([rule({ blocked: true }), rule({ mcc: '234', mnc: '30' })]);

    expect(routed(await e.route(routeRequest({ network: PORTED }), true)).providerId).toBe('alpha');
    expect(await e.route(routeRequest({ network: OTHER }), true)).toMatchObject({
      kind: 'refused',
      reason: 'sending to GB is blocked',
      rule: { level: 'country', network: null },
    });
  });
});
