import Database from 'better-sqlite3';
import mysql from 'mysql2';
import { metricsRegistry } from '@sms/metrics';
import { installStatementCounting, sqlStatementCounter } from './statement-counter';

async function counted(driver: string, method: string): Promise<number> {
  const metric = (await metricsRegistry.getSingleMetric('sms_sql_statements_total')?.get())?.values ?? [];

  return metric.find((v) => v.labels['driver'] === driver && v.labels['method'] === method)?.value ?? 0;
}

describe('SQL statement counting', () => {
  it('is off unless installed', () => {
    expect(sqlStatementCounter()).toBeUndefined();
    expect(metricsRegistry.getSingleMetric('sms_sql_statements_total')).toBeUndefined();
  });

  it('counts every better-sqlite3 statement call and exec once, however often it is installed', async () => {
    await installStatementCounting();
    await installStatementCounting();
    const db = new Database(':memory:');
    try {
      const before = {
        exec: await counted('sqlite', 'exec'),
        run: await counted('sqlite', 'run'),
        get: await counted('sqlite', 'get'),
        all: await counted('sqlite', 'all'),
        iterate: await counted('sqlite', 'iterate'),
      };
      db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
      const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
      insert.run('a');
      insert.run('b');
      expect(db.prepare('SELECT v FROM t WHERE id = ?').get(1)).toEqual({ v: 'a' });
      expect(db.prepare('SELECT v FROM t ORDER BY id').all()).toEqual([{ v: 'a' }, { v: 'b' }]);
      expect([...db.prepare('SELECT v FROM t').iterate()]).toHaveLength(2);

      expect(await counted('sqlite', 'exec')).toBe(before.exec + 1);
      expect(await counted('sqlite', 'run')).toBe(before.run + 2);
      expect(await counted('sqlite', 'get')).toBe(before.get + 1);
      expect(await counted('sqlite', 'all')).toBe(before.all + 1);
      expect(await counted('sqlite', 'iterate')).toBe(before.iterate + 1);
    } finally {
      db.close();
    }
  });

  it("wraps the mysql2 connection's command queue, inherited by pool connections", async () => {
    await installStatementCounting();
    const proto = mysql.Connection.prototype as unknown as Record<string, { countedStatements?: true }>;
    expect(proto['addCommand']?.countedStatements).toBe(true);
    const pooled = mysql.PoolConnection.prototype as unknown as Record<string, unknown>;
    expect(pooled['addCommand']).toBe(proto['addCommand']);
  });
});
