import type { DataSource } from 'typeorm';
import { isMysql } from './data-source.factory';

/**
 * A parameter for a hand-written query, in the form the entity columns use: mysql2 binds a Date
 * itself (as UTC, the pool's timezone), SQLite has no DATETIME type and TypeORM stores a UTC string;
 * booleans become 0/1.
 */
export function dbValue(dataSource: DataSource, value: unknown): unknown {
  if (typeof value === 'boolean') {
    // better-sqlite3 binds no booleans; MySQL's tinyint(1) takes 0/1 as well.
    return value ? 1 : 0;
  }
  if (!(value instanceof Date) || isMysql(dataSource)) {
    return value;
  }
  const stored: unknown = dataSource.driver.preparePersistentValue(value, { type: 'datetime' } as never);

  return stored;
}
