import {
  OPTED_OUT_BEFORE_SEND,
  type StatusChangedV1,
  statusRecord,
  StatusEventKind,
  StatusEventSource,
} from '@sms/contracts';
import { QualityTracker } from './quality/quality-tracker';
import { MemoryShortBuckets } from './quality/short-buckets';
import { MemoryRoutingState } from '../state/memory-routing-state';
import { type CountedOutcome, EMPTY_HEALTH, type HealthTally, tallyOutcomes } from '../state/routing-state';
import { HealthRecorder, healthOutcomeOf, tellsHealthNothing } from './health.recorder';
import { consumedStatus } from './routing.fixtures';

/** The in-process state, with a log of the writes the recorder made to it (one entry per write). */
class LoggedState extends MemoryRoutingState {
  readonly writes: (readonly HealthTally[])[] = [];

  override recordTallies(tallies: readonly HealthTally[]): Promise<void> {
    this.writes.push(tallies);

    return super.recordTallies(tallies);
  }
}

const { Sent, Retry, Failed, Undelivered, Delivered } = StatusEventKind;
const { SendWorker, Dlr } = StatusEventSource;

/** The same outcomes written one by one, in order: what the batched writes must add up to. */
async function oneByOne(outcomes: readonly CountedOutcome[], providers: readonly string[]) {
  const state = new MemoryRoutingState();
  for (const { provider, outcome, latencyMs } of outcomes) {
    await state.recordOutcome(provider, outcome, latencyMs);
  }

  return state.readHealth(providers);
}

