import { randomUUID } from 'node:crypto';
import { type StatusChangedV1, StatusEventKind, StatusEventSource } from '@sms/contracts';
import { statusEvent } from '@sms/testing';
import { buildRouteSnapshot } from '../snapshot/route-snapshot';
import { RouteDecider } from '../decision/route-decider';
import { poolNumber, poolRate, routeRequest } from '../routing.fixtures';
import { emptyCounts, latencyQuantile, type QualityCounts, routeKeyString } from './quality-counts';
import { estimateProviders, estimateRoutes, MIN_SAMPLE, PRIOR_DELIVERY_RATE } from './quality-estimate';
import { CountedFacts, QualityTracker } from './quality-tracker';
import { WEIGHT_PRESETS, type ScoreWeights } from './score-weights';
import { MemoryShortBuckets } from './short-buckets';

const T0 = Date.parse('2026-12-07T10:00:00Z');

const event = (over: Partial<StatusChangedV1> & Pick<StatusChangedV1, 'kind' | 'source'>): StatusChangedV1 =>
  statusEvent(randomUUID(), over.kind, { provider: 'alpha', occurredAt: new Date(T0).toISOString(), ...over });

const sent = (messageId: string, at: number, provider = 'alpha', country = 'GB') =>
  event({
    messageId,
    provider,
    country,
    kind: StatusEventKind.Sent,
    source: StatusEventSource.SendWorker,
    occurredAt: new Date(at).toISOString(),
  });
const receipt = (messageId: string, kind: StatusEventKind, at: number, provider = 'alpha') =>
  event({ messageId, provider, kind, source: StatusEventSource.Dlr, occurredAt: new Date(at).toISOString() });

