/**
 * How the outbox relay is woken and polled, on the embedded mode's SQLite (a file of this spec's own):
 * an idle relay spaces its polls out up to maxPollIntervalMs, a wake publishes at once whatever the
 * backoff, rows no wake announced are still found by the poll, and a drain that took a short batch does
 * not spend an empty drain to find out the outbox is empty.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BeforeQueryEvent, DataSource, EntitySubscriberInterface } from 'typeorm';
import { createServiceDataSource } from './data-source.factory';
import { createOutboxSchema, enqueueOutboxWith, type OutboxRecord, OutboxRelay } from './outbox';
import { inSqlTransaction } from './sql-runner';

jest.setTimeout(30_000);

const schema = createOutboxSchema('polling_outbox');

let directory: string;
let dataSource: DataSource;
let drains: number;
const published: OutboxRecord[][] = [];

const countDrains: EntitySubscriberInterface = {
  beforeQuery: (event: BeforeQueryEvent<unknown>) => {
    // On SQLite a drain is one statement, the DELETE … RETURNING that takes the batch.
    if (event.query.startsWith('DELETE FROM polling_outbox')) {
      drains++;
    }
  },
};

beforeAll(async () => {
  directory = mkdtempSync(path.join(tmpdir(), 'outbox-polling-'));
  dataSource = await createServiceDataSource({
    service: 'outbox-polling',
    database: { kind: 'sqlite', directory },
    entities: [schema],
    migrations: [],
  }).initialize();
  dataSource.subscribers.push(countDrains);
});

afterAll(async () => {
  await dataSource?.destroy();
  rmSync(directory, { recursive: true, force: true });
});

beforeEach(async () => {
  await dataSource.query('DELETE FROM polling_outbox');
  drains = 0;
  published.length = 0;
});

const relay = (maxPollIntervalMs?: number, pollIntervalMs = 50): OutboxRelay =>
  new OutboxRelay({
    dataSource,
    schema,
    batchSize: 10,
    pollIntervalMs,
    ...(maxPollIntervalMs !== undefined && { maxPollIntervalMs }),
    publish: async (records) => {
      published.push(records);
    },
  });

const enqueue = (count: number, from = 0): Promise<void> =>
  inSqlTransaction(dataSource, (sql) =>
    enqueueOutboxWith(
      sql,
      schema,
      Array.from({ length: count }, (_, i) => ({ topic: 't.v1', key: `k${from + i}`, value: { seq: from + i } })),
      new Date(),
    ),
  );

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, condition: () => boolean, timeoutMs = 5_000): Promise<number> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await sleep(5);
  }

  return Date.now() - started;
}

const publishedKeys = (): string[] => published.flat().map((record) => record.key);

describe('OutboxRelay polling', () => {
  // Both cases count polls until a number is reached and check the time it took from below: a busy
  // machine only stretches the pauses, so neither bound can fail for load alone.
  it('polls at pollIntervalMs while idle when no maximum is set', async () => {
    const sut = relay();
    sut.start();
    try {
      const tookMs = await waitFor('ten idle polls', () => drains >= 10, 5_000);

      // Nine 50 ms pauses; a doubling pause would need 25 s for the tenth poll.
      expect(tookMs).toBeGreaterThanOrEqual(9 * 50 - 10);
    } finally {
      await sut.stop();
    }
  });

  it('doubles the pause after each empty poll up to maxPollIntervalMs', async () => {
    const sut = relay(400);
    sut.start();
    try {
      const tookMs = await waitFor('six idle polls', () => drains >= 6, 5_000);

      // Pauses of 50, 100, 200, 400, 400 ms: the sixth poll comes no sooner than 1,150 ms, where a fixed
      // 50 ms pause would have made it at 250 ms.
      expect(tookMs).toBeGreaterThanOrEqual(1_150 - 10);

      // Capped, the next two pauses take 800 ms; uncapped they would take 800 + 1,600 ms. The bound
      // leaves 1,600 ms for a busy machine.
      const cappedMs = await waitFor('two more idle polls', () => drains >= 8, 5_000);
      expect(cappedMs).toBeLessThan(2_400);
    } finally {
      await sut.stop();
    }
  });

  it('publishes at once when woken, however far the idle pause has grown', async () => {
    const sut = relay(5_000);
    sut.start();
    try {
      await sleep(600);
      await enqueue(3);
      sut.wake();
      const tookMs = await waitFor('the woken publish', () => published.length > 0);

      expect(tookMs).toBeLessThan(200);
      expect(publishedKeys()).toEqual(['k0', 'k1', 'k2']);
    } finally {
      await sut.stop();
    }
  });

  it('finds rows nothing announced (another process wrote them) by the poll', async () => {
    const sut = relay(300);
    sut.start();
    try {
      await sleep(700);
      await enqueue(2);
      await waitFor('the polled publish', () => published.length > 0, 2_000);

      expect(publishedKeys()).toEqual(['k0', 'k1']);
    } finally {
      await sut.stop();
    }
  });

  it('drains a short batch once per wake, and full batches until the outbox is empty', async () => {
    // Polls a second apart at least, so that none falls inside the windows counted below.
    const sut = relay(10_000, 1_000);
    sut.start();
    try {
      await waitFor('the start drain', () => drains >= 1);
      await sleep(50);
      drains = 0;
      await enqueue(3);
      sut.wake();
      await waitFor('3 records', () => publishedKeys().length === 3);
      await sleep(150);

      expect(drains).toBe(1);

      drains = 0;
      await enqueue(25, 3);
      sut.wake();
      await waitFor('28 records', () => publishedKeys().length === 28);
      await sleep(150);

      // Batches of 10, 10 and 5: the short one ends the loop.
      expect(drains).toBe(3);
      expect(publishedKeys()).toEqual(Array.from({ length: 28 }, (_, i) => `k${i}`));
    } finally {
      await sut.stop();
    }
  });

  it('waits for the bus to have capacity before each batch, and leaves the rows in the outbox meanwhile', async () => {
    // A bus whose capacity the test opens and closes; like the real one, a wait ends when the signal aborts.
    let hasRoom = false;
    const waits: { signal: AbortSignal; ended: boolean }[] = [];
    const wakeAll: (() => void)[] = [];
    const sut = new OutboxRelay({
      dataSource,
      schema,
      batchSize: 10,
      pollIntervalMs: 50,
      awaitCapacity: (signal) => {
        const wait = { signal, ended: false };
        waits.push(wait);

        return new Promise<void>((resolve) => {
          const end = (): void => {
            wait.ended = true;
            resolve();
          };
          if (hasRoom) {
            end();
          }
          wakeAll.push(end);
          signal.addEventListener('abort', end, { once: true });
        });
      },
      publish: async (records) => {
        published.push(records);
      },
    });
    await enqueue(3);
    sut.start();
    await waitFor('the relay to ask for capacity', () => waits.length > 0);
    await sleep(150);
    expect(publishedKeys()).toEqual([]);
    expect(await sut.backlog()).toBe(3);

    hasRoom = true;
    wakeAll.splice(0).forEach((wake) => wake());
    await waitFor('3 records', () => publishedKeys().length === 3);
    expect(await sut.backlog()).toBe(0);

    // Full again: the relay's next turn waits, and stop() ends that wait.
    hasRoom = false;
    const asked = waits.length;
    sut.wake();
    await waitFor('the next wait', () => waits.length > asked);
    await sut.stop();
    expect(waits.every((wait) => wait.ended && wait.signal.aborted)).toBe(true);
  });
});
