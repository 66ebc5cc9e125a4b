import { PACING_WINDOW_MS, SenderPacer } from './sender-pacer';

describe(SenderPacer.name, () => {
  let now = 0;
  const pacer = (): SenderPacer => new SenderPacer(() => now);

  beforeEach(() => {
    now = 100_000;
  });

  it('keeps the gap between two slots after a late start, so a late send is not followed too closely', () => {
    const sut = pacer();
    // Slot 0 started 400 ms late; slot 1 (500 ms after it on the schedule) waits until 500 ms after that.
    now = 100_400;
    sut.started('+447400900999', 100_000);
    now = 100_500;
    expect(sut.delayFor('+447400900999', 100_500)).toBe(400);
    now = 100_900;
    expect(sut.delayFor('+447400900999', 100_500)).toBe(0);
  });

  it('does not hold a send on time, another sender, an earlier slot, or a slot past the window', () => {
    const sut = pacer();
    sut.started('A', 100_000);
    now = 100_500;
    expect(sut.delayFor('A', 100_500)).toBe(0);
    now = 100_000;
    sut.started('A', 100_000);
    expect(sut.delayFor('B', 100_200)).toBe(0);
    expect(sut.delayFor('A', 99_500)).toBe(0);
    // Idle time on the schedule: lateness is forgiven.
    expect(sut.delayFor('A', 100_000 + PACING_WINDOW_MS + 1)).toBe(0);
  });

  it('measures from the latest slot that started, not from one started after it out of order', () => {
    const sut = pacer();
    sut.started('A', 100_500);
    sut.started('A', 100_000);
    now = 100_100;
    // The gap from slot 100_500 to 101_000 is 500 ms after 100_000 (when 100_500 started).
    expect(sut.delayFor('A', 101_000)).toBe(400);
  });
});
