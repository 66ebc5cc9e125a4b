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

  it('counts each query and prepared execute a promise pool sends, once', async () => {
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

      expect(await counted('query')).toBe(before.query + 2);
      expect(await counted('execute')).toBe(before.execute + 2);
    } finally {
      await pool.end();
    }
  });
});