describe(HealthRecorder.name, () => {
  it('counts a storm of receipts in one write, every receipt counted before its record is done', async () => {
    const state = new LoggedState();
    const recorder = new HealthRecorder(state);
    const receipts = [
      ...Array.from({ length: 300 }, () => consumedStatus('alpha', Delivered, Dlr)),
      ...Array.from({ length: 20 }, () => consumedStatus('alpha', Undelivered, Dlr)),
      ...Array.from({ length: 100 }, () => consumedStatus('bravo', Delivered, Dlr)),
    ];

    // As a partition batch hands them over: concurrently, each awaited.
    await Promise.all(receipts.map((record) => recorder.handle(record)));

    const health = await state.readHealth(['alpha', 'bravo']);
    expect(health.get('alpha')).toEqual({ ...EMPTY_HEALTH, delivered: 300, undelivered: 20 });
    expect(health.get('bravo')).toEqual({ ...EMPTY_HEALTH, delivered: 100 });
    expect(state.writes).toHaveLength(1);
  });

  it('writes a batch mixing providers, errors and receipts at once, as one by one would leave it', async () => {
    const state = new LoggedState();
    const recorder = new HealthRecorder(state);
    const records = [
      consumedStatus('alpha', Sent),
      consumedStatus('bravo', Retry),
      consumedStatus('alpha', Retry),
      consumedStatus('bravo', Sent),
      consumedStatus('alpha', Delivered, Dlr),
      consumedStatus('alpha', Sent),
      consumedStatus('charlie', Sent),
      consumedStatus('bravo', Failed),
      consumedStatus('alpha', Undelivered), // a permanent refusal: the provider answered
      consumedStatus('bravo', Undelivered, Dlr),
      consumedStatus('charlie', Sent),
      consumedStatus('bravo', Sent),
    ];

    await Promise.all(records.map((record) => recorder.handle(record)));

    expect(state.writes).toHaveLength(1);
    const providers = ['alpha', 'bravo', 'charlie'];
    const health = await state.readHealth(providers);
    expect(health).toEqual(
      await oneByOne(
        [
          { provider: 'alpha', outcome: 'sent', latencyMs: 120 },
          { provider: 'bravo', outcome: 'error', latencyMs: 120 },
          { provider: 'alpha', outcome: 'error', latencyMs: 120 },
          { provider: 'bravo', outcome: 'sent', latencyMs: 120 },
          { provider: 'alpha', outcome: 'delivered' },
          { provider: 'alpha', outcome: 'sent', latencyMs: 120 },
          { provider: 'charlie', outcome: 'sent', latencyMs: 120 },
          { provider: 'bravo', outcome: 'error', latencyMs: 120 },
          { provider: 'alpha', outcome: 'sent', latencyMs: 120 },
          { provider: 'bravo', outcome: 'undelivered' },
          { provider: 'charlie', outcome: 'sent', latencyMs: 120 },
          { provider: 'bravo', outcome: 'sent', latencyMs: 120 },
        ],
        providers,
      ),
    );
    // The streak is the successes after each provider's last error in the batch.
    expect(health.get('alpha')).toMatchObject({ attempts: 4, errors: 1, delivered: 1, streak: 2 });
    expect(health.get('bravo')).toMatchObject({ attempts: 4, errors: 2, undelivered: 1, streak: 1 });
    expect(health.get('charlie')).toMatchObject({ attempts: 2, errors: 0, streak: 2, latencySumMs: 240 });
  });

  it('keeps the streak across batches: a batch without an error adds to it, one with an error restarts it', async () => {
    const state = new LoggedState();
    const recorder = new HealthRecorder(state);
    const batch = (kinds: readonly StatusEventKind[]) =>
      Promise.all(kinds.map((kind) => recorder.handle(consumedStatus('alpha', kind))));

    await batch([Sent, Sent, Sent]);
    expect((await state.readHealth(['alpha'])).get('alpha')).toMatchObject({ streak: 3 });
    await batch([Sent, Delivered, Sent]);
    expect((await state.readHealth(['alpha'])).get('alpha')).toMatchObject({ streak: 5 });
    await batch([Sent, Retry, Sent]);
    expect((await state.readHealth(['alpha'])).get('alpha')).toMatchObject({ attempts: 8, errors: 1, streak: 1 });
    await batch([Sent, Retry]);
    expect((await state.readHealth(['alpha'])).get('alpha')).toMatchObject({ attempts: 10, errors: 2, streak: 0 });
    expect(state.writes).toHaveLength(4);
  });

  it('writes send results handled one after another one by one, in order, so the streak is kept', async () => {
    const state = new LoggedState();
    const recorder = new HealthRecorder(state);
    for (const kind of [Sent, Retry, Sent, Sent]) {
      await recorder.handle(consumedStatus('alpha', kind, SendWorker));
    }

    expect(
      state.writes.map((write) => write.map((t) => `${t.provider} ${t.streakReset ? 'reset' : '+'}${t.streak}`)),
    ).toEqual([['alpha +1'], ['alpha reset0'], ['alpha +1'], ['alpha +1']]);
    expect((await state.readHealth(['alpha'])).get('alpha')).toMatchObject({ attempts: 4, errors: 1, streak: 2 });
  });

  it('counts nothing for events that say nothing about a provider', async () => {
    const state = new LoggedState();
    const recorder = new HealthRecorder(state);
    await recorder.handle(consumedStatus('alpha', StatusEventKind.Sending, SendWorker));
    await recorder.handle(consumedStatus('alpha', Sent, Dlr));
    await recorder.drain();

    expect(state.writes).toEqual([]);
  });

  it("counts nothing for a message failed by the recipient's opt-out before any provider call", async () => {
    const state = new LoggedState();
    const buckets = new MemoryShortBuckets(3_600_000);
    const quality = new QualityTracker([buckets]);
    const recorder = new HealthRecorder(state, (event) => quality.observe(event));
    const failed = (errorCode: string) => {
      const record = consumedStatus('alpha', Failed);
      Object.assign(record.value as StatusChangedV1, { errorCode, errorClass: 'permanent', country: 'US' });

      return record;
    };
    await recorder.handle(failed(OPTED_OUT_BEFORE_SEND));
    await recorder.drain();
    expect(await quality.flush()).toBeNull();

    expect(state.writes).toEqual([]);
    expect((await buckets.read(0)).size).toBe(0);
    // A provider's own permanent failure still counts against it, in both.
    await recorder.handle(failed('21211'));
    await recorder.drain();
    expect(await quality.flush()).toBeNull();
    expect(state.writes.flat()).toEqual([expect.objectContaining({ provider: 'alpha', errors: 1 })]);
    expect([...(await buckets.read(0)).values()].map((c) => c.errors.permanent)).toEqual([1]);
  });

  it('fails the records of a batch whose write fails, each tried again alone', async () => {
    const state = new LoggedState();
    let failures = 1;
    const flaky = Object.assign(Object.create(state) as LoggedState, {
      recordTallies: (tallies: readonly HealthTally[]) =>
        failures-- > 0 ? Promise.reject(new Error('redis down')) : state.recordTallies(tallies),
    });
    const recorder = new HealthRecorder(flaky);

    await Promise.all([Sent, Retry, Sent].map((kind) => recorder.handle(consumedStatus('alpha', kind))));

    // The batch failed once; its three results were then written alone, in order.
    expect(state.writes).toHaveLength(3);
    expect((await state.readHealth(['alpha'])).get('alpha')).toMatchObject({ attempts: 3, errors: 1, streak: 1 });
  });
});

