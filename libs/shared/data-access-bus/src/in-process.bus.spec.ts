import { randomUUID } from 'node:crypto';
import { collect, defineBusBehaviour, delay, uniqueGroup, waitFor } from './bus.behaviour';
import type { BusLogger } from './bus.logger';
import { silentBusLogger } from './bus.logger';
import type { ConsumedRecord } from './bus.port';
import { dlqTopicOf, NonRetriableError } from './bus.port';
import { InProcessBus } from './in-process.bus';

const FAST_BACKOFF = { initialMs: 5, multiplier: 2, maxMs: 50, jitter: 0.2 } as const;
const FAST_INFRA_BACKOFF = { initialMs: 10, multiplier: 2, maxMs: 100, jitter: 0.2 } as const;

describe(InProcessBus.name, () => {
  defineBusBehaviour({
    createBus: () =>
      new InProcessBus({
        partitions: 4,
        retryBackoff: FAST_BACKOFF,
        infraRetryBackoff: FAST_INFRA_BACKOFF,
        logger: silentBusLogger,
      }),
    createTopics: async (count) => Array.from({ length: count }, () => `test.${randomUUID()}.v1`),
    partitions: 4,
    waitMs: 5_000,
  });

  const open: InProcessBus[] = [];
  const newBus = (config: ConstructorParameters<typeof InProcessBus>[0] = {}): InProcessBus => {
    const bus = new InProcessBus({
      retryBackoff: FAST_BACKOFF,
      infraRetryBackoff: FAST_INFRA_BACKOFF,
      logger: silentBusLogger,
      ...config,
    });
    open.push(bus);

    return bus;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((bus) => bus.close()));
  });

  it('with concurrency 1 handles a partition strictly in offset order across keys', async () => {
    const bus = newBus({ partitions: 1 });
    const seen: number[] = [];
    await bus.subscribe({
      groupId: 'g',
      topics: ['t'],
      handler: async ({ value }) => {
        await delay(Math.random() * 2);
        seen.push(value as number);
      },
    });
    await bus.publish(Array.from({ length: 50 }, (_, n) => ({ topic: 't', key: `k${n % 7}`, value: n })));

    await waitFor('all', () => seen.length === 50, 2_000);
    expect(seen).toEqual(Array.from({ length: 50 }, (_, n) => n));
  });

  it('never lets a slow key hold back other keys when concurrency allows', async () => {
    const bus = newBus({ partitions: 1 });
    const order: string[] = [];
    await bus.subscribe({
      groupId: 'g',
      topics: ['t'],
      concurrency: 2,
      handler: async ({ key, value }) => {
        if (key === 'slow') {
          await delay(100);
        }
        order.push(`${key}:${value as number}`);
      },
    });
    await bus.publish([
      { topic: 't', key: 'slow', value: 1 },
      { topic: 't', key: 'fast', value: 2 },
      { topic: 't', key: 'fast', value: 3 },
      { topic: 't', key: 'slow', value: 4 },
    ]);

    await waitFor('all', () => order.length === 4, 2_000);
    expect(order).toEqual(['fast:2', 'fast:3', 'slow:1', 'slow:4']);
  });

  it('keeps records until every known group consumed them, then trims them', async () => {
    const bus = newBus({ partitions: 1 });
    await bus.publish([1, 2, 3].map((n) => ({ topic: 't', key: 'k', value: n })));
    const first = await collect(bus, 't', 'first');
    await waitFor('first group', () => first.length === 3, 2_000);

    // Like Kafka after retention deleted a segment: a brand-new group starts at the earliest *retained* record.
    const latecomer = await collect(bus, 't', 'latecomer');
    await bus.publish([{ topic: 't', key: 'k', value: 4 }]);
    await waitFor('both groups', () => first.length === 4 && latecomer.length === 1, 2_000);
    expect(latecomer.map((r) => r.value)).toEqual([4]);
  });

  it('caps retention per partition when nobody consumes, dropping the oldest', async () => {
    const warnings: string[] = [];
    const logger: BusLogger = { ...silentBusLogger, warn: (message) => warnings.push(message) };
    const bus = newBus({ partitions: 1, maxRetainedPerPartition: 5, logger });
    await bus.publish(Array.from({ length: 8 }, (_, n) => ({ topic: 't', key: 'k', value: n })));
    const seen = await collect(bus, 't');

    await waitFor('retained records', () => seen.length === 5, 2_000);
    expect(seen.map((r) => r.value)).toEqual([3, 4, 5, 6, 7]);
    expect(seen.map((r) => r.offset)).toEqual(['3', '4', '5', '6', '7']);
    expect(warnings).toHaveLength(3);
  });

  it('never drops records a group has yet to read: publishers wait for capacity instead', async () => {
    const warnings: string[] = [];
    const logger: BusLogger = { ...silentBusLogger, warn: (message) => warnings.push(message) };
    const bus = newBus({ partitions: 1, maxRetainedPerPartition: 5, logger });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const seen: unknown[] = [];
    await bus.subscribe({
      groupId: 'slow',
      topics: ['t'],
      handler: async (record: ConsumedRecord) => {
        await gate;
        seen.push(record.value);
      },
    });
    await bus.publish(Array.from({ length: 8 }, (_, n) => ({ topic: 't', key: 'k', value: n })));

    // Over the cap with nothing read: a relay waiting for capacity is held...
    let capacity = false;
    const waiting = bus.awaitCapacity().then(() => (capacity = true));
    await delay(50);
    expect(capacity).toBe(false);

    // ...until the group reads the backlog; every record reaches it, none was dropped.
    release();
    await waiting;
    await waitFor('every record', () => seen.length === 8, 2_000);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(warnings).toEqual([]);
  });

  it('lets a capacity wait end when its signal aborts or the bus closes', async () => {
    const bus = newBus({ partitions: 1, maxRetainedPerPartition: 1 });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    await bus.subscribe({ groupId: 'stuck', topics: ['t'], handler: () => gate });
    await bus.publish([1, 2, 3].map((n) => ({ topic: 't', key: 'k', value: n })));
    const stop = new AbortController();
    const aborted = bus.awaitCapacity(stop.signal);
    stop.abort();
    await expect(aborted).resolves.toBeUndefined();

    const closing = bus.awaitCapacity();
    const closed = bus.close();
    await expect(closing).resolves.toBeUndefined();
    release();
    await closed;
  });

  it('gives each attempt the value as published, so a failed attempt cannot leak its edits', async () => {
    const bus = newBus();
    const values: unknown[] = [];
    const edits: unknown[] = [];
    await bus.subscribe({
      groupId: 'g',
      topics: ['t'],
      handler: async (record: ConsumedRecord) => {
        values.push(structuredClone(record.value));
        // The value is deep-frozen (shared by every attempt and group): the edit is refused.
        try {
          (record.value as { touched?: boolean }).touched = true;
        } catch (error) {
          edits.push(error);
        }
        if (record.attempt === 1) {
          throw new Error('once');
        }
      },
    });
    await bus.publish([{ topic: 't', key: 'k', value: { n: 1 } }]);

    await waitFor('two attempts', () => values.length === 2, 2_000);
    expect(values).toEqual([{ n: 1 }, { n: 1 }]);
    expect(edits).toEqual([expect.any(TypeError), expect.any(TypeError)]);
  });

  it('shares one frozen value between groups: a handler cannot change what another group sees', async () => {
    const bus = newBus();
    const published = { n: 1, nested: { tags: ['a'] } };
    const errors: unknown[] = [];
    const seenByB: unknown[] = [];
    await bus.subscribe({
      groupId: 'a',
      topics: ['t'],
      maxAttempts: 1,
      handler: async ({ value }) => {
        try {
          (value as typeof published).nested.tags.push('edited');
        } catch (error) {
          errors.push(error);
        }
      },
    });
    await bus.subscribe({
      groupId: 'b',
      topics: ['t'],
      handler: async ({ value }) => {
        await delay(5);
        seenByB.push(value);
      },
    });
    await bus.publish([{ topic: 't', key: 'k', value: published }]);
    published.nested.tags.push('edited by the publisher after publish()');

    await waitFor('group b', () => seenByB.length === 1, 2_000);
    expect(errors).toEqual([expect.any(TypeError)]);
    expect(seenByB).toEqual([{ n: 1, nested: { tags: ['a'] } }]);
  });

  it('hands a handler what JSON would: a Date as its ISO text, undefined properties gone', async () => {
    const bus = newBus();
    const seen: unknown[] = [];
    await bus.subscribe({ groupId: 'g', topics: ['t'], handler: async ({ value }) => void seen.push(value) });
    await bus.publish([{ topic: 't', key: 'k', value: { at: new Date('2026-12-06T21:00:00.000Z'), gone: undefined } }]);

    await waitFor('the record', () => seen.length === 1, 2_000);
    expect(seen).toEqual([{ at: '2026-12-06T21:00:00.000Z' }]);
    expect(Object.keys(seen[0] as object)).toEqual(['at']);
  });

  it('dead-letters the value as published and replays it to its topic unchanged', async () => {
    const bus = newBus();
    const replayed: unknown[] = [];
    let failing = true;
    await bus.subscribe({
      groupId: 'g',
      topics: ['t'],
      handler: async ({ value }) => {
        if (failing) {
          throw new NonRetriableError('poison');
        }
        replayed.push(value);
      },
    });
    await bus.publish([{ topic: 't', key: 'k', value: { n: 1, s: 'x' } }]);
    const dlq = await collect(bus, dlqTopicOf('t'));
    await waitFor('the dead letter', () => dlq.length === 1, 2_000);
    expect(dlq[0]?.value).toEqual({ n: 1, s: 'x' });
    expect(dlq[0]?.headers['x-dlq-error']).toBe('NonRetriableError: poison');
    failing = false;
    const result = await bus.replayDeadLetters({ dlqTopic: dlqTopicOf('t') });

    expect(result.replayed).toHaveLength(1);
    await waitFor('the replayed record', () => replayed.length === 1, 2_000);
    expect(replayed).toEqual([{ n: 1, s: 'x' }]);
  });

  it('close() does not sit out a retry backoff, and the record is not dead-lettered early', async () => {
    const bus = newBus({ retryBackoff: { initialMs: 10_000, multiplier: 2, maxMs: 10_000, jitter: 0 } });
    const dlq = await collect(bus, dlqTopicOf('t'));
    let attempts = 0;
    await bus.subscribe({
      groupId: uniqueGroup('g'),
      topics: ['t'],
      handler: async () => {
        attempts++;
        throw new Error('down');
      },
    });
    await bus.publish([{ topic: 't', key: 'k', value: {} }]);
    await waitFor('first attempt', () => attempts === 1, 2_000);

    const started = Date.now();
    await bus.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(attempts).toBe(1);
    expect(dlq).toHaveLength(0);
  });

  it('drains handlers of every partition and group on close, and close() is idempotent', async () => {
    const bus = newBus({ partitions: 4 });
    let running = 0;
    let finished = 0;
    for (const group of ['a', 'b']) {
      await bus.subscribe({
        groupId: group,
        topics: ['t'],
        concurrency: 4,
        handler: async () => {
          running++;
          await delay(50);
          running--;
          finished++;
        },
      });
    }
    await bus.publish(Array.from({ length: 40 }, (_, n) => ({ topic: 't', key: `k${n}`, value: n })));
    await waitFor('handlers running', () => running > 4, 2_000);

    await Promise.all([bus.close(), bus.close()]);
    expect(running).toBe(0);
    expect(finished).toBeGreaterThan(4);
    expect(finished).toBeLessThan(80);
  });
});
