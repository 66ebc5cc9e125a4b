import { silentBusLogger } from './bus.logger';
import { deferred } from './bus.behaviour';
import type { GrowingRunHooks, PartitionFetch } from './growing-partition.run';
import { GrowingPartitionRun } from './growing-partition.run';
import type { RawRecord } from './partition-batch.processor';

const record = (offset: number): RawRecord => ({
  topic: 't',
  partition: 0,
  offset: String(offset),
  key: 'sender',
  value: JSON.stringify({ offset }),
  headers: {},
});
const range = (from: number, to: number): RawRecord[] => Array.from({ length: to - from }, (_, n) => record(from + n));

const fetch = (overrides: Partial<PartitionFetch> = {}): PartitionFetch => ({
  heartbeat: async () => undefined,
  isRunning: () => true,
  isStale: () => false,
  ...overrides,
});

interface Probe {
  readonly done: { offset: string; final: boolean; completed: boolean }[];
  readonly rewinds: string[];
}

function hooks(
  handler: GrowingRunHooks<RawRecord>['batch']['handler'],
  revoked: () => boolean = () => false,
): { hooks: GrowingRunHooks<RawRecord>; probe: Probe } {
  const probe: Probe = { done: [], rewinds: [] };

  return {
    probe,
    hooks: {
      batch: {
        handler,
        maxAttempts: 1,
        concurrency: 64,
        keyConcurrency: 64,
        backoff: { initialMs: 1, multiplier: 1, maxMs: 1, jitter: 0 },
        logger: silentBusLogger,
        deadLetter: async () => undefined,
        sleep: async () => true,
      },
      revoked,
      onDone: async (done, end) => {
        probe.done.push({ offset: done.offset, ...end });
      },
      rewind: (offset) => probe.rewinds.push(offset),
    },
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe(GrowingPartitionRun.name, () => {
  it('starts records fed while a record of the batch still runs, and ends once everything is done', async () => {
    const gate = deferred();
    const started: number[] = [];
    const { hooks: h, probe } = hooks(async ({ offset }) => {
      started.push(Number(offset));
      if (offset === '0') {
        await gate.promise;
      }
    });
    const run = new GrowingPartitionRun(range(0, 1), fetch(), 100, h);
    await tick();
    run.feed(range(1, 4), fetch());
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);
    // Nothing committed past the record still running.
    expect(probe.done).toEqual([]);
    expect(run.accepting).toBe(true);
    gate.resolve();
    await run.ended;
    expect(run.accepting).toBe(false);
    expect(probe.done.at(-1)).toEqual({ offset: '3', final: true, completed: true });
    expect(probe.rewinds).toEqual([]);
  });

  it('makes a fetch wait while it holds maxHeld records not done', async () => {
    const gate = deferred();
    const { hooks: h } = hooks(() => gate.promise);
    const run = new GrowingPartitionRun(range(0, 3), fetch(), 3, h);
    let roomy = false;
    void run.room().then(() => {
      roomy = true;
    });
    await tick();
    expect(roomy).toBe(false);
    gate.resolve();
    await run.ended;
    await tick();
    expect(roomy).toBe(true);
  });

  it('a stale run (a seek elsewhere) stops starting records and does not rewind: the seek decides', async () => {
    const held = deferred();
    let stale = false;
    const started: number[] = [];
    const { hooks: h, probe } = hooks(async ({ offset }) => {
      started.push(Number(offset));
      if (offset === '11') {
        await held.promise;
      }
    });
    const run = new GrowingPartitionRun(range(10, 12), fetch({ isStale: () => stale }), 100, h);
    await tick();
    stale = true;
    run.feed(range(12, 15), fetch({ isStale: () => stale }));
    held.resolve();
    await run.ended;
    expect(started).toEqual([10, 11]);
    expect(probe.rewinds).toEqual([]);
    expect(probe.done.at(-1)).toEqual({ offset: '11', final: true, completed: false });
  });

  it('a revoked run stops starting records and neither rewinds nor commits past the unfinished one', async () => {
    const gate = deferred();
    let revoked = false;
    const started: number[] = [];
    const { hooks: h, probe } = hooks(
      async ({ offset }) => {
        started.push(Number(offset));
        if (offset === '1') {
          await gate.promise;
        }
      },
      () => revoked,
    );
    const run = new GrowingPartitionRun(range(0, 2), fetch(), 100, h);
    await tick();
    revoked = true;
    run.feed(range(2, 5), fetch());
    gate.resolve();
    await run.ended;
    expect(started).toEqual([0, 1]);
    expect(probe.done.at(-1)).toEqual({ offset: '1', final: true, completed: false });
    expect(probe.rewinds).toEqual([]);
  });

  it('after a failure, finishes what runs, commits its prefix and rewinds to the first record not done', async () => {
    const gate = deferred();
    let failing = false;
    const { hooks: h, probe } = hooks(async ({ offset }) => {
      if (offset === '1') {
        await gate.promise;
      }
    });
    const rebalance = async (): Promise<void> => {
      if (failing) {
        throw new Error('rebalance');
      }
    };
    const run = new GrowingPartitionRun(range(0, 2), fetch({ heartbeat: rebalance }), 100, h);
    await tick();
    failing = true;
    // 2..4 finish past the running record 1; their heartbeat fails the run.
    run.feed(range(2, 5), fetch({ heartbeat: rebalance }));
    await tick();
    // Fed after the failure: never started.
    run.feed(range(5, 7), fetch({ heartbeat: rebalance }));
    expect(probe.rewinds).toEqual([]);
    gate.resolve();
    await expect(run.ended).rejects.toThrow('rebalance');
    expect(probe.done.at(-1)).toEqual({ offset: '4', final: true, completed: false });
    expect(probe.rewinds).toEqual(['5']);
  });
});
