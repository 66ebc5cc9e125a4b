import { createPool } from 'mysql2/promise';
import { metricsRegistry } from '@sms/metrics';
import { createTestDatabase, type TestDatabase } from '@sms/testing';
import { installStatementCounting } from './statement-counter';

async function counted(method: string): Promise<number> {
  const metric = (await metricsRegistry.getSingleMetric('sms_sql_statements_total')?.get())?.values ?? [];

  return metric.find((v) => v.labels['driver'] === 'mysql' && v.labels['method'] === method)?.value ?? 0;
}

describe('SQL statement counting against MariaDB', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
    await installStatementCounting();
  });

  afterAll(async () => {
    await database.drop();
  });

  it('counts each query and execute a promise pool or a prepared statement sends, once', async () => {
    const pool = createPool({ uri: database.url, connectionLimit: 2 });
    try {
      await pool.query('CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(8))');
      const before = { query: await counted('query'), execute: await counted('execute') };
      await pool.query('INSERT INTO t VALUES (1, ?), (2, ?)', ['a', 'b']);
      await pool.execute('SELECT v FROM t WHERE id = ?', [1]);
      await pool.execute('SELECT v FROM t WHERE id = ?', [2]);
      const connection = await pool.getConnection();
      try {
        await connection.query('SELECT COUNT(*) FROM t');
      } finally {
        connection.release();
      }

      const prepared = await pool.getConnection();
      try {
        const statement = await prepared.prepare('SELECT v FROM t WHERE id = ?');
        await statement.execute([1]);
        await statement.execute([2]);
        await statement.close();
      } finally {
        prepared.release();
      }

      expect(await counted('query')).toBe(before.query + 2);
      // Two through pool.execute (a prepare and an execute each, the prepare not counted) and two through
      // the prepared statement's own execute.
      expect(await counted('execute')).toBe(before.execute + 4);
    } finally {
      await pool.end();
    }
  });
});