describe('QualityTracker', () => {
  let now = T0;
  let short: MemoryShortBuckets;
  let tracker: QualityTracker;
  beforeEach(() => {
    now = T0;
    short = new MemoryShortBuckets(3_600_000);
    tracker = new QualityTracker([short], { bucketMs: 60_000, receiptDeadlineMs: 7_200_000 }, () => now);
  });
  const gb = () => short.read(0).then((m) => m.get(routeKeyString({ provider: 'alpha', country: 'GB', network: '' })));

  it('matches a receipt to its send and counts the send-to-receipt latency', async () => {
    tracker.observe(sent('m1', T0));
    tracker.observe(sent('m2', T0));
    tracker.observe(receipt('m1', StatusEventKind.Delivered, T0 + 2_500));
    tracker.observe(receipt('m2', StatusEventKind.Undelivered, T0 + 9_000));
    now = T0 + 60_000;
    expect(await tracker.flush()).toBeNull();

    const counts = (await gb())!;
    expect(counts).toMatchObject({ sent: 2, delivered: 1, undelivered: 1, overdue: 0 });
    // Only the delivered receipt has a latency: 2.5 s falls in the 2-3 s bin.
    expect(counts.latency.reduce((a, b) => a + b, 0)).toBe(1);
    expect(latencyQuantile(counts.latency, 0.5)).toBeGreaterThan(2_000);
    expect(latencyQuantile(counts.latency, 0.5)).toBeLessThanOrEqual(3_000);
    expect(tracker.pendingCount).toBe(0);
  });

  it('counts send errors by class, and receipts it never saw the send of as unmatched', async () => {
    tracker.observe(
      event({
        country: 'GB',
        kind: StatusEventKind.Retry,
        source: StatusEventSource.SendWorker,
        errorClass: 'transient',
      }),
    );
    tracker.observe(
      event({
        country: 'GB',
        kind: StatusEventKind.Failed,
        source: StatusEventSource.SendWorker,
        errorClass: 'configuration',
      }),
    );
    tracker.observe(receipt('never-sent', StatusEventKind.Delivered, T0));
    await tracker.flush();

    expect((await gb())!.errors).toMatchObject({ transient: 1, configuration: 1 });
    expect(tracker.unmatched).toBe(1);
  });

  it("counts reconciliation's answer, and a send past the deadline with no word at all, as overdue", async () => {
    tracker.observe(sent('late', T0));
    tracker.observe(sent('silent', T0 + 1));
    tracker.observe(
      event({
        messageId: 'late',
        kind: StatusEventKind.Unknown,
        source: StatusEventSource.Reconcile,
        errorCode: 'RECEIPT_TIMEOUT',
      }),
    );
    now = T0 + 7_200_000 + 10;
    await tracker.flush();

    expect((await gb())!).toMatchObject({ sent: 2, delivered: 0, overdue: 2 });
    expect(tracker.pendingCount).toBe(0);
  });

  /** A receipt as dlr-processor publishes it now: with its send's time, country and network. */
  const routedReceipt = (messageId: string, kind: StatusEventKind, sentAt: number, at: number, provider = 'alpha') =>
    event({
      messageId,
      provider,
      kind,
      source: StatusEventSource.Dlr,
      attempt: null,
      country: 'GB',
      sentAt: new Date(sentAt).toISOString(),
      occurredAt: new Date(at).toISOString(),
    });

  it('counts a receipt that carries its route on a replica that never saw the send (restart, rebalance)', async () => {
    // This tracker is a fresh process: the sends were counted by another one (or before a restart).
    tracker.observe(routedReceipt('m1', StatusEventKind.Delivered, T0, T0 + 2_500));
    tracker.observe(routedReceipt('m2', StatusEventKind.Failed, T0, T0 + 4_000));
    tracker.observe(
      event({
        messageId: 'm3',
        kind: StatusEventKind.Unknown,
        source: StatusEventSource.Reconcile,
        errorCode: 'RECEIPT_TIMEOUT',
        country: 'GB',
        sentAt: new Date(T0).toISOString(),
      }),
    );
    await tracker.flush();

    expect(tracker.unmatched).toBe(0);
    const counts = (await gb())!;
    expect(counts).toMatchObject({ sent: 0, delivered: 1, undelivered: 1, overdue: 1 });
    expect(latencyQuantile(counts.latency, 0.5)).toBeGreaterThan(2_000);
    expect(latencyQuantile(counts.latency, 0.5)).toBeLessThanOrEqual(3_000);
  });

  it('counts the network the send named when this replica saw it, and still ends its wait', async () => {
    tracker.observe({ ...sent('m1', T0), network: '23410' });
    tracker.observe(routedReceipt('m1', StatusEventKind.Delivered, T0, T0 + 1_000));
    await tracker.flush();

    expect(tracker.pendingCount).toBe(0);
    const all = await short.read(0);
    expect(all.get(routeKeyString({ provider: 'alpha', country: 'GB', network: '23410' }))).toMatchObject({
      sent: 1,
      delivered: 1,
    });
    expect(all.has(routeKeyString({ provider: 'alpha', country: 'GB', network: '' }))).toBe(false);
  });

  it('counts a replayed send result once (a Kafka redelivery: the same event again)', async () => {
    const first = sent('m1', T0);
    const retry = event({
      messageId: 'm2',
      country: 'GB',
      kind: StatusEventKind.Retry,
      source: StatusEventSource.SendWorker,
      errorClass: 'transient',
    });
    const second = { ...sent('m2', T0), attempt: 2 };
    for (const e of [first, retry, second, first, retry, second]) {
      tracker.observe(e);
    }
    await tracker.flush();

    expect((await gb())!).toMatchObject({ sent: 2, errors: { transient: 1 } });
    expect(tracker.duplicates).toBe(3);
  });

  it("counts a message's final outcome through a provider once, whatever the repeats' event ids", async () => {
    tracker.observe(sent('dup', T0));
    // The provider posted the receipt twice (two webhooks: two event ids), and a replay read it again.
    const receipt1 = routedReceipt('dup', StatusEventKind.Delivered, T0, T0 + 1_000);
    tracker.observe(receipt1);
    tracker.observe(routedReceipt('dup', StatusEventKind.Delivered, T0, T0 + 1_500));
    tracker.observe(receipt1);
    // Reconciliation counted this one overdue; its receipt came later after all.
    tracker.observe(sent('late', T0));
    tracker.observe(
      event({
        messageId: 'late',
        kind: StatusEventKind.Unknown,
        source: StatusEventSource.Reconcile,
        country: 'GB',
        sentAt: new Date(T0).toISOString(),
      }),
    );
    tracker.observe(routedReceipt('late', StatusEventKind.Delivered, T0, T0 + 7_000_000));
    await tracker.flush();

    expect((await gb())!).toMatchObject({ sent: 2, delivered: 1, overdue: 1, undelivered: 0 });
    expect(tracker.duplicates).toBe(3);
  });

  it("counts each provider's outcome of a message re-sent elsewhere, each once", async () => {
    tracker.observe(sent('m1', T0, 'alpha'));
    tracker.observe({ ...sent('m1', T0 + 5_000, 'beta'), attempt: 2 });
    const failed = routedReceipt('m1', StatusEventKind.Undelivered, T0, T0 + 4_000, 'alpha');
    tracker.observe(failed);
    tracker.observe({
      ...routedReceipt('m1', StatusEventKind.Delivered, T0 + 5_000, T0 + 6_000, 'beta'),
      sentAt: null,
    });
    tracker.observe(failed);
    await tracker.flush();

    const all = await short.read(0);
    expect(all.get(routeKeyString({ provider: 'alpha', country: 'GB', network: '' }))).toMatchObject({
      sent: 1,
      undelivered: 1,
    });
    // Beta's receipt ended the wait this replica kept for the later attempt (and took its latency from it).
    const beta = all.get(routeKeyString({ provider: 'beta', country: 'GB', network: '' }))!;
    expect(beta).toMatchObject({ sent: 1, delivered: 1 });
    expect(latencyQuantile(beta.latency, 0.5)).toBeLessThanOrEqual(1_000);
    expect(tracker.pendingCount).toBe(0);
    expect(tracker.duplicates).toBe(1);
  });

  it('keeps a wait for the later attempt when an earlier attempt through another provider reports', async () => {
    tracker.observe(sent('m1', T0, 'alpha'));
    tracker.observe({ ...sent('m1', T0 + 5_000, 'beta'), attempt: 2 });
    tracker.observe(routedReceipt('m1', StatusEventKind.Undelivered, T0, T0 + 6_000, 'alpha'));

    expect(tracker.pendingCount).toBe(1);
  });

  it('forgets what it counted of the oldest messages beyond its window (bounded memory)', () => {
    const facts = new CountedFacts(4);
    expect(facts.firstFinal('a', 'alpha')).toBe(true);
    expect(facts.firstFinal('a', 'alpha')).toBe(false);
    expect(facts.firstFinal('a', 'beta')).toBe(true);
    expect(facts.firstOfAttempt('a', 1)).toBe(true);
    expect(facts.firstOfAttempt('a', 1)).toBe(false);
    expect(facts.firstOfAttempt('a', null)).toBe(true);
    // Two generations of two messages: 'a' survives one turn-over, not two.
    facts.firstFinal('b', 'alpha');
    facts.firstFinal('c', 'alpha');
    expect(facts.firstFinal('a', 'alpha')).toBe(false);
    facts.firstFinal('d', 'alpha');
    facts.firstFinal('e', 'alpha');
    facts.firstFinal('f', 'alpha');
    facts.firstFinal('g', 'alpha');
    expect(facts.firstFinal('b', 'alpha')).toBe(true);
  });

  it('keeps a bucket a sink refused and gives it to that sink only, at the next flush', async () => {
    const taken: number[] = [];
    let fail = true;
    const flaky = {
      add: (_start: number, counts: ReadonlyMap<string, QualityCounts>) => {
        if (fail) {
          return Promise.reject(new Error('store down'));
        }
        taken.push([...counts.values()].reduce((n, c) => n + c.sent, 0));

        return Promise.resolve();
      },
    };
    const both = new QualityTracker([short, flaky], { bucketMs: 60_000 }, () => now);
    both.observe(sent('a', T0));
    expect(await both.flush()).toBeInstanceOf(Error);
    fail = false;
    now += 60_000;
    both.observe(sent('b', now));
    expect(await both.flush()).toBeNull();

    expect(taken).toEqual([1, 1]);
    // The memory store took the first bucket once, not again at the retry.
    expect((await gb())!.sent).toBe(2);
  });
});

