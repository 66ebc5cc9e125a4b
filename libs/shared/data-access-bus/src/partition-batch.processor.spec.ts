import { metrics } from '@sms/metrics';
import { waitFor } from './bus.behaviour';
import { HandlerStoppedError } from './bus.errors';
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
  it('leaves a record whose handler stopped for redelivery: no retry, no dead letter, no commit past it', async () => {
    const calls: string[] = [];
    const { sut, done, dead } = hooks({
      handler: async ({ offset }) => {
        calls.push(offset);
        if (offset === '1') {
          throw new HandlerStoppedError('shutting down');
        }
      },
    });
    await expect(processPartitionBatch([record(0, 'a'), record(1, 'b'), record(2, 'c')], sut)).resolves.toEqual({
      done: 1,
    });
    // Called once (no retry); other keys may still run, but the commit stops before the stopped record.
    expect(calls.filter((offset) => offset === '1')).toEqual(['1']);
    expect(done).toEqual(['0']);
    expect(dead).toEqual([]);
  });

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

  it('runs up to keyConcurrency records of one key at once and commits only the contiguous done prefix', async () => {
    const releases = new Map<string, () => void>();
    const started: string[] = [];
    const { sut, done } = hooks({
      concurrency: 8,
      keyConcurrency: 2,
      handler: async ({ offset }) => {
        started.push(offset);
        await new Promise<void>((resolve) => releases.set(offset, resolve));
      },
    });
    const batch = [record(0, 'sender'), record(1, 'sender'), record(2, 'sender'), record(3, 'other')];
    const running = processPartitionBatch(batch, sut);
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Two of the key, plus the other key; the third of the key waits for a runner of its own key.
    expect(started).toEqual(['0', '1', '3']);
    releases.get('1')?.();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(started).toEqual(['0', '1', '3', '2']);
    // Offset 1 finished before 0: nothing is committed past a record still running.
    expect(done).toEqual([]);
    releases.get('2')?.();
    releases.get('3')?.();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(done).toEqual([]);
    releases.get('0')?.();
    await expect(running).resolves.toEqual({ done: 4 });
    expect(done).toEqual(['3']);
  });

  it('with keyConcurrency, starts records that arrive while the batch runs, and ends once all are done', async () => {
    const releases = new Map<string, () => void>();
    const started: string[] = [];
    const arrivals: (() => void)[] = [];
    const pending: RawRecord[] = [];
    const { sut, done } = hooks({
      concurrency: 8,
      keyConcurrency: 4,
      more: {
        take: (max) => pending.splice(0, max),
        arrival: () => new Promise<void>((resolve) => arrivals.push(resolve)),
      },
      handler: async ({ offset }) => {
        started.push(offset);
        await new Promise<void>((resolve) => releases.set(offset, resolve));
      },
    });
    const running = processPartitionBatch([record(0, 'sender')], sut);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(started).toEqual(['0']);
    // Arrives while offset 0 is still in flight: it starts now, not after 0 finishes.
    pending.push(record(1, 'sender'), record(2, 'sender'));
    arrivals.splice(0).forEach((wake) => wake());
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(started).toEqual(['0', '1', '2']);
    releases.get('1')?.();
    releases.get('2')?.();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(done).toEqual([]);
    releases.get('0')?.();
    await expect(running).resolves.toEqual({ done: 3 });
    expect(done).toEqual(['2']);
  });

  it('without keyConcurrency never asks for more records: the batch is what it was handed', async () => {
    let asked = 0;
    const { sut } = hooks({
      concurrency: 4,
      more: {
        take: () => {
          asked++;

          return [];
        },
        arrival: () => new Promise<void>(() => undefined),
      },
      handler: async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
      },
    });
    await expect(processPartitionBatch([record(0, 'a'), record(1, 'b')], sut)).resolves.toEqual({ done: 2 });
    expect(asked).toBe(0);
  });

  it('abandons the queued records of a key on stop and reports only the done prefix', async () => {
    let stop = false;
    const releases: (() => void)[] = [];
    const handled: string[] = [];
    const { sut, done } = hooks({
      concurrency: 8,
      keyConcurrency: 2,
      shouldStop: () => stop,
      handler: async ({ offset }) => {
        await new Promise<void>((resolve) => releases.push(resolve));
        handled.push(offset);
      },
    });
    const running = processPartitionBatch(
      [0, 1, 2, 3].map((offset) => record(offset, 'sender')),
      sut,
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    stop = true;
    releases.forEach((release) => release());
    // In-flight records finish (a drain); the queued ones never start and are redelivered.
    await expect(running).resolves.toEqual({ done: 2 });
    expect(handled).toEqual(['0', '1']);
    expect(done.at(-1)).toBe('1');
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

  it('pauses the partition on an infrastructure error: one record probes, the others wait, none dead-lettered', async () => {
    let databaseUp = false;
    const calls = new Map<string, number>();
    const refused = (): Error =>
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED' });
    const { sut, done, dead } = hooks({
      concurrency: 2,
      maxAttempts: 2,
      infraBackoff: { initialMs: 5, multiplier: 2, maxMs: 20, jitter: 0 },
      handler: async ({ key }) => {
        calls.set(key, (calls.get(key) ?? 0) + 1);
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (!databaseUp) {
          throw refused();
        }
      },
    });
    const topic = `paused-${Math.random()}`;
    const records = [record(0, 'a'), record(1, 'b'), record(2, 'c')].map((r) => ({ ...r, topic }));
    const paused = async (): Promise<number> =>
      (await metrics.busPartitionsPaused.get()).values.find((v) => v.labels.topic === topic)?.value ?? 0;

    const running = processPartitionBatch(records, sut);
    // 'a' keeps probing well past maxAttempts; 'b' met the outage once and waits; 'c' has not started.
    await waitFor('probes past maxAttempts', () => (calls.get('a') ?? 0) > 4, 5_000);
    expect(calls.get('b')).toBe(1);
    expect(calls.has('c')).toBe(false);
    expect(done).toEqual([]);
    expect(await paused()).toBe(1);

    databaseUp = true;
    await expect(running).resolves.toEqual({ done: 3 });
    expect(done.at(-1)).toBe('2');
    expect(dead).toEqual([]);
    expect(await paused()).toBe(0);
  });

  it('stops waiting out an outage as soon as the adapter stops, leaving the record undone', async () => {
    let stop = false;
    const { sut, done, dead } = hooks({
      infraBackoff: { initialMs: 60_000, multiplier: 2, maxMs: 60_000, jitter: 0 },
      shouldStop: () => stop,
      handler: async () => {
        throw Object.assign(new Error('Connection lost'), { code: 'PROTOCOL_CONNECTION_LOST' });
      },
    });
    const running = processPartitionBatch([record(0, 'a'), record(1, 'a')], sut);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    stop = true;

    await expect(running).resolves.toEqual({ done: 0 });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(done).toEqual([]);
    expect(dead).toEqual([]);
  });

  it('still dead-letters a record error after maxAttempts once the dependency answers again', async () => {
    let tries = 0;
    const { sut, dead } = hooks({
      maxAttempts: 2,
      infraBackoff: { initialMs: 1, multiplier: 1, maxMs: 1, jitter: 0 },
      handler: async () => {
        tries++;
        if (tries <= 3) {
          throw Object.assign(new Error('Too many connections'), { code: 'ER_CON_COUNT_ERROR', errno: 1040 });
        }
        throw new TypeError('body is undefined');
      },
    });

    await expect(processPartitionBatch([record(0, 'a')], sut)).resolves.toEqual({ done: 1 });
    expect(tries).toBe(5);
    expect(dead).toEqual(['0']);
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
