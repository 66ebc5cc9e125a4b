/**
 * SqlRunner on both engines: SQLite through the driver's prepared statements (the embedded mode) and
 * MariaDB through TypeORM's manager. The same reads, writes, affected-row counts, value conversion,
 * duplicate-key errors and rollbacks on each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '@sms/testing';
import { type DataSource, EntitySchema } from 'typeorm';
import { createServiceDataSource } from './data-source.factory';
import { inSqlTransaction, sqlRunnerOf } from './sql-runner';
import { isDuplicateKeyError } from './transient-db-error';

jest.setTimeout(60_000);

interface ItemRow {
  id: string;
  n: number;
  flag: boolean;
  at: Date;
}

const ITEMS = new EntitySchema<ItemRow>({
  name: 'runner_items',
  tableName: 'runner_items',
  columns: {
    id: { type: 'varchar', length: 36, primary: true },
    n: { type: 'int' },
    flag: { type: 'boolean' },
    at: { type: 'datetime', precision: 3 },
  },
});

interface Engine {
  readonly name: string;
  open(): Promise<{ dataSource: DataSource; close: () => Promise<void> }>;
}

const ENGINES: Engine[] = [
  {
    name: 'SQLite',
    async open() {
      const directory = mkdtempSync(path.join(tmpdir(), 'sql-runner-'));
      const dataSource = await createServiceDataSource({
        service: 'sql-runner',
        database: { kind: 'sqlite', directory },
        entities: [ITEMS],
        migrations: [],
      }).initialize();

      return {
        dataSource,
        close: async () => {
          await dataSource.destroy();
          rmSync(directory, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'MariaDB',
    async open() {
      const db: TestDatabase = await createTestDatabase();
      await db.query(
        'CREATE TABLE runner_items (id varchar(36) NOT NULL PRIMARY KEY, n int NOT NULL, flag tinyint(1) NOT NULL, at datetime(3) NOT NULL)',
      );
      const dataSource = await createServiceDataSource({
        service: 'sql-runner',
        database: { kind: 'mysql', url: db.url, poolSize: 4 },
        entities: [ITEMS],
        migrations: [],
      }).initialize();

      return {
        dataSource,
        close: async () => {
          await dataSource.destroy();
          await db.drop();
        },
      };
    },
  },
];

describe.each(ENGINES)('SqlRunner on $name', (engine) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  const at = new Date('2030-01-02T03:04:05.678Z');

  beforeAll(async () => {
    ({ dataSource, close } = await engine.open());
  });

  afterAll(async () => {
    await close?.();
  });

  beforeEach(async () => {
    await dataSource.query('DELETE FROM runner_items');
  });

  it('inserts rows with converted values, reads them and counts the rows a write changed', async () => {
    const changed = await inSqlTransaction(dataSource, async (sql) => {
      expect(sql.mysql).toBe(engine.name === 'MariaDB');
      await sql.insert(
        'runner_items',
        ['id', 'n', 'flag', 'at'],
        [
          ['a', 1, true, at],
          ['b', 2, false, at],
          ['c', 3, true, at],
        ],
      );

      return sql.execute('UPDATE runner_items SET n = n + 10 WHERE flag = ?', [sql.value(true)]);
    });

    expect(changed).toBe(2);
    const rows = await inSqlTransaction(dataSource, (sql) =>
      sql.query<{ id: string; n: number | string; at: Date | string }>(
        'SELECT id, n, at FROM runner_items WHERE at = ? ORDER BY id',
        [sql.value(at)],
      ),
    );
    expect(rows.map((row) => [row.id, Number(row.n)])).toEqual([
      ['a', 11],
      ['b', 2],
      ['c', 13],
    ]);
    // The stored instant is the one written, in the form TypeORM's entities read.
    const entity = await dataSource.getRepository(ITEMS).findOneByOrFail({ id: 'a' });
    expect(entity.at.getTime()).toBe(at.getTime());
    expect(Boolean(entity.flag)).toBe(true);
  });

  it('reuses one statement for repeated text and returns no rows for a write run as a query', async () => {
    await inSqlTransaction(dataSource, async (sql) => {
      for (let i = 0; i < 50; i++) {
        await sql.insert('runner_items', ['id', 'n', 'flag', 'at'], [[`r${i}`, i, false, at]]);
      }
      expect(await sql.query('UPDATE runner_items SET n = 0 WHERE id = ?', ['r1'])).toEqual([]);
    });

    const [count] = await dataSource.query<{ n: number | string }[]>('SELECT COUNT(*) AS n FROM runner_items');
    expect(Number(count?.n)).toBe(50);
  });

  it('runs a write whose changed rows it does not report', async () => {
    await inSqlTransaction(dataSource, async (sql) => {
      await sql.insert('runner_items', ['id', 'n', 'flag', 'at'], [['w', 1, false, at]]);
      await sql.write('UPDATE runner_items SET n = ? WHERE id = ?', [5, 'w']);
    });

    const rows = await dataSource.query<{ n: number | string }[]>('SELECT n FROM runner_items WHERE id = ?', ['w']);
    expect(rows.map((row) => Number(row.n))).toEqual([5]);
  });

  it('rolls the whole transaction back on a duplicate key, with an error the callers recognise', async () => {
    await inSqlTransaction(dataSource, (sql) =>
      sql.insert('runner_items', ['id', 'n', 'flag', 'at'], [['x', 1, false, at]]),
    );

    const failing = inSqlTransaction(dataSource, async (sql) => {
      await sql.insert('runner_items', ['id', 'n', 'flag', 'at'], [['y', 2, false, at]]);
      await sql.execute('UPDATE runner_items SET n = 99 WHERE id = ?', ['x']);
      await sql.insert('runner_items', ['id', 'n', 'flag', 'at'], [['x', 3, false, at]]);
    });

    const error: unknown = await failing.catch((caught: unknown) => caught);
    expect(isDuplicateKeyError(error)).toBe(true);
    const rows = await dataSource.query<{ id: string; n: number | string }[]>(
      'SELECT id, n FROM runner_items ORDER BY id',
    );
    expect(rows.map((row) => [row.id, Number(row.n)])).toEqual([['x', 1]]);
  });

  it('runs inside the transaction TypeORM holds: a runner of its manager sees its uncommitted rows', async () => {
    await dataSource.transaction(async (manager) => {
      await manager.query('INSERT INTO runner_items (id, n, flag, at) VALUES (?, ?, ?, ?)', [
        'm',
        7,
        0,
        sqlRunnerOf(manager).value(at),
      ]);
      const rows = await sqlRunnerOf(manager).query<{ n: number | string }>('SELECT n FROM runner_items WHERE id = ?', [
        'm',
      ]);
      expect(rows.map((row) => Number(row.n))).toEqual([7]);
    });
  });

  it('lets subscribers see every statement it runs', async () => {
    const seen: string[] = [];
    const subscriber = {
      beforeQuery: (event: { query: string }) => {
        if (event.query.includes('runner_items')) {
          seen.push(event.query);
        }
      },
    };
    dataSource.subscribers.push(subscriber);
    try {
      await inSqlTransaction(dataSource, async (sql) => {
        await sql.insert('runner_items', ['id', 'n', 'flag', 'at'], [['s', 1, false, at]]);
        await sql.execute('UPDATE runner_items SET n = 2 WHERE id = ?', ['s']);
        await sql.query('SELECT n FROM runner_items WHERE id = ?', ['s']);
      });
    } finally {
      dataSource.subscribers.splice(dataSource.subscribers.indexOf(subscriber), 1);
    }

    expect(seen).toHaveLength(3);
  });
});
