/**
 * The port's semantics as one test suite, run against both adapters (in-process.bus.spec.ts and
 * kafka.bus.integration-spec.ts), so "same semantics" is checked rather than hoped for.
 */
import { randomUUID } from 'node:crypto';
import { createConnection, createServer, type Server } from 'node:net';
import { BusClosedError, DlqTopicNotFoundError } from './bus.errors';
import { DLQ_REPLAYED_FROM_HEADER } from './dlq-replay';
import type { Bus, ConsumedRecord, RecordHandler } from './bus.port';
import { DLQ_HEADERS, dlqTopicOf, NonRetriableError } from './bus.port';
import { partitionForKey } from './murmur2.partitioner';

export interface BusHarness {
  /** A new bus; the suite closes it after the test. */
  createBus(): Bus;
  /** Fresh topic names for one test, each with `partitions` partitions and a DLQ (created on Kafka). */
  createTopics(count: number): Promise<string[]>;
  /** Partitions createTopics gives a topic (the key → partition mapping is checked against it). */
  readonly partitions: number;
  /** How long to wait for asynchronous delivery. */
  readonly waitMs: number;
}

export async function waitFor(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
}

export function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });

  return { promise, resolve };
}

export const uniqueGroup = (name: string): string => `${name}-${randomUUID().slice(0, 8)}`;

/** Subscribes a collector (e.g. to a DLQ) and returns what it has seen so far. */
export async function collect(bus: Bus, topic: string, groupId = uniqueGroup('collector')): Promise<ConsumedRecord[]> {
  const seen: ConsumedRecord[] = [];
  await bus.subscribe({
    groupId,
    topics: [topic],
    handler: async (record) => {
      seen.push(record);
    },
  });

  return seen;
}

/**
 * A real TCP dependency for outage tests: while down nothing listens on its port, so a call fails with the
 * operating system's ECONNREFUSED (what a database or Redis client sees); `up()` serves the same port again.
 */
export class TcpDependency {
  private server: Server | undefined;

  private constructor(readonly port: number) {}

  /** A port that was free a moment ago, with nothing listening on it yet. */
  static async reserve(): Promise<TcpDependency> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    return new TcpDependency(port);
  }

  async up(): Promise<void> {
    const server = createServer((socket) => socket.end());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  /** One round trip: resolves once connected, rejects with the socket's error (ECONNREFUSED while down). */
  call(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ host: '127.0.0.1', port: this.port });
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', reject);
    });
  }
}

