/**
 * A throw-away MariaDB/MySQL database for one integration spec file: created empty, migrated with the
 * real migrations (scripts/migrate.ts) and dropped in afterAll, so spec files never share state and can
 * run in parallel Jest workers.
 */
import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import { migrate } from '../../scripts/migrate';
import { mysqlUrl, TEST_DATABASE_PREFIX, withDatabase } from './mysql-url';

export interface TestDatabase {
  readonly name: string;
  /** MYSQL_URL pointing at this database. */
  readonly url: string;
  /** Runs SQL on a short-lived connection to this database. */
  query<T = unknown>(sql: string, params?: unknown[]): Promise<T>;
  drop(): Promise<void>;
}

/**
 * Creates `sms_it_<random>` and migrates the given slices into it (all of them by default; pass `[]`
 * for an empty database).
 */
export async function createTestDatabase(slices?: string[]): Promise<TestDatabase> {
  const name = `${TEST_DATABASE_PREFIX}${randomBytes(6).toString('hex')}`;
  const serverUrl = withDatabase(mysqlUrl(), '');
  const url = withDatabase(mysqlUrl(), name);
  await runOnce(serverUrl, `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  if (slices === undefined || slices.length > 0) {
    await migrate(url, slices);
  }

  return {
    name,
    url,
    query: <T>(sql: string, params: unknown[] = []) => runOnce(url, sql, params) as Promise<T>,
    drop: async () => {
      await runOnce(serverUrl, `DROP DATABASE IF EXISTS \`${name}\``);
    },
  };
}

async function runOnce(url: string, sql: string, params: unknown[] = []): Promise<unknown> {
  const connection = await createConnection({ uri: url, timezone: 'Z', dateStrings: false });
  try {
    const [rows] = await connection.query(sql, params);

    return rows;
  } finally {
    await connection.end();
  }
}
