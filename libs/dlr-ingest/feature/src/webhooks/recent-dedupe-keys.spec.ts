import { RecentDedupeKeys } from './recent-dedupe-keys';

describe('RecentDedupeKeys', () => {
  let clock: number;
  const now = (): number => clock;

  beforeEach(() => {
    clock = 1_000_000;
  });

  it('finds remembered keys with the ids stored under them, and nothing else', () => {
    const keys = new RecentDedupeKeys(now);
    keys.arm();
    keys.remember([
      ['k1', 'id-1'],
      ['k2', 'id-2'],
    ]);

    expect(keys.known(['k1', 'k3', 'k2'])).toEqual(
      new Map([
        ['k1', 'id-1'],
        ['k2', 'id-2'],
      ]),
    );
  });

  it('keeps at most maxKeys: a full generation pushes the older one out', () => {
    const keys = new RecentDedupeKeys(now, 4, 60_000);
    keys.arm();
    keys.remember([
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
    ]);
    keys.remember([
      ['d', '4'],
      ['e', '5'],
    ]);

    expect(keys.size).toBeLessThanOrEqual(4);
    expect([...keys.known(['a', 'b', 'c', 'd', 'e']).keys()]).toEqual(['c', 'd', 'e']);
  });

  it('trusts no key past the age, however the generations turned', () => {
    const keys = new RecentDedupeKeys(now, 100, 60_000);
    keys.arm();
    keys.remember([['first', '1']]);
    clock += 39_999;
    keys.remember([['second', '2']]); // the first generation ended within two thirds: kept as the previous one

    expect(keys.known(['first', 'second'])).toEqual(
      new Map([
        ['first', '1'],
        ['second', '2'],
      ]),
    );
    clock += 20_001; // "first" is 60 s old
    expect(keys.known(['first', 'second'])).toEqual(new Map([['second', '2']]));
    clock += 40_000;
    expect(keys.known(['first', 'second'])).toEqual(new Map());
    expect(keys.size).toBe(0);
  });

  it('remembers only while armed: armed by a retry, again by each retry it finds, for the age', () => {
    const keys = new RecentDedupeKeys(now, 100, 60_000);
    keys.remember([['quiet', '1']]);
    expect(keys.size).toBe(0);

    keys.arm();
    keys.remember([['a', '2']]);
    clock += 15_000;
    expect(keys.known(['a'])).toEqual(new Map([['a', '2']])); // a retry found: armed for a minute from now
    clock += 50_000;
    keys.remember([['b', '3']]);
    expect(keys.known(['b'])).toEqual(new Map([['b', '3']]));
    clock += 60_001; // no retry for a minute
    keys.remember([['c', '4']]);
    expect(keys.known(['c'])).toEqual(new Map());
  });
});