/** Counts of one route: `delivered` of `outcomes` receipts, each delivered one `latencyMs` after its send. */
function routeCounts(delivered: number, outcomes: number, latencyBin = 3): QualityCounts {
  const counts = emptyCounts();
  counts.sent = outcomes;
  counts.delivered = delivered;
  counts.undelivered = outcomes - delivered;
  counts.latency[latencyBin] = delivered;

  return counts;
}
const key = (provider: string, country = 'GB') => routeKeyString({ provider, country, network: '' });

describe('estimateRoutes', () => {
  const smooth = (hits: number, n: number, prior: number) => (hits + MIN_SAMPLE * prior) / (n + MIN_SAMPLE);

  it('pulls a small sample toward the route history, and that toward the provider over every country', () => {
    const history = new Map([[key('alpha', 'FR'), routeCounts(50, 100)]]);
    // No GB counts: alpha's GB rate is its rate over every country, itself pulled toward the fixed prior.
    const globalRate = smooth(50, 100, PRIOR_DELIVERY_RATE);
    const fresh = estimateRoutes('GB', new Map([[key('alpha'), routeCounts(0, 0)]]), history).get('alpha')!;
    expect(fresh.deliveryRate).toBeCloseTo(globalRate, 6);
    expect(estimateProviders(new Map(), history).get('alpha')!.deliveryRate).toBeCloseTo(globalRate, 6);

    // MIN_SAMPLE recent outcomes (all delivered) weigh as much as the prior (which now counts them too).
    const some = estimateRoutes('GB', new Map([[key('alpha'), routeCounts(MIN_SAMPLE, MIN_SAMPLE)]]), history);
    const prior = smooth(50 + MIN_SAMPLE, 100 + MIN_SAMPLE, PRIOR_DELIVERY_RATE);
    expect(some.get('alpha')!.deliveryRate).toBeCloseTo((1 + prior) / 2, 6);
  });

  it('counts overdue receipts against the delivery rate and the coverage', () => {
    const counts = routeCounts(60, 60);
    counts.sent = 100;
    counts.overdue = 40;
    const q = estimateRoutes('GB', new Map([[key('alpha'), counts]]), new Map()).get('alpha')!;
    expect(q.coverage).toBeCloseTo(0.6, 6);
    // 60 delivered of 100 outcomes (40 overdue), pulled toward the provider's rate (the same counts).
    const provider = smooth(60, 100, PRIOR_DELIVERY_RATE);
    expect(q.deliveryRate).toBeCloseTo(smooth(60, 100, provider), 6);
    expect(q.overdue).toBe(40);
  });
});

