import { MessageClass } from '@sms/contracts';
import type { HealthCounts } from '../../state/routing-state';
import { EMPTY_HEALTH } from '../../state/routing-state';
import { RouteDecider } from '../decision/route-decider';
import { MAX_PLANS_PER_SHELF, RoutePlans } from './route-plans';
import { buildRouteSnapshot } from '../snapshot/route-snapshot';
import { poolNumber, poolRate, routeRequest } from '../routing.fixtures';

const number = (value: string, providerId: string) => poolNumber(value, providerId, 'GB');
const rate = (providerId: string, price: string, prefix = '') => poolRate(providerId, 'GB', price, prefix);
const request = routeRequest;
const snapshot = () =>
  buildRouteSnapshot(
    ['cheap', 'dear'],
    [number('+447700900001', 'cheap'), number('+447700900002', 'cheap'), number('+447700900010', 'dear')],
    [rate('cheap', '0.0300'), rate('dear', '0.0500'), rate('dear', '0.0100', '4475')],
    [],
  );
const healthy = (): Map<string, HealthCounts> => new Map();

function setup() {
  const decider = new RouteDecider();
  const plan = jest.spyOn(decider, 'plan');

  return { sut: new RoutePlans(decider), made: () => plan.mock.calls.length };
}

describe(RoutePlans.name, () => {
  it('reuses one plan for every message of the same shape, whatever the recipient', () => {
    const { sut, made } = setup();
    const pool = snapshot();
    const health = healthy();
    const first = sut.plan(request(), pool, health);

    expect(sut.plan(request({ to: '+447400999999' }), pool, health)).toBe(first);
    expect(sut.plan(request({ to: '447401000000' }), pool, health)).toBe(first);
    expect(made()).toBe(1);
  });

  it('makes a new plan for another shape: segments, class, from, avoided, excluded or pinned providers, probes', () => {
    const { sut, made } = setup();
    const pool = snapshot();
    const health = healthy();
    const base = sut.plan(request(), pool, health);
    const others = [
      sut.plan(request({ segments: 2 }), pool, health),
      sut.plan(request({ messageClass: MessageClass.Marketing }), pool, health),
      sut.plan(request({ from: '+447700900001' }), pool, health),
      sut.plan(request({ avoidProviders: ['cheap'] }), pool, health),
      sut.plan(request({ excludeProviders: ['cheap'] }), pool, health),
      sut.plan(request({ pinProvider: 'dear' }), pool, health),
      sut.plan(request(), pool, health, new Set(['dear'])),
    ];

    expect(new Set([base, ...others]).size).toBe(8);
    expect(made()).toBe(8);
  });

  it('tells destinations apart only by the rates they match (the longest matching prefix)', () => {
    const { sut } = setup();
    const pool = snapshot();
    const health = healthy();
    const plain = sut.plan(request({ to: '+447400123456' }), pool, health);
    const prefixed = sut.plan(request({ to: '+447500123456' }), pool, health);

    expect(prefixed).not.toBe(plain);
    expect(sut.plan(request({ to: '+447599999999' }), pool, health)).toBe(prefixed);
    expect(prefixed).toMatchObject({ kind: 'route', best: { providerId: 'dear', prefix: '4475' } });
    expect(plain).toMatchObject({ kind: 'route', best: { providerId: 'cheap', prefix: '' } });
  });

  it('drops its plans when the health map or the snapshot is replaced', () => {
    const { sut, made } = setup();
    const pool = snapshot();
    const health = healthy();
    const first = sut.plan(request(), pool, health);
    // The engine's health cache hands out a new map when it reloads: the old plans go with the old map.
    const reloaded = new Map([['cheap', { ...EMPTY_HEALTH, attempts: 20, errors: 10 }]]);
    const afterHealth = sut.plan(request(), pool, reloaded);

    expect(afterHealth).not.toBe(first);
    expect(afterHealth).toMatchObject({ kind: 'route', best: { providerId: 'dear' } });
    expect(sut.plan(request(), pool, reloaded)).toBe(afterHealth);
    const newPool = snapshot();
    expect(sut.plan(request(), newPool, reloaded)).not.toBe(afterHealth);
    expect(made()).toBe(3);
  });

  it('keeps at most MAX_PLANS_PER_SHELF plans per snapshot and health, and still answers past it', () => {
    const { sut, made } = setup();
    const pool = snapshot();
    const health = healthy();
    for (let i = 0; i < MAX_PLANS_PER_SHELF + 10; i++) {
      sut.plan(request({ from: `ID${i}` }), pool, health);
    }
    const kept = sut.plan(request({ from: 'ID0' }), pool, health);
    const beyond = sut.plan(request({ from: `ID${MAX_PLANS_PER_SHELF + 5}` }), pool, health);

    expect(kept).toMatchObject({ kind: 'route' });
    expect(beyond).toMatchObject({ kind: 'route' });
    expect(sut.plan(request({ from: 'ID0' }), pool, health)).toBe(kept);
    expect(made()).toBe(MAX_PLANS_PER_SHELF + 10 + 1);
  });
});
