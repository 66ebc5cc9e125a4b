import type { DataSource } from 'typeorm';
import { isMysql } from './data-source.factory';

/**
 * A parameter for a hand-written query, in the form the entity columns use: mysql2 binds a Date
 * itself (as UTC, the pool's timezone), SQLite has no DATETIME type and TypeORM stores a UTC string.
 */
export function dbValue(dataSource: DataSource, value: unknown): unknown {
  if (!(value instanceof Date) || isMysql(dataSource)) {
    return value;
  }
  const stored: unknown = dataSource.driver.preparePersistentValue(value, { type: 'datetime' } as never);

  return stored;
}
