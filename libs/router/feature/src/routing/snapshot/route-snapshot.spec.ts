import { buildRouteSnapshot, SenderRuns } from './route-snapshot';
import { poolNumber as number } from '../routing.fixtures';

describe(buildRouteSnapshot.name, () => {
  it("keeps each active provider's senders as runs of one country and type, in the pool's order, masking numbers left out", () => {
    const snapshot = buildRouteSnapshot(
      ['alpha', 'bravo'],
      [
        number('+447700900003', 'alpha', 'GB', 'longcode', 2),
        number('+447700900001', 'alpha', 'GB', 'longcode', 5),
        number('+447700900099', 'alpha', 'GB', 'longcode', 1, ['sms', 'masking']),
        number('+18885550100', 'alpha', 'US', 'tollfree', 1),
        number('+447700900002', 'alpha', 'GB', 'longcode', 1),
        number('+447700900010', 'bravo', 'GB', 'longcode', 1),
        number('+447700900020', 'gone', 'GB', 'longcode', 1),
      ],
      [],
      [],
    );

    expect(Object.fromEntries(snapshot.sendersByProvider)).toEqual({
      alpha: [
        { country: 'GB', type: 'longcode', numbers: ['+447700900003', '+447700900001'], segmentsPerSecond: [2, 5] },
        { country: 'US', type: 'tollfree', numbers: ['+18885550100'], segmentsPerSecond: [1] },
        { country: 'GB', type: 'longcode', numbers: ['+447700900002'], segmentsPerSecond: [1] },
      ],
      bravo: [{ country: 'GB', type: 'longcode', numbers: ['+447700900010'], segmentsPerSecond: [1] }],
    });
    // An explicit from may still be any active entry, a masking number too.
    expect(snapshot.numbersByValue.get('+447700900099')?.providerId).toBe('alpha');
    expect(snapshot.numbersByValue.has('+447700900020')).toBe(false);
  });
});

describe(SenderRuns.name, () => {
  it('never extends a run it was given whole', () => {
    const runs = new SenderRuns();
    const given = { country: 'GB', type: 'longcode' as const, numbers: ['+447700900001'], segmentsPerSecond: [1] };
    runs.addRun('alpha', given);
    runs.add('alpha', 'GB', 'longcode', '+447700900002', 1);
    runs.add('alpha', 'GB', 'longcode', '+447700900003', 1);

    expect(given.numbers).toEqual(['+447700900001']);
    expect(runs.byProvider.get('alpha')).toEqual([
      given,
      { country: 'GB', type: 'longcode', numbers: ['+447700900002', '+447700900003'], segmentsPerSecond: [1, 1] },
    ]);
  });
});