describe(tallyOutcomes.name, () => {
  it('sums per provider in order: counters add up, the streak restarts at each error', () => {
    expect(
      tallyOutcomes([
        { provider: 'alpha', outcome: 'sent', latencyMs: 10.4 },
        { provider: 'alpha', outcome: 'error', latencyMs: 20.6 },
        { provider: 'bravo', outcome: 'delivered' },
        { provider: 'alpha', outcome: 'sent', latencyMs: null },
        { provider: 'alpha', outcome: 'undelivered' },
      ]),
    ).toEqual([
      {
        provider: 'alpha',
        attempts: 3,
        errors: 1,
        delivered: 0,
        undelivered: 1,
        latencySumMs: 31,
        latencyCount: 2,
        streakReset: true,
        streak: 1,
      },
      { provider: 'bravo', ...EMPTY_HEALTH, delivered: 1, streakReset: false },
    ]);
    expect(tallyOutcomes([])).toEqual([]);
  });
});

describe('MemoryRoutingState.recordTallies', () => {
  it('counts as recordOutcome one by one', async () => {
    const outcomes: CountedOutcome[] = [
      ...Array.from({ length: 5 }, () => ({ provider: 'alpha', outcome: 'delivered' as const })),
      { provider: 'alpha', outcome: 'sent', latencyMs: 80 },
      { provider: 'alpha', outcome: 'undelivered' },
      { provider: 'alpha', outcome: 'sent', latencyMs: 90 },
    ];
    const bulk = new MemoryRoutingState();
    await bulk.recordOutcome('alpha', 'sent', 50);
    await bulk.recordTallies(tallyOutcomes(outcomes));

    expect(await bulk.readHealth(['alpha'])).toEqual(
      await oneByOne([{ provider: 'alpha', outcome: 'sent', latencyMs: 50 }, ...outcomes], ['alpha']),
    );
    expect((await bulk.readHealth(['alpha'])).get('alpha')).toEqual({
      ...EMPTY_HEALTH,
      attempts: 3,
      delivered: 5,
      undelivered: 1,
      latencySumMs: 220,
      latencyCount: 3,
      streak: 3,
    });
  });
});

describe(tellsHealthNothing.name, () => {
  const T0 = Date.parse('2026-12-07T10:00:00Z');
  const statusEvent = (messageId: string, kind: StatusEventKind, source: StatusEventSource): StatusChangedV1 => ({
    ...(consumedStatus('alpha', kind, source).value as StatusChangedV1),
    messageId,
    country: 'GB',
    occurredAt: new Date(T0).toISOString(),
  });

  /** What route quality counts from a send, `between` (if any), and a delivered receipt. */
  async function qualityWith(between: StatusChangedV1 | null): Promise<unknown> {
    const short = new MemoryShortBuckets(3_600_000);
    const tracker = new QualityTracker([short], { bucketMs: 60_000 }, () => T0);
    tracker.observe(statusEvent('m1', Sent, SendWorker));
    if (between) {
      tracker.observe(between);
    }
    tracker.observe(statusEvent('m1', Delivered, Dlr));
    await tracker.flush();

    return { counts: [...(await short.read(0))], unmatched: tracker.unmatched };
  }

  const everyEvent = Object.values(StatusEventSource).flatMap((source) =>
    Object.values(StatusEventKind).map((kind) => [source, kind] as const),
  );

  it.each(everyEvent)('passes over %s %s only when neither health nor route quality reads it', async (source, kind) => {
    const event = statusEvent('m1', kind, source);
    if (!tellsHealthNothing(statusRecord(event).headers)) {
      return;
    }

    expect(healthOutcomeOf(event)).toBeNull();
    expect(await qualityWith(event)).toEqual(await qualityWith(null));
  });

  it("passes over the provider's intermediate receipts and the router's and intake's events, not results", () => {
    const ignored = everyEvent.filter(([source, kind]) =>
      tellsHealthNothing(statusRecord(statusEvent('m1', kind, source)).headers),
    );

    expect(ignored).toEqual(
      expect.arrayContaining([
        [Dlr, Sent],
        [SendWorker, StatusEventKind.Sending],
        [StatusEventSource.Router, Failed],
        [StatusEventSource.Intake, StatusEventKind.Refused],
      ]),
    );
    expect(tellsHealthNothing(statusRecord(statusEvent('m1', Sent, SendWorker)).headers)).toBe(false);
    expect(tellsHealthNothing(statusRecord(statusEvent('m1', Delivered, Dlr)).headers)).toBe(false);
    // An older producer's record carries no headers: parsed.
    expect(tellsHealthNothing({})).toBe(false);
    expect(tellsHealthNothing({ 'sms-status-source': Dlr })).toBe(false);
  });
});