describe('the weighted score in the decision', () => {
  const pool = [poolNumber('+447400000001', 'cheap', 'GB'), poolNumber('+447400000002', 'good', 'GB')];
  const rates = [poolRate('cheap', 'GB', '0.0300'), poolRate('good', 'GB', '0.0400')];
  // cheap: 60% delivered, receipts in ~2.5 s; good: 99% delivered, same latency.
  const recent = new Map([
    [key('cheap'), routeCounts(120, 200)],
    [key('good'), routeCounts(198, 200)],
  ]);
  const planWith = (weights: ScoreWeights) => {
    const snapshot = {
      ...buildRouteSnapshot(['cheap', 'good'], pool, rates, [], false),
      quality: {
        weights: { scope: 'default', weights },
        routes: estimateRoutes('GB', recent, new Map()),
        providers: estimateProviders(recent, new Map()),
      },
    };
    const plan = new RouteDecider().plan(routeRequest(), snapshot, new Map());
    if (plan.kind !== 'route') {
      throw new Error(plan.kind);
    }

    return plan;
  };

  it('takes the cheap route on cost alone and the reliable one when delivery weighs', () => {
    expect(planWith(WEIGHT_PRESETS['cheap-first']).best.providerId).toBe('cheap');
    expect(planWith(WEIGHT_PRESETS.balanced).best.providerId).toBe('good');
    expect(planWith(WEIGHT_PRESETS['quality-first']).best.providerId).toBe('good');
  });

  it('explains every factor: raw value, normalised value, weight and contribution', () => {
    const plan = planWith(WEIGHT_PRESETS.balanced);
    const cheap = plan.candidates.find((c) => c.providerId === 'cheap')!;
    const delivery = cheap.factors!.find((f) => f.factor === 'delivery')!;
    expect(delivery.weight).toBe(1);
    expect(delivery.raw).toBeCloseTo(cheap.quality!.deliveryRate, 6);
    expect(delivery.normalised).toBeCloseTo(1 - cheap.quality!.deliveryRate, 6);
    // Weights sum to 2.75: a factor's contribution is its normalised value × weight ÷ 2.75.
    expect(delivery.contribution).toBeCloseTo(delivery.normalised / 2.75, 5);
    const cost = cheap.factors!.find((f) => f.factor === 'cost')!;
    expect(cost).toMatchObject({ raw: 0.03, normalised: 0.75, weight: 1 });
    const sum = cheap.factors!.reduce((n, f) => n + f.contribution, 0);
    expect(cheap.score).toBeCloseTo(sum * cheap.multiplier, 6);
    expect(cheap.outcome).toBe('lost');
    expect(cheap.reason).toContain('delivery');
  });
});
