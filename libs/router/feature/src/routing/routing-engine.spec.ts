import { MessageClass } from '@sms/contracts';
import type { CountryRuleEntity } from '../database/entities/country-rule.entity';
import { MemoryRoutingState } from '../state/memory-routing-state';
import type { ClaimRequest } from '../state/routing-state';
import { buildRouteSnapshot, type RouteSnapshot, snapshotRoutePool } from './snapshot/route-snapshot';
import { RoutingEngine, type RoutingOutcome } from './routing-engine';
import { poolNumber, poolRate, routeRequest } from './routing.fixtures';

const number = poolNumber;
const rate = poolRate;
const rule = (country: string, over: Partial<CountryRuleEntity>): CountryRuleEntity => ({
  country,
  allowedSenderTypes: [],
  senderIdPolicy: 'allowed',
  localNumberRequired: false,
  blocked: false,
  updatedAt: new Date(0),
  ...over,
});

const request = routeRequest;

const GB_POOL = [
  number('+447700900001', 'cheap', 'GB'),
  number('+447700900002', 'cheap', 'GB'),
  number('+447700900010', 'mid', 'GB'),
  number('+447700900020', 'dear', 'GB'),
];
const GB_RATES = [rate('cheap', 'GB', '0.0300'), rate('mid', 'GB', '0.0400'), rate('dear', 'GB', '0.0500')];

function engineOver(snapshot: RouteSnapshot, state = new MemoryRoutingState()) {
  return {
    engine: new RoutingEngine(
      snapshotRoutePool(() => snapshot),
      state,
      { healthTtlMs: 0 },
    ),
    state,
  };
}

const routed = (outcome: RoutingOutcome) => {
  if (outcome.kind !== 'route') {
    throw new Error(`expected a route, got ${outcome.kind} ${outcome.code}: ${outcome.reason}`);
  }

  return outcome;
};

async function record(state: MemoryRoutingState, provider: string, outcome: 'sent' | 'error', times: number) {
  for (let i = 0; i < times; i++) {
    await state.recordOutcome(provider, outcome, 100);
  }
}

