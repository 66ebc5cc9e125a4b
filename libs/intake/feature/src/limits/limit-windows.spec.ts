import { counterKey, windowsAt } from './limit-windows';

describe(windowsAt.name, () => {
  it('names the UTC second, day and month a time falls in', () => {
    const at = Date.UTC(2026, 11, 6, 18, 30, 15, 250);

    expect(windowsAt(at)).toEqual({
      second: String(Math.floor(at / 1000)),
      day: '20261206',
      month: '202612',
      secondsLeft: { second: 1, day: 5 * 3600 + 29 * 60 + 45, month: 25 * 86400 + 5 * 3600 + 29 * 60 + 45 },
    });
  });

  it('rounds the time left up to whole seconds, never to 0', () => {
    const justBeforeMidnight = Date.UTC(2026, 11, 31, 23, 59, 59, 900);
    const windows = windowsAt(justBeforeMidnight);

    expect(windows.secondsLeft.day).toBe(1);
    // The last day of the year is also the last of the month: both end at the same instant.
    expect(windows.secondsLeft.month).toBe(1);
    expect(windowsAt(justBeforeMidnight + 100)).toMatchObject({ day: '20270101', month: '202701' });
  });

  it('starts February on the first even in a leap year', () => {
    expect(windowsAt(Date.UTC(2028, 1, 29, 12)).month).toBe('202802');
    expect(windowsAt(Date.UTC(2028, 1, 29, 12)).secondsLeft.day).toBe(12 * 3600);
    expect(windowsAt(Date.UTC(2028, 2, 1)).day).toBe('20280301');
  });
});

describe(counterKey.name, () => {
  it('keeps accounts, keys, kinds and windows apart under the namespace', () => {
    expect(counterKey('ns:', { account: 'a1' }, 'messages-day', '20261206')).toBe(
      'ns:limits:a:a1:messages-day:20261206',
    );
    expect(counterKey('ns:', { key: 'a1' }, 'messages-day', '20261206')).toBe('ns:limits:k:a1:messages-day:20261206');
  });
});
