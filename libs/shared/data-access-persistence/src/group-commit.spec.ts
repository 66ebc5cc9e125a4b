import { GroupCommitter } from './group-commit';

/** A writer whose batches finish only when the test says so, recording what each batch carried. */
function controlledWriter() {
  const batches: number[][] = [];
  const finishers: (() => void)[] = [];
  const write = (items: readonly number[]): Promise<number[]> => {
    batches.push([...items]);

    return new Promise((resolve) => finishers.push(() => resolve(items.map((item) => item * 10))));
  };
  const finishNext = async (): Promise<void> => {
    finishers.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };

  return { batches, write, finishNext };
}

describe('GroupCommitter', () => {
  it('writes the first item at once and everything that arrived meanwhile as the next batch', async () => {
    const writer = controlledWriter();
    const sut = new GroupCommitter(writer.write, { maxBatch: 100, maxConcurrent: 1 });

    const results = [1, 2, 3, 4].map((item) => sut.submit(item));
    expect(writer.batches).toEqual([[1]]);
    await writer.finishNext();
    expect(writer.batches).toEqual([[1], [2, 3, 4]]);
    await writer.finishNext();

    await expect(Promise.all(results)).resolves.toEqual([10, 20, 30, 40]);
  });

  it('with gather, starts the first batch after the waiting events, so items of one turn share it', async () => {
    const writer = controlledWriter();
    const sut = new GroupCommitter(writer.write, { maxBatch: 100, maxConcurrent: 1, gather: true });

    const results = [1, 2, 3].map((item) => sut.submit(item));
    expect(writer.batches).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(writer.batches).toEqual([[1, 2, 3]]);
    const later = sut.submit(4);
    await writer.finishNext();
    expect(writer.batches).toEqual([[1, 2, 3], [4]]);
    await writer.finishNext();

    await expect(Promise.all([...results, later])).resolves.toEqual([10, 20, 30, 40]);
  });

  it('with gather, drain waits for items not yet in a batch', async () => {
    const write = jest.fn(async (items: readonly number[]) => items.map((item) => item + 1));
    const sut = new GroupCommitter(write, { maxBatch: 100, maxConcurrent: 1, gather: true });

    const result = sut.submit(1);
    await sut.drain();

    expect(write).toHaveBeenCalledTimes(1);
    await expect(result).resolves.toBe(2);
  });

  it('never puts more than maxBatch items in one batch', async () => {
    const writer = controlledWriter();
    const sut = new GroupCommitter(writer.write, { maxBatch: 2, maxConcurrent: 1 });

    const all = Promise.all([1, 2, 3, 4, 5].map((item) => sut.submit(item)));
    for (let i = 0; i < 3; i++) {
      await writer.finishNext();
    }
    await all;

    expect(writer.batches).toEqual([[1], [2, 3], [4, 5]]);
  });

  it('retries a failed batch item by item, so only the bad item fails, with the mapped error', async () => {
    const write = jest.fn(async (items: readonly number[]) => {
      if (items.includes(13)) {
        throw new Error('duplicate key');
      }

      return items.map((item) => item);
    });
    const sut = new GroupCommitter(write, {
      maxBatch: 10,
      maxConcurrent: 1,
      mapError: (error) => new Error(`mapped: ${(error as Error).message}`),
    });

    const first = sut.submit(1);
    const rest = [12, 13, 14].map((item) => sut.submit(item).then(String, (error: Error) => error.message));

    await expect(first).resolves.toBe(1);
    await expect(Promise.all(rest)).resolves.toEqual(['12', 'mapped: duplicate key', '14']);
    expect(write.mock.calls.map(([items]) => [...items])).toEqual([[1], [12, 13, 14], [12], [13], [14]]);
  });

  it('drain resolves once everything submitted so far is settled', async () => {
    const writer = controlledWriter();
    const sut = new GroupCommitter(writer.write, { maxBatch: 10, maxConcurrent: 1 });
    const settled: number[] = [];
    [1, 2].forEach((item) => void sut.submit(item).then((result) => settled.push(result)));

    const drained = sut.drain().then(() => [...settled]);
    await writer.finishNext();
    await writer.finishNext();

    await expect(drained).resolves.toEqual([10, 20]);
  });
});