describe('RoutingEngine (decision rules, in-process state)', () => {
  const providers = ['cheap', 'mid', 'dear'];

  it('takes the lowest score and explains why each other candidate lost', async () => {
    const { engine } = engineOver(buildRouteSnapshot(providers, GB_POOL, GB_RATES, []));
    const outcome = routed(await engine.route(request()));

    expect(outcome).toMatchObject({ providerId: 'cheap', price: '0.0300', delayMs: 0 });
    expect(outcome.candidates.map((c) => [c.providerId, c.outcome])).toEqual([
      ['cheap', 'chosen'],
      ['mid', 'lost'],
      ['dear', 'lost'],
    ]);
    expect(outcome.candidates[1]!.reason).toMatch(/dearer: 0.0400 vs 0.0300/);
    expect(outcome.reason).toMatch(/^best score for GB: cheap at 0.0300 USD\/segment x 1/);
  });

  it('loads a cold pool once for many concurrent decisions (single flight), then serves them from cache', async () => {
    let loads = 0;
    const snapshot = buildRouteSnapshot(providers, GB_POOL, GB_RATES, []);
    const pool = snapshotRoutePool(() => snapshot);
    const engine = new RoutingEngine(
      {
        ...pool,
        forCountry: async (country) => {
          loads++;
          await new Promise((resolve) => setTimeout(resolve, 20));

          return pool.forCountry(country);
        },
      },
      new MemoryRoutingState(),
    );
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) => engine.route(request({ to: `+4474001${String(10_000 + i)}` }))),
    );
    await engine.route(request());

    expect(loads).toBe(1);
    expect(outcomes.every((o) => o.kind === 'route')).toBe(true);
    engine.invalidate();
    await engine.route(request());
    expect(loads).toBe(2);
  });

  it('caches per destination country and per explicit sender; a load in flight during an operator change is not kept', async () => {
    const loads: string[] = [];
    let gate: Promise<void> | null = null;
    const pool = snapshotRoutePool(() =>
      buildRouteSnapshot(
        providers,
        [...GB_POOL, number('+12025550100', 'cheap', 'US')],
        [...GB_RATES, rate('cheap', 'US', '0.0079')],
        [],
      ),
    );
    const engine = new RoutingEngine(
      {
        forCountry: async (country) => {
          loads.push(country);
          await gate;

          return pool.forCountry(country);
        },
        sender: (value) => {
          loads.push(`from ${value}`);

          return pool.sender(value);
        },
        activeProviders: () => pool.activeProviders(),
      },
      new MemoryRoutingState(),
    );
    const us = (to: string) => request({ to, country: 'US' });
    await engine.route(request());
    await engine.route(us('+12025550199'));
    await engine.route(request({ to: '+447400123457' }));
    await engine.route(us('+12025550198'));
    await engine.route(request({ from: '+447700900010' }));
    await engine.route(request({ to: '+447400123458', from: '+447700900010' }));
    expect(loads).toEqual(['GB', 'US', 'from +447700900010']);

    let open!: () => void;
    gate = new Promise<void>((resolve) => (open = resolve));
    engine.invalidate();
    const during = engine.route(request());
    engine.invalidate();
    open();
    gate = null;
    expect((await during).kind).toBe('route');
    await engine.route(request());
    expect(loads).toEqual(['GB', 'US', 'from +447700900010', 'GB', 'GB']);
  });

  it('decides over a reloaded explicit sender while its country stays cached (plans are kept per sender entry)', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'], now: 1_000_000 });
    try {
      let owner = 'mid';
      const snapshot = buildRouteSnapshot(providers, GB_POOL, GB_RATES, []);
      const engine = new RoutingEngine(
        {
          ...snapshotRoutePool(() => snapshot),
          sender: (value) => Promise.resolve(value === '+447700900099' ? number(value, owner, 'GB') : null),
        },
        new MemoryRoutingState(),
        { snapshotTtlMs: 100, healthTtlMs: 100 },
      );
      const from = (country: string) => request({ country, from: '+447700900099' });
      // The sender is loaded with the US snapshot, 60 ms before GB's: it expires while GB's is still fresh.
      await engine.route(from('US'));
      jest.setSystemTime(1_000_060);
      expect(routed(await engine.route(from('GB'))).providerId).toBe('mid');
      owner = 'dear';
      jest.setSystemTime(1_000_120);

      expect(routed(await engine.route(from('GB'))).providerId).toBe('dear');
    } finally {
      jest.useRealTimers();
    }
  });

  it('prices by the longest matching prefix of each provider', async () => {
    const rates = [...GB_RATES, rate('dear', 'GB', '0.0100', '4474')];
    const { engine } = engineOver(buildRouteSnapshot(providers, GB_POOL, rates, []));

    expect(routed(await engine.route(request({ to: '+447400123456' }))).providerId).toBe('dear');
    expect(routed(await engine.route(request({ to: '+447500123456' }))).providerId).toBe('cheap');
  });

  describe('compliance filter', () => {
    it('refuses a blocked country', async () => {
      const { engine } = engineOver(buildRouteSnapshot(providers, GB_POOL, GB_RATES, [rule('GB', { blocked: true })]));

      expect(await engine.route(request())).toMatchObject({ kind: 'refused', code: 'COUNTRY_NOT_ALLOWED' });
    });

    it('refuses an alphanumeric sender where sender IDs are forbidden, and an unregistered one where registration is required', async () => {
      const pool = [...GB_POOL, number('ACME', 'mid', 'GB', 'alphanumeric')];
      const forbidden = engineOver(
        buildRouteSnapshot(providers, pool, GB_RATES, [rule('GB', { senderIdPolicy: 'forbidden' })]),
      );
      const registration = engineOver(
        buildRouteSnapshot(providers, pool, GB_RATES, [rule('GB', { senderIdPolicy: 'registration' })]),
      );

      expect(await forbidden.engine.route(request({ from: 'ACME' }))).toMatchObject({ code: 'SENDER_ID_NOT_ALLOWED' });
      expect(await registration.engine.route(request({ from: 'OTHER' }))).toMatchObject({
        code: 'SENDER_ID_NOT_REGISTERED',
      });
      // The registered one is honoured, through the provider it is registered with.
      expect(routed(await registration.engine.route(request({ from: 'ACME' })))).toMatchObject({
        providerId: 'mid',
        sender: 'ACME',
      });
    });

    it('honours an explicit compliant from through its provider, even when dearer; refuses one outside the pool', async () => {
      const { engine } = engineOver(buildRouteSnapshot(providers, GB_POOL, GB_RATES, []));

      const outcome = routed(await engine.route(request({ from: '+447700900020' })));
      expect(outcome).toMatchObject({ providerId: 'dear', sender: '+447700900020' });
      expect(outcome.candidates.find((c) => c.providerId === 'cheap')!.reason).toBe(
        'the requested sender belongs to dear',
      );
      expect(await engine.route(request({ from: '+447700999999' }))).toMatchObject({
        kind: 'refused',
        code: 'SENDER_NOT_ALLOWED',
      });
    });

    it('keeps only local numbers where the country requires them, and refuses a foreign from there', async () => {
      const pool = [number('+12025550100', 'cheap', 'US'), number('+447700900010', 'mid', 'GB')];
      const { engine } = engineOver(
        buildRouteSnapshot(providers, pool, GB_RATES, [rule('GB', { localNumberRequired: true })]),
      );
      const outcome = routed(await engine.route(request()));

      expect(outcome).toMatchObject({ providerId: 'mid', sender: '+447700900010' });
      expect(outcome.candidates.find((c) => c.providerId === 'cheap')!.reason).toMatch(/local number required/);
      expect(await engine.route(request({ from: '+12025550100' }))).toMatchObject({ code: 'SENDER_NOT_ALLOWED' });
    });

    it('keeps only the sender types the country allows', async () => {
      const pool = [number('+447700900001', 'cheap', 'GB', 'tollfree'), number('+447700900010', 'mid', 'GB')];
      const { engine } = engineOver(
        buildRouteSnapshot(providers, pool, GB_RATES, [rule('GB', { allowedSenderTypes: ['longcode'] })]),
      );

      expect(routed(await engine.route(request())).providerId).toBe('mid');
    });

    it('never routes ordinary traffic from a masking number', async () => {
      const pool = [number('+447700900001', 'cheap', 'GB', 'longcode', 10, ['sms', 'masking']), GB_POOL[2]!];
      const { engine } = engineOver(buildRouteSnapshot(providers, pool, GB_RATES, []));

      expect(routed(await engine.route(request())).sender).toBe('+447700900010');
      // ...but a masking session sending from it explicitly is honoured.
      expect(routed(await engine.route(request({ from: '+447700900001' }))).providerId).toBe('cheap');
    });
  });

  describe('capability filter', () => {
    const pool = [
      number('55501', 'cheap', 'US', 'shortcode'),
      number('+12025550100', 'cheap', 'US', 'longcode'),
      number('+18885550100', 'cheap', 'US', 'tollfree'),
    ];
    const rates = [rate('cheap', 'US', '0.0079'), rate('cheap', 'GB', '0.0300')];
    const us = request({ to: '+12025550199', country: 'US' });

    it('uses a short code for marketing and a long code for transactional messages', async () => {
      const { engine } = engineOver(buildRouteSnapshot(['cheap'], pool, rates, []));

      expect(routed(await engine.route({ ...us, messageClass: MessageClass.Marketing })).sender).toBe('55501');
      expect(routed(await engine.route(us)).sender).toBe('+12025550100');
    });

    it('sends from a short code only domestically', async () => {
      const { engine } = engineOver(buildRouteSnapshot(['cheap'], [pool[0]!], rates, []));
      const outcome = await engine.route(request({ messageClass: MessageClass.Marketing }));

      expect(outcome).toMatchObject({ kind: 'no-route', code: 'NO_ROUTE' });
      expect(outcome.candidates[0]!.reason).toMatch(/short codes domestic only/);
    });
  });

  describe('score', () => {
    it('lets a dearer provider win when the cheaper one delivers badly', async () => {
      const { engine, state } = engineOver(buildRouteSnapshot(providers, GB_POOL, GB_RATES, []));
      for (let i = 0; i < 40; i++) {
        await state.recordOutcome('cheap', i < 20 ? 'delivered' : 'undelivered');
      }
      // (explain: a routed message might be this interval's probe of the cheaper provider)
      const outcome = routed(await engine.route(request(), true));

      expect(outcome.providerId).toBe('mid');
      const cheap = outcome.candidates.find((c) => c.providerId === 'cheap')!;
      expect(cheap.health.deliveryRate).toBe(0.5);
      expect(cheap.score).toBeCloseTo(0.06, 6);
      expect(cheap.reason).toMatch(/delivery 50.0%/);
    });

    it('weighs latency: 5 s doubles the score', async () => {
      const { engine, state } = engineOver(buildRouteSnapshot(providers, GB_POOL, GB_RATES, []));
      await state.recordOutcome('cheap', 'sent', 5000);
      const cheap = routed(await engine.route(request())).candidates.find((c) => c.providerId === 'cheap')!;

      expect(cheap.score).toBeCloseTo(0.06, 6);
    });
  });

  describe('health: failover and recovery', () => {
    it('sends one probe per interval to a cheaper provider held back by its health', async () => {
      const state = new MemoryRoutingState();
      const engine = new RoutingEngine(
        snapshotRoutePool(() => buildRouteSnapshot(providers, GB_POOL, GB_RATES, [])),
        state,
        {
          healthTtlMs: 0,
          probeIntervalMs: 60_000,
        },
      );
      // 4 errors in 7 answers: not yet "unhealthy" (under 10 attempts) but scored behind mid.
      await record(state, 'cheap', 'sent', 3);
      await record(state, 'cheap', 'error', 4);
      const picks = [];
      for (let i = 0; i < 5; i++) {
        picks.push(routed(await engine.route(request({ to: `+4474001239${i}` }))));
      }

      expect(picks.map((p) => p.providerId)).toEqual(['cheap', 'mid', 'mid', 'mid', 'mid']);
      expect(picks[0]!.reason).toMatch(/^probe of a provider held back by its health/);
    });

    it('skips a provider above 5% errors and uses it again after it recovers through probes', async () => {
      const state = new MemoryRoutingState();
      const engine = new RoutingEngine(
        snapshotRoutePool(() => buildRouteSnapshot(providers, GB_POOL, GB_RATES, [])),
        state,
        {
          healthTtlMs: 0,
          probeIntervalMs: 50,
        },
      );
      await record(state, 'cheap', 'sent', 18);
      await record(state, 'cheap', 'error', 2);
      const failing = routed(await engine.route(request()));
      // 10% errors: skipped, except for the one probe message the interval allows.
      const picks = [failing.providerId];
      for (let i = 0; i < 20; i++) {
        picks.push(routed(await engine.route(request({ to: `+4474001234${10 + i}` }))).providerId);
      }
      expect(picks.filter((p) => p === 'cheap')).toHaveLength(1);
      expect(picks.filter((p) => p === 'mid')).toHaveLength(20);
      const explained = routed(await engine.route(request(), true));
      expect(explained.candidates.find((c) => c.providerId === 'cheap')!.reason).toMatch(
        /^unhealthy: 10.0% errors over the last 5 minutes/,
      );

      // Probes succeed three times in a row: back in use although the 5-minute rate is still above 5%.
      await record(state, 'cheap', 'sent', 3);
      expect(routed(await engine.route(request())).providerId).toBe('cheap');
    });

    it('keeps a message in no-route while every provider is unhealthy (bar the probe)', async () => {
      const state = new MemoryRoutingState();
      const engine = new RoutingEngine(
        snapshotRoutePool(() => buildRouteSnapshot(['cheap'], GB_POOL.slice(0, 2), GB_RATES, [])),
        state,
        { healthTtlMs: 0, probeIntervalMs: 60_000 },
      );
      await record(state, 'cheap', 'error', 10);

      expect(routed(await engine.route(request())).providerId).toBe('cheap');
      expect(await engine.route(request())).toMatchObject({
        kind: 'no-route',
        reason: expect.stringMatching(/every provider that can serve GB is unhealthy/),
      });
    });

    it('prefers providers that did not fail this message, and stays on a pinned one', async () => {
      const { engine } = engineOver(buildRouteSnapshot(providers, GB_POOL, GB_RATES, []));

      expect(routed(await engine.route(request({ avoidProviders: ['cheap'] }))).providerId).toBe('mid');
      expect(routed(await engine.route(request({ to: '+447400999001', avoidProviders: providers }))).providerId).toBe(
        'cheap',
      );
      expect(
        routed(await engine.route(request({ to: '+447400999002', pinProvider: 'dear', avoidProviders: ['dear'] })))
          .providerId,
      ).toBe('dear');
    });
  });

  describe('excluded providers (a DLR fallback)', () => {
    /** The real in-process state, remembering which senders each claim could book. */
    class RecordingState extends MemoryRoutingState {
      readonly claimed: string[][] = [];

      override claim(request: ClaimRequest) {
        this.claimed.push(Array.from({ length: request.group.length }, (_, i) => request.group.at(i)!.number));

        return super.claim(request);
      }
    }
    const pool = [
      number('+447700900001', 'cheap', 'GB', 'longcode', 1),
      number('+447700900010', 'mid', 'GB', 'longcode', 1),
    ];

    it('filters them before booking: their numbers keep every slot', async () => {
      const state = new RecordingState();
      const { engine } = engineOver(buildRouteSnapshot(['cheap', 'mid'], pool, GB_RATES, []), state);

      const fallback = routed(
        await engine.route(
          request({ to: '+447400000001', segments: 3, avoidProviders: ['cheap'], excludeProviders: ['cheap'] }),
        ),
      );
      expect(fallback).toMatchObject({ providerId: 'mid', sender: '+447700900010', delayMs: 0 });
      expect(fallback.candidates.find((c) => c.providerId === 'cheap')).toMatchObject({
        outcome: 'lost',
        score: null,
        reason: 'excluded: this message must go through another provider',
      });
      expect(state.claimed).toEqual([['+447700900010']]);
      // cheap's number was never booked: the next message goes at once (3 segments at 1/s would be 3 s).
      expect(routed(await engine.route(request({ to: '+447400000002' })))).toMatchObject({
        providerId: 'cheap',
        delayMs: 0,
      });
    });

    it('ends in no-route without any booking when only excluded providers serve the country', async () => {
      const state = new RecordingState();
      const { engine } = engineOver(buildRouteSnapshot(['cheap'], [pool[0]!], GB_RATES, []), state);

      expect(
        await engine.route(request({ to: '+447400000001', avoidProviders: ['cheap'], excludeProviders: ['cheap'] })),
      ).toMatchObject({ kind: 'no-route', code: 'NO_ROUTE', reason: 'no provider other than cheap has a rate for GB' });
      expect(state.claimed).toEqual([]);
      // Merely avoided (an ordinary retry), the same provider is used when nothing else can: that books.
      expect(routed(await engine.route(request({ to: '+447400000002', avoidProviders: ['cheap'] }))).providerId).toBe(
        'cheap',
      );
      expect(state.claimed).toEqual([['+447700900001']]);
    });
  });

  describe('senders', () => {
    it('rotates ties round-robin: 1,000 recipients over 2 numbers of one provider and 1 of an equal one', async () => {
      const pool = [...GB_POOL.slice(0, 2), number('+447700900030', 'twin', 'GB')];
      const rates = [rate('cheap', 'GB', '0.0300'), rate('twin', 'GB', '0.0300')];
      const { engine } = engineOver(buildRouteSnapshot(['cheap', 'twin'], pool, rates, []));
      const counts = new Map<string, number>();
      for (let i = 0; i < 999; i++) {
        const { sender } = routed(await engine.route(request({ to: `+4474001${String(i).padStart(5, '0')}` })));
        counts.set(sender, (counts.get(sender) ?? 0) + 1);
      }

      expect(Object.fromEntries(counts)).toEqual({ '+447700900001': 333, '+447700900002': 333, '+447700900030': 333 });
    });

    it('keeps a recipient on its sender while it stays eligible, and moves it when it does not', async () => {
      let snapshot = buildRouteSnapshot(providers, GB_POOL, GB_RATES, []);
      const engine = new RoutingEngine(
        snapshotRoutePool(() => snapshot),
        new MemoryRoutingState(),
        {
          snapshotTtlMs: 0,
        },
      );
      const first = routed(await engine.route(request())).sender;
      for (let i = 0; i < 5; i++) {
        expect(routed(await engine.route(request())).sender).toBe(first);
      }
      snapshot = buildRouteSnapshot(
        providers,
        GB_POOL.filter((n) => n.number !== first),
        GB_RATES,
        [],
      );
      const moved = routed(await engine.route(request()));
      expect(moved.sender).not.toBe(first);
      expect(routed(await engine.route(request())).sender).toBe(moved.sender);
    });

    it('delays on a full number rather than refusing: 3 segments at 1 segment/s book 3 s', async () => {
      const pool = [number('+447700900001', 'cheap', 'GB', 'longcode', 1)];
      const { engine } = engineOver(buildRouteSnapshot(['cheap'], pool, GB_RATES, []));
      const delays = [];
      for (let i = 0; i < 3; i++) {
        delays.push(routed(await engine.route(request({ to: `+44740012345${i}`, segments: 3 }))).delayMs);
      }

      expect(delays[0]).toBe(0);
      expect(delays[1]).toBeGreaterThanOrEqual(2990);
      expect(delays[1]).toBeLessThanOrEqual(3000);
      expect(delays[2]).toBeGreaterThanOrEqual(5990);
    });

    it('moves a message to an equally good free number before delaying it', async () => {
      const pool = [
        number('+447700900001', 'cheap', 'GB', 'longcode', 1),
        number('+447700900002', 'cheap', 'GB', 'longcode', 1),
      ];
      const { engine } = engineOver(buildRouteSnapshot(['cheap'], pool, GB_RATES, []));
      const a = routed(await engine.route(request({ to: '+447400000001', segments: 5 })));
      const b = routed(await engine.route(request({ to: '+447400000002' })));
      const c = routed(await engine.route(request({ to: '+447400000003' })));

      expect([a.delayMs, b.delayMs]).toEqual([0, 0]);
      expect(b.sender).not.toBe(a.sender);
      // Both busy now: the one free soonest (b's, after 1 s) takes it.
      expect(c.sender).toBe(b.sender);
      expect(c.delayMs).toBeGreaterThan(900);
    });

    it('explain books nothing', async () => {
      const pool = [number('+447700900001', 'cheap', 'GB', 'longcode', 1)];
      const { engine } = engineOver(buildRouteSnapshot(['cheap'], pool, GB_RATES, []));
      for (let i = 0; i < 3; i++) {
        expect(routed(await engine.route(request(), true)).delayMs).toBe(0);
      }
    });
  });
});
