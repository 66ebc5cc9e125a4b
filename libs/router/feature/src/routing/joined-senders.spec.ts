import { CountrySenders } from './joined-senders';

/** The joined string as the statement builds it, with the counts it checks against. */
const joined = (...records: string[]) => ({
  list: records.join(','),
  count: records.length,
  length: records.reduce((sum, r) => sum + r.length, 0),
});

describe(CountrySenders.name, () => {
  it('sorts each provider type into one run in number order, keeping each number its rate', () => {
    const sut = new CountrySenders('GB');
    const { list, count, length } = joined(
      'alpha longcode 5 +447700900003',
      'bravo longcode 1 +447700900010',
      'alpha longcode 1 +447700900001',
      'alpha tollfree 3 +448000000001',
      'alpha longcode 5 +447700900002',
    );

    expect(sut.addJoined(list, count, length)).toBe(true);
    expect(Object.fromEntries(sut.runs())).toEqual({
      alpha: [
        {
          country: 'GB',
          type: 'longcode',
          numbers: ['+447700900001', '+447700900002', '+447700900003'],
          segmentsPerSecond: [1, 5, 5],
        },
        { country: 'GB', type: 'tollfree', numbers: ['+448000000001'], segmentsPerSecond: [3] },
      ],
      bravo: [{ country: 'GB', type: 'longcode', numbers: ['+447700900010'], segmentsPerSecond: [1] }],
    });
  });

  it('reads a sender ID with spaces (the number is the last field) and SQLite-style rates (1000.0)', () => {
    const sut = new CountrySenders('GB');
    const { list, count, length } = joined('bravo alphanumeric 10.0 ACME LTD', 'bravo longcode 1000.0 +447700900010');

    expect(sut.addJoined(list, count, length)).toBe(true);
    expect(sut.runs().get('bravo')).toEqual([
      { country: 'GB', type: 'alphanumeric', numbers: ['ACME LTD'], segmentsPerSecond: [10] },
      { country: 'GB', type: 'longcode', numbers: ['+447700900010'], segmentsPerSecond: [1000] },
    ]);
  });

  it.each([
    ['a list cut short (group_concat_max_len)', 'alpha longcode 1 +447700900001,alpha longc', 2, 62],
    ['a value holding a comma', 'alpha longcode 1 +4477,00900001', 1, 31],
    ['an unknown sender type', 'alpha landline 1 +447700900001', 1, 30],
    ['a rate that is not a number', 'alpha longcode fast +447700900001', 1, 33],
    ['a record missing a field', 'alpha longcode +447700900001', 1, 28],
  ])('answers false for %s, so the caller reads rows instead', (_, list, count, length) => {
    expect(new CountrySenders('GB').addJoined(list, count, length)).toBe(false);
  });

  it('collects rows one by one the same way (the fallback), after clear() forgets a list that did not add up', () => {
    const sut = new CountrySenders('US');
    sut.addJoined('alpha longcode 1 +12025550100,alpha', 2, 34);
    sut.clear();
    sut.add('alpha', 'longcode', '+12025550102', 1);
    sut.add('alpha', 'longcode', '+12025550101', 1);

    expect(sut.runs().get('alpha')).toEqual([
      { country: 'US', type: 'longcode', numbers: ['+12025550101', '+12025550102'], segmentsPerSecond: [1, 1] },
    ]);
  });
});
