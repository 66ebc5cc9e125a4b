import { MessageStatus, StatusEventKind } from '@sms/contracts';
import { decideRetry, isFinal, isForward, statusOf, STATUS_RANK } from './message-state';

describe('message state machine', () => {
  const all = Object.values(MessageStatus);

  it.each([
    [MessageStatus.Queued, MessageStatus.Sending, true],
    [MessageStatus.Queued, MessageStatus.Sent, true],
    [MessageStatus.Sending, MessageStatus.Sent, true],
    [MessageStatus.Sent, MessageStatus.Delivered, true],
    [MessageStatus.Sent, MessageStatus.Undelivered, true],
    [MessageStatus.Queued, MessageStatus.Failed, true],
    [MessageStatus.Sent, MessageStatus.Failed, true],
    [MessageStatus.Delivered, MessageStatus.Sent, false],
    [MessageStatus.Delivered, MessageStatus.Undelivered, false],
    [MessageStatus.Undelivered, MessageStatus.Delivered, false],
    [MessageStatus.Sent, MessageStatus.Queued, false],
    [MessageStatus.Sent, MessageStatus.Sent, false],
    [MessageStatus.Failed, MessageStatus.Delivered, false],
    [MessageStatus.Queued, MessageStatus.Cancelled, true],
    [MessageStatus.Scheduled, MessageStatus.Cancelled, true],
    [MessageStatus.Queued, MessageStatus.Expired, true],
    [MessageStatus.Sent, MessageStatus.Expired, true],
    [MessageStatus.Cancelled, MessageStatus.Sent, false],
    [MessageStatus.Cancelled, MessageStatus.Queued, false],
    [MessageStatus.Expired, MessageStatus.Sending, false],
    [MessageStatus.Cancelled, MessageStatus.Expired, false],
    [MessageStatus.Expired, MessageStatus.Cancelled, false],
    // Only the release job moves a scheduled message to queued, by its status (not by rank).
    [MessageStatus.Scheduled, MessageStatus.Queued, false],
  ])('%s → %s allowed: %s', (from, to, allowed) => {
    expect(isForward(from, to)).toBe(allowed);
  });

  it('makes cancelled and expired final', () => {
    expect(isFinal(MessageStatus.Cancelled)).toBe(true);
    expect(isFinal(MessageStatus.Expired)).toBe(true);
    expect(isFinal(MessageStatus.Scheduled)).toBe(false);
    expect(statusOf(StatusEventKind.Cancelled)).toBe(MessageStatus.Cancelled);
    expect(statusOf(StatusEventKind.Expired)).toBe(MessageStatus.Expired);
  });

  it('never lets a final status move, whatever arrives next', () => {
    for (const final of all.filter(isFinal)) {
      for (const next of all) {
        expect(isForward(final, next)).toBe(false);
      }
    }
  });

  it('ranks every status and maps every event kind', () => {
    expect(Object.keys(STATUS_RANK).sort()).toEqual([...all].sort());
    expect(statusOf(StatusEventKind.Delivered)).toBe(MessageStatus.Delivered);
    expect(statusOf(StatusEventKind.Retry)).toBeNull();
    expect(statusOf(StatusEventKind.Refused)).toBeNull();
  });

  describe('retry decision', () => {
    const policy = { maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 60_000 };

    it('backs off exponentially with jitter bounded to [half, full] of the step', () => {
      for (const [attempt, step] of [
        [1, 1000],
        [2, 2000],
        [3, 4000],
      ] as const) {
        const low = decideRetry(attempt, policy, () => 0);
        const high = decideRetry(attempt, policy, () => 1);
        expect(low).toEqual({ kind: 'reschedule', nextAttempt: attempt + 1, delayMs: step / 2 });
        expect(high).toEqual({ kind: 'reschedule', nextAttempt: attempt + 1, delayMs: step });
      }
    });

    it('caps the delay and gives up after the last attempt', () => {
      expect(decideRetry(3, { ...policy, maxDelayMs: 3000 }, () => 1)).toMatchObject({ delayMs: 3000 });
      expect(decideRetry(4, policy)).toEqual({ kind: 'give-up' });
      expect(decideRetry(9, policy)).toEqual({ kind: 'give-up' });
    });
  });
});
