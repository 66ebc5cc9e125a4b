import { affectedRows, dbValue, inTransaction, isMysql, type MonthlyTable } from '@sms/persistence';
import type { DataSource } from 'typeorm';
import { type ArchivedRow, decodeValue, encodeRow } from './archive-format';
import { monthBounds } from './month';
import { quoteIdentifier, readTableSchema, type TableSchema } from './table-schema';

/**
 * The rows of one table and month in the hot database, read in primary-key order a page at a time
 * (keyset pagination: each page starts after the previous page's last key, so no page costs more than
 * its own rows and a month of millions never sits in memory).
 */
export class MonthRows {
  private readonly table: string;
  private readonly created: string;
  private readonly key: readonly string[];
  private readonly start: unknown;
  private readonly end: unknown;

  constructor(
    private readonly dataSource: DataSource,
    private readonly schema: TableSchema,
    createdColumn: string,
    readonly month: string,
  ) {
    if (!schema.columns.some((column) => column.name === createdColumn)) {
      throw new Error(`${schema.table} has no column ${createdColumn}`);
    }
    if (schema.primaryKey.length === 0) {
      throw new Error(`${schema.table} has no primary key to page by`);
    }
    this.table = quoteIdentifier(schema.table);
    this.created = quoteIdentifier(createdColumn);
    this.key = schema.primaryKey.map(quoteIdentifier);
    const bounds = monthBounds(month);
    this.start = dbValue(dataSource, bounds.start);
    this.end = dbValue(dataSource, bounds.end);
  }

  /** Every page of the month, in key order. */
  async *pages(pageSize: number): AsyncGenerator<Record<string, unknown>[]> {
    let after: unknown[] | null = null;
    for (;;) {
      const keyset = after === null ? '' : ` AND (${this.key.join(', ')}) > (${this.key.map(() => '?').join(', ')})`;
      const sql =
        `SELECT * FROM ${this.table} WHERE ${this.created} >= ? AND ${this.created} < ?${keyset}` +
        ` ORDER BY ${this.key.join(', ')} LIMIT ${pageSize}`;
      const parameters = [this.start, this.end, ...(after ?? [])];
      // On SQLite a read outside the lane would see another caller's open transaction.
      const rows: Record<string, unknown>[] = await inTransaction(this.dataSource, (manager) =>
        manager.query(sql, parameters),
      );
      if (rows.length === 0) {
        return;
      }
      yield rows;
      if (rows.length < pageSize) {
        return;
      }
      const last = rows[rows.length - 1]!;
      after = this.schema.primaryKey.map((column) => last[column]);
    }
  }

  /** Which of these archived rows are in the table now, as {@link keyOf} their key. */
  async existingKeys(rows: readonly ArchivedRow[]): Promise<Set<string>> {
    if (rows.length === 0) {
      return new Set();
    }
    const keyColumns = this.schema.primaryKey.map((name) =>
      this.schema.columns.find((column) => column.name === name)!,
    );
    const keys = rows.map((row) => keyColumns.map((column) => decodeValue(this.dataSource, column, row[column.name])));
    const tuple = `(${this.key.map(() => '?').join(', ')})`;
    const sql =
      `SELECT ${this.key.join(', ')} FROM ${this.table}` +
      ` WHERE (${this.key.join(', ')}) IN (${keys.map(() => tuple).join(', ')})`;
    const found: Record<string, unknown>[] = await inTransaction(this.dataSource, (manager) =>
      manager.query(sql, keys.flat()),
    );

    return new Set(found.map((row) => keyOf(this.schema, encodeRow(this.schema.columns, row))));
  }

  /** Deletes the month's rows, at most `batchSize` per transaction; returns how many went. */
  async deleteAll(batchSize: number): Promise<number> {
    const inMonth = `${this.created} >= ? AND ${this.created} < ?`;
    const sql = isMysql(this.dataSource)
      ? `DELETE FROM ${this.table} WHERE ${inMonth} LIMIT ${batchSize}`
      : `DELETE FROM ${this.table} WHERE rowid IN (SELECT rowid FROM ${this.table} WHERE ${inMonth} LIMIT ${batchSize})`;
    let deleted = 0;
    for (;;) {
      const batch = await inTransaction(this.dataSource, (manager) =>
        affectedRows(manager, sql, [this.start, this.end]),
      );
      deleted += batch;
      if (batch < batchSize) {
        return deleted;
      }
    }
  }

  static async forTable(dataSource: DataSource, table: MonthlyTable, month: string): Promise<MonthRows> {
    return new MonthRows(dataSource, await readTableSchema(dataSource, table.table), table.createdColumn, month);
  }

  /** The oldest creation time in the table, or null when it is empty. */
  static async oldest(dataSource: DataSource, table: string, createdColumn: string): Promise<Date | null> {
    const column = quoteIdentifier(createdColumn);
    const rows: { oldest: Date | string | null }[] = await inTransaction(dataSource, (manager) =>
      manager.query(`SELECT MIN(${column}) AS oldest FROM ${quoteIdentifier(table)}`),
    );
    const oldest = rows[0]?.oldest;
    if (oldest === null || oldest === undefined) {
      return null;
    }

    // MySQL answers a Date; SQLite the UTC text TypeORM stored.
    return oldest instanceof Date ? oldest : new Date(`${oldest.replace(' ', 'T')}Z`);
  }
}

/** An archived (encoded) row's primary key as one comparable string. */
export function keyOf(schema: TableSchema, row: ArchivedRow): string {
  return JSON.stringify(schema.primaryKey.map((column) => normaliseKeyPart(row[column])));
}

function normaliseKeyPart(value: unknown): unknown {
  // MySQL's BIGINT may come back as a string; an archived integer is a number.
  return typeof value === 'string' && /^-?\d{1,15}$/.test(value) ? Number(value) : value;
}
