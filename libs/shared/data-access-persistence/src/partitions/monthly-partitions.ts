import type { MonthlyTable } from '../retention/archive.ports';
import {
  addMonths,
  monthEnd,
  monthOf,
  monthOfPartition,
  monthsBetween,
  partitionNameOf,
  sqlDateTime,
} from './calendar-month';

/**
 * The catch-all above the last month: `VALUES LESS THAN (MAXVALUE)`, so an insert never fails for want of a
 * partition, whatever the maintenance job did or did not do. The job splits the next months out of it while
 * it is still empty, which costs no copy.
 */
export const FUTURE_PARTITION = 'p_future';

/** Runs one statement (a QueryRunner, an EntityManager or a DataSource all fit). */
export interface SqlQuery {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

export interface PartitionLayout {
  /** False for a table that is not (yet) partitioned: its migration has not run. */
  readonly partitioned: boolean;
  /** The months that have a `pYYYYMM` partition, oldest first. */
  readonly months: readonly string[];
  readonly hasFuture: boolean;
}

/** The partitions `table` has in the current database, read from information_schema. */
export async function readPartitionLayout(sql: SqlQuery, table: string): Promise<PartitionLayout> {
  const rows = (await sql.query(
    `SELECT PARTITION_NAME AS name FROM information_schema.PARTITIONS
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY PARTITION_ORDINAL_POSITION`,
    [table],
  )) as { name: string | null }[];
  const names = rows.map((row) => row.name).filter((name): name is string => name !== null);

  return {
    partitioned: names.length > 0,
    months: names.map(monthOfPartition).filter((month): month is string => month !== null),
    hasFuture: names.includes(FUTURE_PARTITION),
  };
}

/** `PARTITION pYYYYMM VALUES LESS THAN ('…'), …, PARTITION p_future VALUES LESS THAN (MAXVALUE)`. */
export function partitionDefinitions(months: readonly string[], withFuture = true): string {
  const definitions = months.map(
    (month) => `PARTITION ${partitionNameOf(month)} VALUES LESS THAN ('${sqlDateTime(monthEnd(month))}')`,
  );
  if (withFuture) {
    definitions.push(`PARTITION ${FUTURE_PARTITION} VALUES LESS THAN (MAXVALUE)`);
  }

  return definitions.join(', ');
}

/** Adds `months` (all after the table's last month partition) ahead of the catch-all. */
export function addPartitionsSql(table: string, months: readonly string[], layout: PartitionLayout): string {
  return layout.hasFuture
    ? `ALTER TABLE ${table} REORGANIZE PARTITION ${FUTURE_PARTITION} INTO (${partitionDefinitions(months)})`
    : `ALTER TABLE ${table} ADD PARTITION (${partitionDefinitions(months, false)})`;
}

export const dropPartitionSql = (table: string, month: string): string =>
  `ALTER TABLE ${table} DROP PARTITION ${partitionNameOf(month)}`;

export interface ConvertOptions {
  /** Key changes made in the same ALTER (the primary and unique keys must include the creation column). */
  readonly keyChanges: readonly string[];
  /** Months after the current one to create; the catch-all takes anything later. */
  readonly monthsAhead: number;
  readonly now?: Date;
}

/**
 * Converts an unpartitioned table to monthly RANGE COLUMNS partitions, one month per partition from its
 * oldest row's month (the current month when empty) to `monthsAhead` months ahead, plus the catch-all. One
 * ALTER, so the table is copied once (the operator's part for a big table: docs/data-lifecycle.md). Does
 * nothing and answers false when the table is partitioned already, so a migration may run it again.
 */
export async function convertToMonthlyPartitions(
  sql: SqlQuery,
  table: MonthlyTable,
  options: ConvertOptions,
): Promise<boolean> {
  if ((await readPartitionLayout(sql, table.table)).partitioned) {
    return false;
  }
  const current = monthOf(options.now ?? new Date());
  const [oldest] = (await sql.query(`SELECT MIN(${table.createdColumn}) AS at FROM ${table.table}`)) as {
    at: Date | string | null;
  }[];
  const oldestMonth = oldest?.at ? monthOf(new Date(oldest.at)) : current;
  const months = monthsBetween(oldestMonth < current ? oldestMonth : current, addMonths(current, options.monthsAhead));
  const changes = options.keyChanges.length > 0 ? `${options.keyChanges.join(', ')} ` : '';
  await sql.query(
    `ALTER TABLE ${table.table} ${changes}PARTITION BY RANGE COLUMNS(${table.createdColumn}) (${partitionDefinitions(months)})`,
  );

  return true;
}

/** Undoes convertToMonthlyPartitions: one partition again, then the keys as they were (`keyChanges`). */
export async function removeMonthlyPartitions(
  sql: SqlQuery,
  table: string,
  keyChanges: readonly string[],
): Promise<void> {
  if ((await readPartitionLayout(sql, table)).partitioned) {
    await sql.query(`ALTER TABLE ${table} REMOVE PARTITIONING`);
  }
  if (keyChanges.length > 0) {
    await sql.query(`ALTER TABLE ${table} ${keyChanges.join(', ')}`);
  }
}
