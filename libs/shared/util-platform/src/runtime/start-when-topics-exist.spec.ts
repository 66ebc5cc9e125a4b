import type { Bus, TopicSpec } from '@sms/bus';
import { ShutdownRegistry } from '../lifecycle/shutdown.registry';
import { ReadinessRegistry } from './readiness.registry';
import { startWhenTopicsExist } from './start-when-topics-exist';

const TOPIC: TopicSpec = { topic: 'sms.optout.v1', numPartitions: 3 };

/** A bus that administers topics (the Kafka adapter's shape), failing the first `failures` calls. */
function kafkaLikeBus(failures: number): Bus & { ensureCalls: number } {
  const bus = {
    ensureCalls: 0,
    ensureTopics: jest.fn(async () => {
      bus.ensureCalls++;
      if (bus.ensureCalls <= failures) {
        throw new Error('broker unreachable');
      }
    }),
  };

  return bus as unknown as Bus & { ensureCalls: number };
}

describe('startWhenTopicsExist', () => {
  it('runs the start inline on a bus without topic administration (embedded), ready at once', async () => {
    const readiness = new ReadinessRegistry();
    const start = jest.fn(async () => undefined);
    const handle = await startWhenTopicsExist(
      { name: 'replica', bus: {} as Bus, topics: [TOPIC], readiness, shutdown: new ShutdownRegistry() },
      start,
    );
    expect(start).toHaveBeenCalledTimes(1);
    expect(handle.isStarted()).toBe(true);
    expect(await readiness.report()).toEqual({ ready: true, checks: { replica: true }, degraded: [] });
  });

  it('returns before the broker answers, degraded until the topics exist, then starts once', async () => {
    const bus = kafkaLikeBus(2);
    const readiness = new ReadinessRegistry();
    const start = jest.fn(async () => undefined);
    const handle = await startWhenTopicsExist(
      { name: 'replica', bus, topics: [TOPIC], readiness, shutdown: new ShutdownRegistry(), minDelayMs: 5 },
      start,
    );
    expect(handle.isStarted()).toBe(false);
    expect(await readiness.report()).toEqual({ ready: true, checks: { replica: false }, degraded: ['replica'] });

    await handle.done;
    expect(bus.ensureCalls).toBe(3);
    expect(start).toHaveBeenCalledTimes(1);
    expect(await readiness.report()).toEqual({ ready: true, checks: { replica: true }, degraded: [] });
  });

  it('retries the start itself when it fails after the topics exist', async () => {
    const bus = kafkaLikeBus(0);
    const start = jest
      .fn<Promise<void>, []>()
      .mockRejectedValueOnce(new Error('publish failed'))
      .mockResolvedValue(undefined);
    const handle = await startWhenTopicsExist(
      {
        name: 'ledger',
        bus,
        topics: [TOPIC],
        readiness: new ReadinessRegistry(),
        shutdown: new ShutdownRegistry(),
        minDelayMs: 5,
      },
      start,
    );
    await handle.done;
    expect(start).toHaveBeenCalledTimes(2);
    expect(handle.isStarted()).toBe(true);
  });

  it('stops retrying once shutdown begins, without starting', async () => {
    const bus = kafkaLikeBus(Number.POSITIVE_INFINITY);
    const shutdown = new ShutdownRegistry();
    const start = jest.fn(async () => undefined);
    const handle = await startWhenTopicsExist(
      { name: 'replica', bus, topics: [TOPIC], readiness: new ReadinessRegistry(), shutdown, minDelayMs: 60_000 },
      start,
    );
    await new Promise((resolve) => setImmediate(resolve));
    await shutdown.runAll();
    await handle.done;
    expect(bus.ensureCalls).toBe(1);
    expect(start).not.toHaveBeenCalled();
    expect(handle.isStarted()).toBe(false);
  });
});
