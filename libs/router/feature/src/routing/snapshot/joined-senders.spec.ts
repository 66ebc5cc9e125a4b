import { CountrySenders } from './joined-senders';

/** A group's row as the statement answers it: the joined numbers with the counts it checks against. */
const row = (providerId: string, type: string, rate: number, ...numbers: string[]) =>
  [providerId, type, rate, numbers.join(','), numbers.length, numbers.reduce((sum, n) => sum + n.length, 0)] as const;

describe(CountrySenders.name, () => {
  it("merges a provider type's groups into one run in number order, each number keeping its rate", () => {
    const sut = new CountrySenders('GB');
    const rows = [
      row('alpha', 'longcode', 5, '+447700900002', '+447700900003'),
      row('bravo', 'longcode', 1, '+447700900010'),
      row('alpha', 'longcode', 1, '+447700900001', '+447700900004'),
      row('alpha', 'tollfree', 3, '+448000000001'),
    ];

    expect(rows.every((r) => sut.addJoined(...r))).toBe(true);
    expect(Object.fromEntries(sut.runs())).toEqual({
      alpha: [
        {
          country: 'GB',
          type: 'longcode',
          numbers: ['+447700900001', '+447700900002', '+447700900003', '+447700900004'],
          segmentsPerSecond: [1, 5, 5, 1],
        },
        { country: 'GB', type: 'tollfree', numbers: ['+448000000001'], segmentsPerSecond: [3] },
      ],
      bravo: [{ country: 'GB', type: 'longcode', numbers: ['+447700900010'], segmentsPerSecond: [1] }],
    });
  });

  it('merges three rate lists, one of them out of order, and rows added one by one into lists per rate', () => {
    const sut = new CountrySenders('GB');
    sut.addJoined(...row('alpha', 'longcode', 1, '+447700900005', '+447700900001'));
    sut.addJoined(...row('alpha', 'longcode', 2, '+447700900002', '+447700900006'));
    sut.addJoined(...row('alpha', 'longcode', 3, '+447700900003'));
    const rows = new CountrySenders('GB');
    for (const [number, rate] of [
      ['+447700900004', 2],
      ['+447700900001', 1],
      ['+447700900003', 2],
      ['+447700900002', 1],
    ] as const) {
      rows.add('alpha', 'longcode', number, rate);
    }

    expect(sut.runs().get('alpha')).toEqual([
      {
        country: 'GB',
        type: 'longcode',
        numbers: ['+447700900001', '+447700900002', '+447700900003', '+447700900005', '+447700900006'],
        segmentsPerSecond: [1, 2, 3, 1, 2],
      },
    ]);
    expect(rows.runs().get('alpha')![0]).toMatchObject({
      numbers: ['+447700900001', '+447700900002', '+447700900003', '+447700900004'],
      segmentsPerSecond: [1, 1, 2, 2],
    });
  });

  it("sorts a group's numbers when they do not come in number order, and keeps a sender ID with spaces", () => {
    const sut = new CountrySenders('GB');
    sut.addJoined(...row('bravo', 'longcode', 1000, '+447700900012', '+447700900010'));
    sut.addJoined(...row('bravo', 'alphanumeric', 10, 'ACME LTD'));

    expect(sut.runs().get('bravo')).toEqual([
      { country: 'GB', type: 'longcode', numbers: ['+447700900010', '+447700900012'], segmentsPerSecond: [1000, 1000] },
      { country: 'GB', type: 'alphanumeric', numbers: ['ACME LTD'], segmentsPerSecond: [10] },
    ]);
  });

  it.each<[string, Parameters<CountrySenders['addJoined']>]>([
    ['a list cut short (group_concat_max_len)', ['alpha', 'longcode', 1, '+447700900001,+44770', 2, 26]],
    ['a value holding a comma', ['alpha', 'longcode', 1, '+4477,00900001', 1, 14]],
    ['an unknown sender type', ['alpha', 'landline', 1, '+447700900001', 1, 13]],
    ['a rate that is not a number', ['alpha', 'longcode', NaN, '+447700900001', 1, 13]],
  ])('answers false for %s, so the caller reads rows instead', (_, args) => {
    expect(new CountrySenders('GB').addJoined(...args)).toBe(false);
  });

  it('collects rows one by one the same way (the fallback), after clear() forgets the groups added before', () => {
    const sut = new CountrySenders('US');
    sut.addJoined(...row('alpha', 'longcode', 1, '+12025550100'));
    sut.clear();
    sut.add('alpha', 'longcode', '+12025550102', 1);
    sut.add('alpha', 'longcode', '+12025550101', 2);

    expect(sut.runs().get('alpha')).toEqual([
      { country: 'US', type: 'longcode', numbers: ['+12025550101', '+12025550102'], segmentsPerSecond: [2, 1] },
    ]);
  });
});
