import type { RouteSlot } from './route-decider';
import { SenderIndex } from './sender-index';

const slot = (number: string, providerId: string): RouteSlot => ({ number, providerId, segmentsPerSecond: 1 });

describe(SenderIndex.name, () => {
  const alpha = [slot('+447700900001', 'alpha'), slot('+447700900002', 'alpha')];
  // An unregistered sender ID is offered through every provider: the same value in two lists.
  const bravo = [slot('ACME', 'bravo'), slot('+447700900010', 'bravo')];
  const charlie = [slot('ACME', 'charlie')];

  it('finds a sender in any list, the first list holding it winning, before and after it builds its map', () => {
    const sut = new SenderIndex([alpha, bravo, charlie]);
    for (let round = 0; round < 3; round++) {
      expect(sut.get('+447700900002')).toBe(alpha[1]);
      expect(sut.get('ACME')).toBe(bravo[0]);
      expect(sut.get('+447700900010')).toBe(bravo[1]);
      expect(sut.get('+447700900099')).toBeUndefined();
    }
  });

  it('answers from the lists it was given, without copying them', () => {
    const lists = [alpha, charlie];
    const sut = new SenderIndex(lists);

    expect(sut.get('ACME')).toBe(charlie[0]);
    expect(lists).toEqual([alpha, charlie]);
  });
});
