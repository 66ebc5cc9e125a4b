import { silentBusLogger } from './bus.logger';
import type { PartitionBatchHooks, RawRecord } from './partition-batch.processor';
import { describeError, processPartitionBatch, retryDelayMs } from './partition-batch.processor';

const record = (offset: number, key: string): RawRecord => ({
  topic: 't',
  partition: 0,
  offset: String(offset),
  key,
  value: JSON.stringify({ offset }),
  headers: {},
});

function hooks(overrides: Partial<PartitionBatchHooks> = {}) {
  const done: string[] = [];
  const dead: string[] = [];
  const sut: PartitionBatchHooks = {
    handler: async () => undefined,
    maxAttempts: 3,
    concurrency: 1,
    backoff: { initialMs: 1, multiplier: 2, maxMs: 4, jitter: 0 },
    logger: silentBusLogger,
    shouldStop: () => false,
    onDone: (r) => {
      done.push(r.offset);
    },
    deadLetter: async ({ record: r }) => {
      dead.push(r.offset);
    },
    heartbeat: async () => undefined,
    sleep: async (ms) => {
      await new Promise((resolve) => setTimeout(resolve, ms));

      return true;
    },
    ...overrides,
  };

  return { sut, done, dead };
}

describe(processPartitionBatch.name, () => {
  it('reports only the contiguous done prefix when a later key finishes first', async () => {
    let releaseSlow!: () => void;
    const slow = new Promise<void>((resolve) => {
      releaseSlow = resolve;
    });
    const { sut, done } = hooks({
      concurrency: 2,
      handler: async ({ key }) => {
        if (key === 'slow') {
          await slow;
        }
      },
    });
    const running = processPartitionBatch([record(0, 'slow'), record(1, 'fast'), record(2, 'fast')], sut);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(done).toEqual([]);
    releaseSlow();
    await expect(running).resolves.toEqual({ done: 3 });

    expect(done).toEqual(['2']);
  });

  it('passes over ignored records unparsed and counts them done in offset order, behind a slower record', async () => {
    let releaseFirst!: () => void;
    const first = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    const handled: string[] = [];
    const { sut, done, dead } = hooks({
      concurrency: 4,
      ignores: (headers) => headers['skip'] === 'yes',
      handler: async ({ offset }) => {
        if (offset === '0') {
          await first;
        }
        handled.push(offset);
      },
    });
    // The ignored record's value is not even JSON: it is never parsed, so it cannot be dead-lettered.
    const ignored = { ...record(1, 'a'), value: 'not json', headers: { skip: 'yes' } };
    const running = processPartitionBatch([record(0, 'a'), ignored, record(2, 'a')], sut);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(done).toEqual([]);
    releaseFirst();
    await expect(running).resolves.toEqual({ done: 3 });
    expect(handled).toEqual(['0', '2']);
    expect(done.at(-1)).toBe('2');
    expect(dead).toEqual([]);
  });

  it('dead-letters a value that is not JSON without calling the handler', async () => {
    const handler = jest.fn(async () => undefined);
    const { sut, dead, done } = hooks({ handler });
    await processPartitionBatch(
      [
        { ...record(0, 'k'), value: '{nope' },
        { ...record(1, 'k'), value: null },
      ],
      sut,
    );

    expect(handler).not.toHaveBeenCalled();
    expect(dead).toEqual(['0', '1']);
    expect(done).toEqual(['0', '1']);
  });

  it('stops at a failed DLQ write, leaves that record undone and rejects', async () => {
    const { sut, done } = hooks({
      handler: async ({ offset }) => {
        if (offset === '1') {
          throw new Error('bad');
        }
      },
      maxAttempts: 1,
      deadLetter: async () => {
        throw new Error('DLQ unavailable');
      },
    });

    await expect(processPartitionBatch([record(0, 'a'), record(1, 'a'), record(2, 'a')], sut)).rejects.toThrow(
      'DLQ unavailable',
    );
    expect(done).toEqual(['0']);
  });

  it('finishes in-flight records but starts none after a heartbeat reports a rebalance', async () => {
    let beats = 0;
    const handled: string[] = [];
    const { sut, done } = hooks({
      handler: async ({ offset }) => {
        handled.push(offset);
      },
      heartbeat: async () => {
        beats++;
        if (beats === 2) {
          throw new Error('The group is rebalancing');
        }
      },
    });

    await expect(
      processPartitionBatch(
        [0, 1, 2, 3].map((n) => record(n, 'k')),
        sut,
      ),
    ).rejects.toThrow('rebalancing');
    expect(handled).toEqual(['0', '1']);
    expect(done).toEqual(['0', '1']);
  });

  it('computes capped exponential delays with jitter either way', () => {
    const policy = { initialMs: 100, multiplier: 2, maxMs: 500, jitter: 0.2 };
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(policy, attempt, () => 0.5))).toEqual([100, 200, 400, 500]);
    expect(retryDelayMs(policy, 1, () => 0)).toBe(80);
    expect(retryDelayMs(policy, 1, () => 1)).toBe(120);
  });

  it('describes errors on one truncated line', () => {
    expect(describeError(new TypeError('a\r\nb'))).toBe('TypeError: a b');
    expect(describeError('x'.repeat(5_000))).toHaveLength(1_000);
  });
});
