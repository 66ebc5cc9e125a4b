import { Encoding, type MessageAcceptedV1, MessageClass } from '@sms/contracts';
import { NoRouteBacklog } from './no-route-backlog';
import { noRouteBacklogByCountry, registerRoutingMetrics, RoutingMetrics } from './routing-metrics';

const message = (messageId: string, country: string): MessageAcceptedV1 => ({
  messageId,
  attempt: 1,
  to: '+447400123456',
  from: null,
  country,
  body: 'hi',
  encoding: Encoding.Gsm7,
  segments: 1,
  messageClass: MessageClass.Transactional,
  validitySeconds: null,
  avoidProviders: [],
  pinProvider: null,
  acceptedAt: '2026-01-01T00:00:00.000Z',
});

describe(NoRouteBacklog.name, () => {
  let now = 0;
  let metrics: RoutingMetrics;
  let unregister: () => void;
  let backlog: NoRouteBacklog;
  beforeEach(() => {
    now = 0;
    metrics = new RoutingMetrics();
    unregister = registerRoutingMetrics(metrics);
    backlog = new NoRouteBacklog(metrics, { baseDelayMs: 1_000, maxDelayMs: 4_000, capacity: 3 }, () => now);
  });
  afterEach(() => unregister());

  it('counts waiting messages per country, once each however often they come back', () => {
    backlog.hold(message('a', 'GB'));
    backlog.hold(message('a', 'GB'));
    backlog.hold(message('b', 'GB'));
    backlog.hold(message('c', 'FR'));

    expect(Object.fromEntries(metrics.noRouteBacklog())).toEqual({ GB: 2, FR: 1 });
    expect(Object.fromEntries(noRouteBacklogByCountry())).toEqual({ GB: 2, FR: 1 });
    backlog.release(message('a', 'GB'));
    backlog.release(message('c', 'FR'));
    expect(Object.fromEntries(noRouteBacklogByCountry())).toEqual({ GB: 1 });
  });

  it('retries with doubling backoff, capped', () => {
    const m = message('a', 'GB');
    backlog.hold(m);
    expect(backlog.takeDue()).toEqual([]);
    now = 1_000;
    expect(backlog.takeDue()).toEqual([m]);
    backlog.hold(m);
    now = 2_999;
    expect(backlog.takeDue()).toEqual([]);
    now = 3_000;
    expect(backlog.takeDue()).toEqual([m]);
    backlog.hold(m);
    backlog.hold(m);
    now = 3_000 + 3_999;
    expect(backlog.takeDue()).toEqual([]);
    now = 3_000 + 4_000;
    expect(backlog.takeDue()).toEqual([m]);
  });

  it('refuses to hold more than its capacity (the stale-message sweep covers the rest)', () => {
    expect(['a', 'b', 'c', 'd'].map((id) => backlog.hold(message(id, 'GB')))).toEqual([true, true, true, false]);
    expect(backlog.size()).toBe(3);
  });
});
