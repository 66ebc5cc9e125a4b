/**
 * The outbox relay's drain on the embedded mode's SQLite (a file of this spec's own): one statement takes
 * a batch (DELETE … RETURNING inside the drain's transaction), the records go out in the order they were
 * written, and a failed publish rolls the delete back so the rows are published by the next drain.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BeforeQueryEvent, DataSource, EntitySubscriberInterface } from 'typeorm';
import { createServiceDataSource } from './data-source.factory';
import { createOutboxSchema, enqueueOutboxWith, type OutboxRecord, OutboxRelay } from './outbox';
import { inSqlTransaction } from './sql-runner';

const schema = createOutboxSchema('drain_outbox');

let directory: string;
let dataSource: DataSource;
const statements: string[] = [];

const recordStatements: EntitySubscriberInterface = {
  beforeQuery: (event: BeforeQueryEvent<unknown>) => {
    statements.push(event.query);
  },
};

beforeAll(async () => {
  directory = mkdtempSync(path.join(tmpdir(), 'outbox-drain-'));
  dataSource = await createServiceDataSource({
    service: 'outbox-drain',
    database: { kind: 'sqlite', directory },
    entities: [schema],
    migrations: [],
  }).initialize();
  dataSource.subscribers.push(recordStatements);
});

afterAll(async () => {
  await dataSource?.destroy();
  rmSync(directory, { recursive: true, force: true });
});

beforeEach(async () => {
  await dataSource.query('DELETE FROM drain_outbox');
  statements.length = 0;
});

/** Writes `count` records in transactions of 7, so the ids span several commits. */
async function enqueue(count: number): Promise<void> {
  for (let from = 0; from < count; from += 7) {
    const keys = Array.from({ length: Math.min(7, count - from) }, (_, i) => from + i);
    await inSqlTransaction(dataSource, (sql) =>
      enqueueOutboxWith(
        sql,
        schema,
        keys.map((seq) => ({ topic: 't.v1', key: `k${seq}`, value: { seq }, headers: { h: `${seq}` } })),
        new Date(),
      ),
    );
  }
}

const relay = (publish: (records: OutboxRecord[]) => Promise<void>): OutboxRelay =>
  new OutboxRelay({ dataSource, schema, batchSize: 10, publish });

const remaining = async (): Promise<number> =>
  Number((await dataSource.query<{ n: number }[]>('SELECT COUNT(*) AS n FROM drain_outbox'))[0]?.n);

describe('OutboxRelay drain on SQLite', () => {
  it('takes a batch in one statement and publishes it in the order it was written', async () => {
    await enqueue(25);
    const published: OutboxRecord[] = [];
    const sut = relay(async (records) => {
      published.push(...records);
    });
    statements.length = 0;

    expect(await sut.drainOnce()).toBe(10);
    expect(statements.filter((sql) => sql.includes('drain_outbox'))).toHaveLength(1);
    expect(await sut.drainOnce()).toBe(10);
    expect(await sut.drainOnce()).toBe(5);
    expect(await sut.drainOnce()).toBe(0);

    expect(published.map((record) => record.key)).toEqual(Array.from({ length: 25 }, (_, i) => `k${i}`));
    expect(published[3]).toEqual({ topic: 't.v1', key: 'k3', value: { seq: 3 }, headers: { h: '3' } });
    expect(await remaining()).toBe(0);
  });

  it('keeps the batch in the outbox when its publish fails, and publishes it with the next drain', async () => {
    await enqueue(4);
    const published: string[] = [];
    let fail = true;
    const sut = relay(async (records) => {
      if (fail) {
        throw new Error('bus down');
      }
      published.push(...records.map((record) => record.key));
    });

    await expect(sut.drainOnce()).rejects.toThrow('bus down');
    expect(await remaining()).toBe(4);

    fail = false;
    expect(await sut.drainOnce()).toBe(4);
    expect(published).toEqual(['k0', 'k1', 'k2', 'k3']);
    expect(await remaining()).toBe(0);
  });
});
