/** Where the integration layer's MariaDB is. No `@sms/*` imports: Jest's globalSetup has no moduleNameMapper. */

/** The server the integration layer uses (scripts/test.sh sets it; this default matches it). */
export const mysqlUrl = (): string => process.env['MYSQL_URL'] ?? 'mysql://root@127.0.0.1:3306/sms_test';

/** Prefix of every database the specs create; the global setup drops stale ones by it. */
export const TEST_DATABASE_PREFIX = 'sms_it_';

/** `url` with its database path replaced (or removed when `database` is empty). */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = database === '' ? '/' : `/${database}`;

  return parsed.toString();
}
