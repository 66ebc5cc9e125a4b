import type { EntityManager } from 'typeorm';
import { dbValue } from './db-value';

/** Both SQLite (32,766) and MySQL (65,535) cap bound parameters per statement; stay well under. */
export const MAX_BOUND_PARAMETERS = 30_000;

/** One statement of a multi-row INSERT: its text and its bound parameters. */
export interface InsertStatement {
  readonly sql: string;
  readonly parameters: unknown[];
}

/**
 * The multi-row `INSERT … VALUES (…), (…)` statements for `rows`, chunked under the parameter limits, each
 * value passed through `toValue` (the driver's form of dates and booleans). Column names are trusted
 * identifiers from our own code; values are always bound parameters.
 */
export function* insertStatements(
  table: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
  toValue: (value: unknown) => unknown,
): Generator<InsertStatement> {
  const rowsPerStatement = Math.max(1, Math.floor(MAX_BOUND_PARAMETERS / columns.length));
  const placeholder = `(${columns.map(() => '?').join(',')})`;
  for (let start = 0; start < rows.length; start += rowsPerStatement) {
    const chunk = rows.slice(start, start + rowsPerStatement);
    const parameters: unknown[] = [];
    for (const row of chunk) {
      for (const value of row) {
        parameters.push(toValue(value));
      }
    }
    yield {
      sql: `INSERT INTO ${table} (${columns.join(',')}) VALUES ${chunk.map(() => placeholder).join(',')}`,
      parameters,
    };
  }
}

/**
 * One multi-row `INSERT … VALUES (…), (…)` (chunked under the parameter limits). Written by hand for
 * the hot paths (intake's group commit, outboxes): TypeORM's insert builder spends more CPU building
 * the statement than the database spends running it, and we never need the generated ids back.
 */
export async function insertRows(
  manager: EntityManager,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
): Promise<void> {
  const dataSource = manager.connection;
  for (const { sql, parameters } of insertStatements(table, columns, rows, (value) => dbValue(dataSource, value))) {
    await manager.query(sql, parameters);
  }
}
