import { DEFAULT_ACCOUNT_ID, Encoding, type MessageAcceptedV1, MessageClass } from '@sms/contracts';
import { NoRouteBacklog } from './no-route-backlog';
import { noRouteBacklogByCountry, registerRoutingMetrics, RoutingMetrics } from './routing-metrics';

const message = (messageId: string, country: string, over: Partial<MessageAcceptedV1> = {}): MessageAcceptedV1 => ({
  messageId,
  accountId: DEFAULT_ACCOUNT_ID,
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
  acceptedAt: '1970-01-01T00:00:00.000Z',
  ...over,
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
    backlog = new NoRouteBacklog(
      metrics,
      { baseDelayMs: 1_000, maxDelayMs: 4_000, capacity: 3, maxWaitMs: 3_600_000 },
      () => now,
    );
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
    expect(['a', 'b', 'c', 'd'].map((id) => backlog.hold(message(id, 'GB')).kind)).toEqual([
      'held',
      'held',
      'held',
      'full',
    ]);
    expect(backlog.size()).toBe(3);
  });

  describe('deadline', () => {
    it('tries a last time at the validity deadline, then ends the wait (counted from acceptance, not arrival)', () => {
      // Accepted at t=0 with 60 s of validity; it reaches the router 50 s later (a retry, say).
      now = 50_000;
      const m = message('a', 'GB', { validitySeconds: 60 });
      expect(backlog.deadlineOf(m)).toEqual({ at: 60_000, because: 'validity' });
      const dueTimes: number[] = [];
      let outcome = backlog.hold(m);
      while (outcome.kind === 'held') {
        // Step the clock until the backlog hands the message back, as the router's 1-s tick does.
        while (backlog.takeDue().length === 0) {
          now += 100;
        }
        dueTimes.push(now);
        outcome = backlog.hold(m);
      }

      // 1 s, 2 s, 4 s, 4 s backoff; the last try is not after 60 s but exactly at it.
      expect(dueTimes).toEqual([51_000, 53_000, 57_000, 60_000]);
      expect(outcome).toEqual({ kind: 'expired', at: 60_000, because: 'validity' });
      expect(backlog.size()).toBe(0);
      expect(metrics.noRouteBacklog().size).toBe(0);
    });

    it("waits until intake's expiresAt when the record has one (a scheduled message's validity runs from its sendAt)", () => {
      // Accepted at t=0, scheduled for t=600 s with 60 s of validity: intake says it expires at 660 s.
      const m = message('s', 'GB', { validitySeconds: 60, expiresAt: '1970-01-01T00:11:00.000Z' });
      expect(backlog.deadlineOf(m)).toEqual({ at: 660_000, because: 'validity' });
      now = 600_000;
      expect(backlog.hold(m).kind).toBe('held');
      now = 660_000;
      expect(backlog.hold(m)).toEqual({ kind: 'expired', at: 660_000, because: 'validity' });
    });

    it('caps the wait of a message without a validity at maxWaitMs', () => {
      const m = message('a', 'GB');
      expect(backlog.hold(m).kind).toBe('held');
      now = 3_599_999;
      expect(backlog.hold(m).kind).toBe('held');
      expect(backlog.size()).toBe(1);
      now = 3_600_000;
      expect(backlog.hold(m)).toEqual({ kind: 'expired', at: 3_600_000, because: 'max-wait' });
      expect(backlog.size()).toBe(0);
    });

    it('does not hold a message that arrives after its deadline (a stale-sweep copy), even when full', () => {
      ['b', 'c', 'd'].forEach((id) => backlog.hold(message(id, 'FR')));
      now = 120_000;

      expect(backlog.hold(message('late', 'GB', { validitySeconds: 60 }))).toEqual({
        kind: 'expired',
        at: 60_000,
        because: 'validity',
      });
      expect(Object.fromEntries(metrics.noRouteBacklog())).toEqual({ FR: 3 });
    });
  });
});
