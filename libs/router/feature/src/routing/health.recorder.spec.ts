import { StatusEventKind, StatusEventSource } from '@sms/contracts';
import { MemoryRoutingState } from '../state/memory-routing-state';
import { EMPTY_HEALTH, type HealthOutcome, type ReceiptOutcome } from '../state/routing-state';
import { HealthRecorder } from './health.recorder';
import { consumedStatus } from './routing.fixtures';

/** The in-process state, with a log of the writes the recorder made to it. */
class LoggedState extends MemoryRoutingState {
  readonly writes: string[] = [];

  override recordOutcome(providerId: string, outcome: HealthOutcome, latencyMs?: number | null): Promise<void> {
    this.writes.push(`${providerId} ${outcome}`);

    return super.recordOutcome(providerId, outcome, latencyMs);
  }

  override recordReceipts(providerId: string, outcome: ReceiptOutcome, count: number): Promise<void> {
    this.writes.push(`${providerId} ${outcome} x${count}`);

    return super.recordReceipts(providerId, outcome, count);
  }
}

describe(HealthRecorder.name, () => {
  it('counts a storm of receipts in a few bulk writes, every receipt counted before its record is done', async () => {
    const state = new LoggedState();
    const recorder = new HealthRecorder(state);
    const receipts = [
      ...Array.from({ length: 300 }, () => consumedStatus('alpha', StatusEventKind.Delivered, StatusEventSource.Dlr)),
      ...Array.from({ length: 20 }, () => consumedStatus('alpha', StatusEventKind.Undelivered, StatusEventSource.Dlr)),
      ...Array.from({ length: 100 }, () => consumedStatus('bravo', StatusEventKind.Delivered, StatusEventSource.Dlr)),
    ];

    // As a partition batch hands them over: concurrently, each awaited.
    await Promise.all(receipts.map((record) => recorder.handle(record)));

    const health = await state.readHealth(['alpha', 'bravo']);
    expect(health.get('alpha')).toEqual({ ...EMPTY_HEALTH, delivered: 300, undelivered: 20 });
    expect(health.get('bravo')).toEqual({ ...EMPTY_HEALTH, delivered: 100 });
    expect(state.writes.every((write) => / x\d+$/.test(write))).toBe(true);
    expect(state.writes.length).toBeLessThanOrEqual(3 * 2);
  });

  it('writes send results one by one, in order, so the streak of successes is kept', async () => {
    const state = new LoggedState();
    const recorder = new HealthRecorder(state);
    for (const kind of [StatusEventKind.Sent, StatusEventKind.Retry, StatusEventKind.Sent, StatusEventKind.Sent]) {
      await recorder.handle(consumedStatus('alpha', kind, StatusEventSource.SendWorker));
    }

    expect(state.writes).toEqual(['alpha sent', 'alpha error', 'alpha sent', 'alpha sent']);
    expect((await state.readHealth(['alpha'])).get('alpha')).toMatchObject({ attempts: 4, errors: 1, streak: 2 });
  });

  it('counts nothing for events that say nothing about a provider', async () => {
    const state = new LoggedState();
    const recorder = new HealthRecorder(state);
    await recorder.handle(consumedStatus('alpha', StatusEventKind.Sending, StatusEventSource.SendWorker));
    await recorder.handle(consumedStatus('alpha', StatusEventKind.Sent, StatusEventSource.Dlr));
    await recorder.drain();

    expect(state.writes).toEqual([]);
  });
});

describe('MemoryRoutingState.recordReceipts', () => {
  it('counts as many receipts as recordOutcome one by one', async () => {
    const bulk = new MemoryRoutingState();
    const single = new MemoryRoutingState();
    await bulk.recordReceipts('alpha', 'delivered', 5);
    await bulk.recordReceipts('alpha', 'undelivered', 2);
    for (const outcome of [
      'delivered',
      'delivered',
      'delivered',
      'delivered',
      'delivered',
      'undelivered',
      'undelivered',
    ] as const) {
      await single.recordOutcome('alpha', outcome);
    }

    expect(await bulk.readHealth(['alpha'])).toEqual(await single.readHealth(['alpha']));
    expect((await bulk.readHealth(['alpha'])).get('alpha')).toEqual({ ...EMPTY_HEALTH, delivered: 5, undelivered: 2 });
  });
});
