import { SenderIndex } from './sender-index';
import { type RouteSlot, SenderList } from './sender-list';

const list = (providerId: string, ...numbers: string[]) =>
  SenderList.ofRuns(providerId, [
    { country: 'GB', type: 'longcode', numbers, segmentsPerSecond: numbers.map(() => 1) },
  ]);
const slot = (number: string, providerId: string): RouteSlot => ({ number, providerId, segmentsPerSecond: 1 });

describe(SenderIndex.name, () => {
  const alpha = list('alpha', '+447700900001', '+447700900002');
  // An unregistered sender ID is offered through every provider: the same value in two lists.
  const bravo = list('bravo', 'ACME', '+447700900010');
  const charlie = list('charlie', 'ACME');

  it('finds a sender in any list, the first list holding it winning, before and after it builds its map', () => {
    const sut = new SenderIndex([alpha, bravo, charlie]);
    for (let round = 0; round < 3; round++) {
      expect(sut.get('+447700900002')).toEqual(slot('+447700900002', 'alpha'));
      expect(sut.get('ACME')).toEqual(slot('ACME', 'bravo'));
      expect(sut.get('+447700900010')).toEqual(slot('+447700900010', 'bravo'));
      expect(sut.get('+447700900099')).toBeUndefined();
    }
  });

  it("hands out the lists' own slots, so a plan's lookups and its group agree", () => {
    const sut = new SenderIndex([alpha, bravo]);

    expect(sut.get('+447700900010')).toBe(bravo.at(1));
    expect(sut.get('+447700900001')).toBe(alpha.at(0));
    expect(sut.get('+447700900001')).toBe(alpha.at(0));
  });
});
