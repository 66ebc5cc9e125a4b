import { BusClosedError } from './bus.errors';
import { PublishBatcher } from './publish.batcher';

function setup(policy = { lingerMs: 5, maxBatchRecords: 10 }) {
  const sent: number[][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const mocks = {
    failNext: false,
    sendMs: 5,
  };
  const sut = new PublishBatcher<number>(async (items) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((resolve) => setTimeout(resolve, mocks.sendMs));
    inFlight--;
    sent.push([...items]);
    if (mocks.failNext) {
      mocks.failNext = false;
      throw new Error('broker down');
    }
  }, policy);

  return { sut, mocks, sent, maxInFlight: () => maxInFlight };
}

describe(PublishBatcher.name, () => {
  it('coalesces calls made within the linger into one send, resolving every caller', async () => {
    const { sut, sent } = setup();
    await Promise.all([sut.add([1]), sut.add([2, 3]), sut.add([4])]);

    expect(sent).toEqual([[1, 2, 3, 4]]);
  });

  it('sends at maxBatchRecords without waiting for the linger, never splitting one call', async () => {
    const { sut, sent } = setup({ lingerMs: 10_000, maxBatchRecords: 4 });
    await Promise.all([sut.add([1, 2, 3]), sut.add([4, 5]), sut.add([6, 7, 8, 9, 10, 11])]);

    expect(sent).toEqual([
      [1, 2, 3],
      [4, 5],
      [6, 7, 8, 9, 10, 11],
    ]);
  });

  it('keeps one send in flight and sends what queued meanwhile as soon as it returns', async () => {
    const { sut, mocks, sent, maxInFlight } = setup({ lingerMs: 1, maxBatchRecords: 100 });
    mocks.sendMs = 20;
    const first = sut.add([1]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const rest = [sut.add([2]), sut.add([3])];
    await Promise.all([first, ...rest]);

    expect(sent).toEqual([[1], [2, 3]]);
    expect(maxInFlight()).toBe(1);
  });

  it('rejects only the callers whose batch failed', async () => {
    const { sut, mocks } = setup({ lingerMs: 1, maxBatchRecords: 2 });
    mocks.failNext = true;
    const results = await Promise.allSettled([sut.add([1, 2]), sut.add([3])]);

    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
  });

  it('flushes on close without waiting for the linger, then refuses new items', async () => {
    const { sut, sent } = setup({ lingerMs: 60_000, maxBatchRecords: 100 });
    const pending = sut.add([1]);
    const started = Date.now();
    await sut.close();
    await pending;

    expect(Date.now() - started).toBeLessThan(1_000);
    expect(sent).toEqual([[1]]);
    await expect(sut.add([2])).rejects.toBeInstanceOf(BusClosedError);
  });

  it('sends items added by a caller woken by the previous batch', async () => {
    const { sut, sent } = setup({ lingerMs: 60_000, maxBatchRecords: 2 });
    await sut.add([1, 2]);
    await sut.add([3, 4]);

    expect(sent).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });
});
