import { cyclesOf } from './import-cycles';

describe('cyclesOf', () => {
  it('finds a two-file cycle and a longer one, and leaves chains alone', () => {
    const graph = new Map<string, string[]>([
      ['a', ['b']],
      ['b', ['a', 'c']],
      ['c', ['d']],
      ['d', ['e']],
      ['e', ['c']],
      ['f', ['a']],
    ]);

    expect(cyclesOf(graph)).toEqual(
      expect.arrayContaining([
        ['a', 'b'],
        ['c', 'd', 'e'],
      ]),
    );
    expect(cyclesOf(graph)).toHaveLength(2);
  });

  it('reports a file that imports itself', () => {
    expect(cyclesOf(new Map([['a', ['a']]]))).toEqual([['a']]);
  });

  it('finds nothing in a tree without cycles', () => {
    expect(
      cyclesOf(
        new Map([
          ['a', ['b', 'c']],
          ['b', ['c']],
          ['c', []],
        ]),
      ),
    ).toEqual([]);
  });
});
