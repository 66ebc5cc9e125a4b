/**
 * inPackedSqlTransaction on MariaDB: statements without an answer travel with the next one that has one, a
 * failing statement rolls the whole transaction back on its own connection (one pooled connection, so a
 * transaction left open would show in the next caller), and a DataSource without `multipleStatements` runs
 * the statements one by one.
 */
import { createTestDatabase, type TestDatabase } from '@sms/testing';
import type { DataSource } from 'typeorm';
import { createServiceDataSource } from './data-source.factory';
import { inPackedSqlTransaction, PACKED_TEXT_BUDGET, packsStatements } from './packed-transaction';
import { isDuplicateKeyError } from './transient-db-error';

jest.setTimeout(60_000);

const COLUMNS = ['id', 'n', 'note'] as const;

let db: TestDatabase;
let packed: DataSource;
let plain: DataSource;

const open = (multipleStatements: boolean): Promise<DataSource> =>
  createServiceDataSource({
    service: 'packed',
    database: { kind: 'mysql', url: db.url, poolSize: 1 },
    entities: [],
    migrations: [],
    multipleStatements,
  }).initialize();

beforeAll(async () => {
  db = await createTestDatabase();
  await db.query(
    'CREATE TABLE packed_items (id varchar(36) NOT NULL PRIMARY KEY, n int NOT NULL, note mediumtext NULL)',
  );
  packed = await open(true);
  plain = await open(false);
});

afterAll(async () => {
  await packed?.destroy();
  await plain?.destroy();
  await db?.drop();
});

beforeEach(async () => {
  await packed.query('DELETE FROM packed_items');
});

/** The queries `dataSource` sends while `work` runs. */
async function queriesOf(dataSource: DataSource, work: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const subscriber = { beforeQuery: (event: { query: string }) => void seen.push(event.query) };
  dataSource.subscribers.push(subscriber);
  try {
    await work().catch(() => undefined);
  } finally {
    dataSource.subscribers.splice(dataSource.subscribers.indexOf(subscriber), 1);
  }

  return seen;
}

const rowsOf = async (): Promise<[string, number][]> =>
  (await packed.query<{ id: string; n: number | string }[]>('SELECT id, n FROM packed_items ORDER BY id')).map(
    (row) => [row.id, Number(row.n)],
  );

describe('inPackedSqlTransaction', () => {
  it('sends held statements with the next one that answers, and what is left with COMMIT', async () => {
    expect(packsStatements(packed)).toBe(true);
    let changed = -1;
    let read: { n: number | string }[] = [];
    const queries = await queriesOf(packed, () =>
      inPackedSqlTransaction(packed, async (sql) => {
        await sql.insert('packed_items', COLUMNS, [
          ['a', 1, null],
          ['b', 2, null],
        ]);
        await sql.insert('packed_items', COLUMNS, [['c', 3, null]]);
        changed = await sql.execute('UPDATE packed_items SET n = n + 10 WHERE n >= ?', [2]);
        read = await sql.query<{ n: number | string }>('SELECT n FROM packed_items WHERE id = ?', ['c']);
        await sql.write('UPDATE packed_items SET n = n + 1 WHERE id = ?', ['a']);
        await sql.insert('packed_items', COLUMNS, [['d', 4, null]]);
      }),
    );

    expect(queries).toHaveLength(3);
    expect(queries[0]?.split(';\n')).toEqual([
      'START TRANSACTION',
      expect.stringMatching(/^INSERT INTO packed_items/),
      expect.stringMatching(/^INSERT INTO packed_items/),
      expect.stringMatching(/^UPDATE packed_items/),
    ]);
    expect(queries[1]).toMatch(/^SELECT n FROM packed_items/);
    expect(queries[2]?.split(';\n')).toEqual([
      expect.stringMatching(/^UPDATE packed_items/),
      expect.stringMatching(/^INSERT INTO packed_items/),
      'COMMIT',
    ]);
    expect(changed).toBe(2);
    expect(read.map((row) => Number(row.n))).toEqual([13]);
    expect(await rowsOf()).toEqual([
      ['a', 2],
      ['b', 12],
      ['c', 13],
      ['d', 4],
    ]);
  });

  it('sets the isolation level asked for in the first packet, before START TRANSACTION', async () => {
    const queries = await queriesOf(packed, () =>
      inPackedSqlTransaction(packed, (sql) => sql.query('SELECT id FROM packed_items'), {
        isolation: 'READ COMMITTED',
      }),
    );

    expect(queries).toEqual([
      'SET TRANSACTION ISOLATION LEVEL READ COMMITTED;\nSTART TRANSACTION;\nSELECT id FROM packed_items',
      'COMMIT',
    ]);
  });

  it('rolls everything back when a packed statement fails, and leaves no transaction open on the connection', async () => {
    await inPackedSqlTransaction(packed, (sql) => sql.insert('packed_items', COLUMNS, [['x', 1, null]]));

    const failing = inPackedSqlTransaction(packed, async (sql) => {
      await sql.insert('packed_items', COLUMNS, [['y', 2, null]]);
      await sql.execute('UPDATE packed_items SET n = 99 WHERE id = ?', ['x']);
      // Fails in the COMMIT's packet: the statements before it in this transaction are undone.
      await sql.insert('packed_items', COLUMNS, [['x', 3, null]]);
    });

    expect(isDuplicateKeyError(await failing.catch((error: unknown) => error))).toBe(true);
    expect(await rowsOf()).toEqual([['x', 1]]);
    // The pool's one connection: a transaction left open there would hold the next caller's writes.
    const [state] = await packed.query<{ open: number | string }[]>('SELECT @@in_transaction AS open');
    expect(Number(state?.open)).toBe(0);
  });

  it('writes nothing when the work throws with statements still held', async () => {
    const failing = inPackedSqlTransaction(packed, async (sql) => {
      await sql.insert('packed_items', COLUMNS, [['h', 1, null]]);
      throw new Error('changed its mind');
    });

    await expect(failing).rejects.toThrow('changed its mind');
    expect(await rowsOf()).toEqual([]);
  });

  it('sends held rows before they outgrow the packet budget', async () => {
    const note = 'n'.repeat(Math.ceil(PACKED_TEXT_BUDGET / 3));
    const queries = await queriesOf(packed, () =>
      inPackedSqlTransaction(packed, async (sql) => {
        for (const id of ['p1', 'p2', 'p3', 'p4']) {
          await sql.insert('packed_items', COLUMNS, [[id, 1, note]]);
        }
      }),
    );

    expect(queries).toHaveLength(2);
    expect(queries[0]?.split(';\n')).toHaveLength(4);
    expect(queries[1]?.split(';\n').at(-1)).toBe('COMMIT');
    expect((await rowsOf()).map(([id]) => id)).toEqual(['p1', 'p2', 'p3', 'p4']);
  });

  it('runs the statements one by one on a DataSource without multipleStatements', async () => {
    expect(packsStatements(plain)).toBe(false);
    const queries = await queriesOf(plain, () =>
      inPackedSqlTransaction(plain, async (sql) => {
        await sql.insert('packed_items', COLUMNS, [['a', 1, null]]);
        expect(await sql.execute('UPDATE packed_items SET n = 5 WHERE id = ?', ['a'])).toBe(1);
      }),
    );

    expect(queries).toEqual([
      'START TRANSACTION',
      expect.stringMatching(/^INSERT INTO packed_items/),
      expect.stringMatching(/^UPDATE packed_items/),
      'COMMIT',
    ]);
    expect(await rowsOf()).toEqual([['a', 5]]);
  });
});
