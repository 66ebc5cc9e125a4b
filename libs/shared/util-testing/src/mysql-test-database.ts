/**
 * A throw-away MariaDB/MySQL database for one integration spec file, on the server of MYSQL_URL: created
 * empty (run the real migrations into it with scripts/migrate.ts) and dropped in afterAll, so spec files
 * share no state and can run in parallel Jest workers. No `@sms/*` imports: the integration globalSetup,
 * which Jest runs without moduleNameMapper, reads the same constants.
 */
import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';

/** The server the integration layer uses (scripts/test.sh sets it; this default matches it). */
export const mysqlUrl = (): string => process.env['MYSQL_URL'] ?? 'mysql://root@127.0.0.1:3306/sms_test';

/** Prefix of every database this helper creates; the integration globalSetup drops stale ones by it. */
export const TEST_DATABASE_PREFIX = 'sms_it_';

export interface TestDatabase {
  readonly name: string;
  /** MYSQL_URL pointing at this database. */
  readonly url: string;
  /** Runs SQL on a short-lived connection to this database. */
  query<T = unknown>(sql: string, params?: unknown[]): Promise<T>;
  drop(): Promise<void>;
}

/** `url` with its database path replaced (or removed when `database` is empty). */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = database === '' ? '/' : `/${database}`;

  return parsed.toString();
}

/** Creates an empty `sms_it_<random>` database (utf8mb4, as the migrations expect). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `${TEST_DATABASE_PREFIX}${randomBytes(6).toString('hex')}`;
  const serverUrl = withDatabase(mysqlUrl(), '');
  const url = withDatabase(mysqlUrl(), name);
  await runOnce(serverUrl, `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);

  return {
    name,
    url,
    query: async <T>(sql: string, params: unknown[] = []): Promise<T> => (await runOnce(url, sql, params)) as T,
    drop: async () => {
      await runOnce(serverUrl, `DROP DATABASE IF EXISTS \`${name}\``);
    },
  };
}

async function runOnce(url: string, sql: string, params: unknown[] = []): Promise<unknown> {
  const connection = await createConnection({ uri: url, timezone: 'Z' });
  try {
    const [rows] = await connection.query(sql, params);

    return rows;
  } finally {
    await connection.end();
  }
}