export function defineBusBehaviour(harness: BusHarness): void {
  const open: Bus[] = [];
  const newBus = (): Bus => {
    const bus = harness.createBus();
    open.push(bus);

    return bus;
  };

  afterEach(async () => {
    await Promise.all(open.splice(0).map((bus) => bus.close()));
  });

  describe('Bus behaviour', () => {
    it('delivers every record once, in publish order per key, with keys running concurrently', async () => {
      const bus = newBus();
      const [topic] = (await harness.createTopics(1)) as [string];
      const keys = Array.from({ length: 12 }, (_, i) => `key-${i}`);
      const seen = new Map<string, number[]>();
      const busyKeys = new Set<string>();
      let overlapPerKey = 0;
      let inFlight = 0;
      let maxInFlight = 0;
      await bus.subscribe({
        groupId: uniqueGroup('order'),
        topics: [topic],
        concurrency: 4,
        handler: async ({ key, value }) => {
          if (busyKeys.has(key)) {
            overlapPerKey++;
          }
          busyKeys.add(key);
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await delay(Math.random() * 3);
          (seen.get(key) ?? seen.set(key, []).get(key))?.push((value as { seq: number }).seq);
          busyKeys.delete(key);
          inFlight--;
        },
      });
      const total = 240;
      const records = Array.from({ length: total }, (_, seq) => ({
        topic,
        key: keys[seq % keys.length] as string,
        value: { seq },
      }));
      // Several concurrent publish calls, as several request handlers would make them.
      await Promise.all([records.slice(0, 80), records.slice(80, 160), records.slice(160)].map((r) => bus.publish(r)));

      await waitFor('all records', () => [...seen.values()].reduce((n, s) => n + s.length, 0) >= total, harness.waitMs);
      await delay(100);
      expect([...seen.values()].reduce((n, s) => n + s.length, 0)).toBe(total);
      for (const [key, seqs] of seen) {
        const expected = records.filter((r) => r.key === key).map((r) => r.value.seq);
        expect(seqs).toEqual(expected);
      }
      expect(overlapPerKey).toBe(0);
      expect(maxInFlight).toBeGreaterThan(1);
    });

    it('with keyConcurrency, runs up to that many records of one key at once, started in order, each once', async () => {
      const bus = newBus();
      const [topic] = (await harness.createTopics(1)) as [string];
      const started: number[] = [];
      const finished = new Set<number>();
      let inFlight = 0;
      let maxInFlight = 0;
      const gate = deferred();
      await bus.subscribe({
        groupId: uniqueGroup('key-concurrency'),
        topics: [topic],
        concurrency: 8,
        keyConcurrency: 3,
        handler: async ({ value }) => {
          const seq = (value as { seq: number }).seq;
          started.push(seq);
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          // The first three hold their slots until the test has seen that no fourth started.
          if (seq < 3) {
            await gate.promise;
          } else {
            await delay(Math.random() * 3);
          }
          finished.add(seq);
          inFlight--;
        },
      });
      const total = 30;
      await bus.publish(Array.from({ length: total }, (_, seq) => ({ topic, key: 'one-sender', value: { seq } })));

      await waitFor('three records of the key in flight', () => started.length >= 3, harness.waitMs);
      await delay(100);
      expect(started).toEqual([0, 1, 2]);
      gate.resolve();
      await waitFor('all records', () => finished.size === total, harness.waitMs);
      await delay(100);
      expect(maxInFlight).toBe(3);
      expect(started).toHaveLength(total);
      // Started in offset order, each exactly once.
      expect(started).toEqual(Array.from({ length: total }, (_, seq) => seq));
    });

    it('round-trips values as JSON, headers as strings, and partitions keys like Kafka', async () => {
      const bus = newBus();
      const [topic] = (await harness.createTopics(1)) as [string];
      const seen = await collect(bus, topic);
      const at = new Date('2025-01-02T03:04:05.678Z');
      await bus.publish([
        {
          topic,
          key: 'msg-1',
          value: { at, n: 1, nested: { list: [1, 'two', null] } },
          headers: { traceparent: 't-1' },
        },
      ]);

      await waitFor('the record', () => seen.length === 1, harness.waitMs);
      const [record] = seen as [ConsumedRecord];
      expect(record).toMatchObject({
        topic,
        key: 'msg-1',
        attempt: 1,
        partition: partitionForKey('msg-1', harness.partitions),
        value: { at: '2025-01-02T03:04:05.678Z', n: 1, nested: { list: [1, 'two', null] } },
      });
      expect(record.headers).toEqual({ traceparent: 't-1' });
      expect(typeof record.offset).toBe('string');
    });

    it('retries a throwing handler with the attempt number, then moves on without a DLQ copy', async () => {
      const bus = newBus();
      const [topic] = (await harness.createTopics(1)) as [string];
      const attempts: number[] = [];
      const dlq = await collect(bus, dlqTopicOf(topic));
      await bus.subscribe({
        groupId: uniqueGroup('retry'),
        topics: [topic],
        handler: async ({ attempt }) => {
          attempts.push(attempt);
          if (attempt < 3) {
            throw new Error(`transient ${attempt}`);
          }
        },
      });
      await bus.publish([{ topic, key: 'k', value: { ok: true } }]);

      await waitFor('three attempts', () => attempts.length === 3, harness.waitMs);
      await delay(200);
      expect(attempts).toEqual([1, 2, 3]);
      expect(dlq).toHaveLength(0);
    });

    it('sends a record to <topic>.dlq with the error headers after maxAttempts, and keeps consuming', async () => {
      const bus = newBus();
      const [topic] = (await harness.createTopics(1)) as [string];
      const dlq = await collect(bus, dlqTopicOf(topic));
      const handled: string[] = [];
      let poisonAttempts = 0;
      await bus.subscribe({
        groupId: uniqueGroup('dlq'),
        topics: [topic],
        maxAttempts: 3,
        handler: async ({ key }) => {
          if (key === 'poison') {
            poisonAttempts++;
            throw new Error('provider said no\nsecond line');
          }
          handled.push(key);
        },
      });
      await bus.publish([
        { topic, key: 'poison', value: { id: 1 }, headers: { traceparent: 't-9' } },
        { topic, key: 'poison', value: { id: 2 } },
        { topic, key: 'fine', value: { id: 3 } },
      ]);

      await waitFor('two DLQ records', () => dlq.length === 2, harness.waitMs);
      await waitFor('the good record', () => handled.length === 1, harness.waitMs);
      expect(poisonAttempts).toBe(6);
      const [first, second] = dlq as [ConsumedRecord, ConsumedRecord];
      expect(first.key).toBe('poison');
      expect(first.value).toEqual({ id: 1 });
      expect(first.headers).toEqual({
        traceparent: 't-9',
        [DLQ_HEADERS.error]: 'Error: provider said no second line',
        [DLQ_HEADERS.sourceTopic]: topic,
        [DLQ_HEADERS.sourcePartition]: String(partitionForKey('poison', harness.partitions)),
        [DLQ_HEADERS.sourceOffset]: expect.stringMatching(/^\d+$/),
        [DLQ_HEADERS.attempts]: '3',
      });
      expect(second.value).toEqual({ id: 2 });
      expect(BigInt(second.headers[DLQ_HEADERS.sourceOffset] as string)).toBeGreaterThan(
        BigInt(first.headers[DLQ_HEADERS.sourceOffset] as string),
      );
    });

    it('waits out an infrastructure error past maxAttempts without a DLQ copy, then resumes in order', async () => {
      const bus = newBus();
      const [topic] = (await harness.createTopics(1)) as [string];
      const dlq = await collect(bus, dlqTopicOf(topic));
      const dependency = await TcpDependency.reserve();
      const handled: number[] = [];
      let refused = 0;
      await bus.subscribe({
        groupId: uniqueGroup('outage'),
        topics: [topic],
        maxAttempts: 2,
        concurrency: 4,
        handler: async ({ value }) => {
          try {
            await dependency.call();
          } catch (error) {
            refused++;
            throw error;
          }
          handled.push((value as { n: number }).n);
        },
      });
      await bus.publish([1, 2, 3].map((n) => ({ topic, key: 'same', value: { n } })));

      await waitFor('tries well past maxAttempts', () => refused >= 6, harness.waitMs);
      expect(handled).toEqual([]);
      await dependency.up();
      try {
        await waitFor('the records once the dependency is back', () => handled.length === 3, harness.waitMs);
        await delay(200);
        expect(handled).toEqual([1, 2, 3]);
        expect(dlq).toHaveLength(0);
      } finally {
        await dependency.down();
      }
    });

    it('close() ends the wait of a paused partition promptly', async () => {
      const bus = newBus();
      const [topic] = (await harness.createTopics(1)) as [string];
      const dependency = await TcpDependency.reserve();
      let refused = 0;
      await bus.subscribe({
        groupId: uniqueGroup('outage-close'),
        topics: [topic],
        handler: async () => {
          await dependency.call().catch((error: unknown) => {
            refused++;
            throw error;
          });
        },
      });
      await bus.publish([{ topic, key: 'k', value: {} }]);
      await waitFor('the partition to pause', () => refused >= 3, harness.waitMs);

      const started = Date.now();
      await bus.close();
      expect(Date.now() - started).toBeLessThan(5_000);
      const after = refused;
      await delay(300);
      expect(refused).toBe(after);
    });

    it('sends a NonRetriableError straight to the DLQ after one attempt', async () => {
      const bus = newBus();
      const [topic] = (await harness.createTopics(1)) as [string];
      const dlq = await collect(bus, dlqTopicOf(topic));
      let calls = 0;
      await bus.subscribe({
        groupId: uniqueGroup('non-retriable'),
        topics: [topic],
        handler: async () => {
          calls++;
          throw new NonRetriableError('invalid payload: to is missing');
        },
      });
      await bus.publish([{ topic, key: 'bad', value: { to: null } }]);

      await waitFor('the DLQ record', () => dlq.length === 1, harness.waitMs);
      expect(calls).toBe(1);
      expect(dlq[0]?.headers[DLQ_HEADERS.attempts]).toBe('1');
      expect(dlq[0]?.headers[DLQ_HEADERS.error]).toBe('NonRetriableError: invalid payload: to is missing');
    });

    it('replays dead letters to their source topic once each, by limit, and reports a dry run', async () => {
      const bus = newBus();
      const [topic] = (await harness.createTopics(1)) as [string];
      const dlqTopic = dlqTopicOf(topic);
      const dlq = await collect(bus, dlqTopic);
      let fixed = false;
      const handled: ConsumedRecord[] = [];
      await bus.subscribe({
        groupId: uniqueGroup('replay'),
        topics: [topic],
        handler: async (record) => {
          if (!fixed) {
            throw new NonRetriableError('a bug in the handler');
          }
          handled.push(record);
        },
      });
      await bus.publish(
        [1, 2, 3].map((n) => ({ topic, key: `k${n}`, value: { n }, headers: { traceparent: `t-${n}` } })),
      );
      await waitFor('three dead letters', () => dlq.length === 3, harness.waitMs);
      fixed = true;

      const dry = await bus.replayDeadLetters({ dlqTopic, dryRun: true });
      expect(dry).toMatchObject({ dlqTopic, dryRun: true, alreadyReplayed: 0, remaining: 0 });
      expect(dry.replayed).toHaveLength(3);
      expect(dry.replayed[0]).toEqual({
        partition: expect.any(Number),
        offset: expect.stringMatching(/^\d+$/),
        sourceTopic: topic,
        deadLetteredAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        attempts: 1,
      });
      const future = new Date(Date.now() + 3_600_000);
      expect((await bus.replayDeadLetters({ dlqTopic, from: future, dryRun: true })).replayed).toHaveLength(0);
      await delay(200);
      expect(handled).toHaveLength(0);

      const first = await bus.replayDeadLetters({ dlqTopic, limit: 2 });
      expect(first).toMatchObject({ dryRun: false, alreadyReplayed: 0, remaining: 1 });
      expect(first.replayed).toHaveLength(2);
      await waitFor('two replayed records', () => handled.length === 2, harness.waitMs);
      const second = await bus.replayDeadLetters({ dlqTopic });
      expect(second).toMatchObject({ alreadyReplayed: 2, remaining: 0 });
      expect(second.replayed).toHaveLength(1);
      await waitFor('the third replayed record', () => handled.length === 3, harness.waitMs);
      const third = await bus.replayDeadLetters({ dlqTopic });
      expect(third).toMatchObject({ alreadyReplayed: 3, remaining: 0, replayed: [] });

      await delay(300);
      expect(handled.map((r) => (r.value as { n: number }).n).sort()).toEqual([1, 2, 3]);
      const replayedFrom = handled.map((r) => r.headers[DLQ_REPLAYED_FROM_HEADER]);
      expect(new Set(replayedFrom).size).toBe(3);
      expect(replayedFrom.every((id) => id?.startsWith(`${dlqTopic}/`))).toBe(true);
      // The original headers travel back; the DLQ's own do not.
      expect(handled.map((r) => r.headers['traceparent']).sort()).toEqual(['t-1', 't-2', 't-3']);
      expect(handled.every((r) => r.headers[DLQ_HEADERS.error] === undefined)).toBe(true);
    });

    it('refuses to replay a topic that is not a DLQ, or a DLQ that does not exist', async () => {
      const bus = newBus();
      const [topic] = (await harness.createTopics(1)) as [string];
      await expect(bus.replayDeadLetters({ dlqTopic: topic })).rejects.toThrow(RangeError);
      await expect(bus.replayDeadLetters({ dlqTopic: `nothing-${randomUUID()}.dlq` })).rejects.toBeInstanceOf(
        DlqTopicNotFoundError,
      );
      await expect(bus.replayDeadLetters({ dlqTopic: dlqTopicOf(topic), limit: 0 })).rejects.toThrow('limit');
    });

    it('gives every group each record, and each record to one member within a group', async () => {
      const bus = newBus();
      const [topic] = (await harness.createTopics(1)) as [string];
      const groupA = uniqueGroup('a');
      const seenByGroupB: string[] = [];
      const seenByMember = [new Set<string>(), new Set<string>()];
      const counts = new Map<string, number>();
      const member =
        (index: number): RecordHandler =>
        async ({ key }) => {
          seenByMember[index]?.add(key);
          counts.set(key, (counts.get(key) ?? 0) + 1);
        };
      await bus.subscribe({ groupId: groupA, topics: [topic], handler: member(0) });
      await bus.subscribe({ groupId: groupA, topics: [topic], handler: member(1) });
      await bus.subscribe({
        groupId: uniqueGroup('b'),
        topics: [topic],
        handler: async ({ key }) => {
          seenByGroupB.push(key);
        },
      });
      const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
      await bus.publish(keys.map((key) => ({ topic, key, value: {} })));

      await waitFor('group A', () => counts.size === keys.length, harness.waitMs);
      await waitFor('group B', () => seenByGroupB.length === keys.length, harness.waitMs);
      await delay(200);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
      expect(seenByMember[0]?.size).toBeGreaterThan(0);
      expect(seenByMember[1]?.size).toBeGreaterThan(0);
      expect([...seenByGroupB].sort()).toEqual([...keys].sort());
    });

    it('delivers records published before any subscriber existed, from the earliest offset', async () => {
      const bus = newBus();
      const [topic] = (await harness.createTopics(1)) as [string];
      await bus.publish([1, 2, 3].map((n) => ({ topic, key: 'same', value: { n } })));
      const seen = await collect(bus, topic);

      await waitFor('the retained records', () => seen.length === 3, harness.waitMs);
      expect(seen.map((r) => (r.value as { n: number }).n)).toEqual([1, 2, 3]);
    });

    it('close() lets the in-flight handler finish, then refuses publish and subscribe', async () => {
      const bus = newBus();
      const [topic, outcomes] = (await harness.createTopics(2)) as [string, string];
      const started = deferred();
      const release = deferred();
      let finished = false;
      await bus.subscribe({
        groupId: uniqueGroup('drain'),
        topics: [topic],
        handler: async () => {
          started.resolve();
          await release.promise;
          // A handler typically publishes its outcome; that must still work while the bus drains.
          await bus.publish([{ topic: outcomes, key: 'k', value: {} }]);
          finished = true;
        },
      });
      await bus.publish([{ topic, key: 'k', value: { n: 1 } }]);
      await started.promise;

      let closed = false;
      const closing = bus.close().then(() => {
        closed = true;
      });
      await delay(100);
      expect(closed).toBe(false);
      release.resolve();
      await closing;
      expect(finished).toBe(true);
      await expect(bus.publish([{ topic, key: 'k', value: {} }])).rejects.toBeInstanceOf(BusClosedError);
      await expect(bus.subscribe({ groupId: 'g', topics: [topic], handler: async () => undefined })).rejects.toThrow(
        BusClosedError,
      );
      expect(await bus.isReady()).toBe(false);
      await bus.close();
    });

    it('rejects a publish with a value JSON cannot carry, and sends none of its records', async () => {
      const bus = newBus();
      const [topic] = (await harness.createTopics(1)) as [string];
      const seen = await collect(bus, topic);
      await expect(
        bus.publish([
          { topic, key: 'a', value: { fine: true } },
          { topic, key: 'b', value: { big: 1n } },
        ]),
      ).rejects.toThrow('not JSON-serialisable');
      await expect(bus.publish([{ topic, key: 'c', value: undefined }])).rejects.toThrow('not JSON-serialisable');
      await bus.publish([{ topic, key: 'd', value: null }]);

      await waitFor('the valid record', () => seen.length === 1, harness.waitMs);
      await delay(200);
      expect(seen.map((r) => [r.key, r.value])).toEqual([['d', null]]);
    });

    it('is ready while open', async () => {
      const bus = newBus();
      expect(await bus.isReady()).toBe(true);
    });

    it('rejects invalid options and illegal topic names before touching the bus', async () => {
      const bus = newBus();
      const [topic] = (await harness.createTopics(1)) as [string];
      await expect(
        bus.subscribe({ groupId: 'g', topics: [topic], concurrency: 0, handler: async () => undefined }),
      ).rejects.toThrow(RangeError);
      await expect(
        bus.subscribe({ groupId: 'g', topics: [topic], keyConcurrency: 0, handler: async () => undefined }),
      ).rejects.toThrow(RangeError);
      // No room for `.dlq` within Kafka's 249 characters: its first poison record could never be parked.
      await expect(
        bus.subscribe({ groupId: 'g', topics: ['t'.repeat(247)], handler: async () => undefined }),
      ).rejects.toThrow('Illegal Kafka topic name');
      await expect(bus.publish([{ topic: 'no spaces', key: 'k', value: 1 }])).rejects.toThrow(
        'Illegal Kafka topic name',
      );
    });
  });
}
