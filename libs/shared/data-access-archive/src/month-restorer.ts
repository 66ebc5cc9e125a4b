import { affectedRows, inTransaction, isMysql } from '@sms/persistence';
import type { DataSource } from 'typeorm';
import type { ArchiveCatalog } from './archive-catalog';
import { readArchiveFile } from './archive-file';
import { type ArchivedRow, decodeValue } from './archive-format';
import { monthBounds } from './month';
import { type ArchiveColumn, quoteIdentifier, readTableSchema } from './table-schema';

export interface RestoreReport {
  readonly table: string;
  readonly month: string;
  /** Rows in the archive file. */
  readonly read: number;
  /** Rows inserted; the rest were in the database already. */
  readonly inserted: number;
  /** Archived columns the table no longer has (their values were not restored). */
  readonly droppedColumns: readonly string[];
}

export class ArchiveNotFoundError extends Error {}

const BATCH_ROWS = 200;

/**
 * Puts an archived month back into the hot database. Idempotent: a row whose key is already there is left
 * as it is (INSERT IGNORE on MySQL, INSERT OR IGNORE on SQLite), so a restore can be re-run after a failure.
 */
export class MonthRestorer {
  constructor(private readonly catalog: ArchiveCatalog) {}

  async restoreMonth(dataSource: DataSource, table: string, month: string): Promise<RestoreReport> {
    monthBounds(month);
    const entry = await this.catalog.entry(table, month);
    if (!entry) {
      throw new ArchiveNotFoundError(`no archive of ${table} for ${month} in ${this.catalog.store.root}`);
    }
    const target = await readTableSchema(dataSource, table);
    const targetNames = new Set(target.columns.map((column) => column.name));
    const columns = entry.columns.filter((column) => targetNames.has(column.name));
    const droppedColumns = entry.columns.filter((column) => !targetNames.has(column.name)).map((column) => column.name);
    let read = 0;
    let inserted = 0;
    let batch: ArchivedRow[] = [];
    const flush = async (): Promise<void> => {
      if (batch.length > 0) {
        inserted += await this.insert(dataSource, table, columns, batch);
        batch = [];
      }
    };
    const source = await this.catalog.store.openRead(entry.file);
    for await (const item of readArchiveFile(source, entry.file)) {
      if ('row' in item) {
        read += 1;
        batch.push(item.row);
        if (batch.length >= BATCH_ROWS) {
          await flush();
        }
      }
    }
    await flush();

    return { table, month, read, inserted, droppedColumns };
  }

  private async insert(
    dataSource: DataSource,
    table: string,
    columns: readonly ArchiveColumn[],
    rows: readonly ArchivedRow[],
  ): Promise<number> {
    const verb = isMysql(dataSource) ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    const sql =
      `${verb} INTO ${quoteIdentifier(table)} (${columns.map((column) => quoteIdentifier(column.name)).join(', ')})` +
      ` VALUES ${rows.map(() => tuple).join(', ')}`;
    const parameters = rows.flatMap((row) =>
      columns.map((column) => decodeValue(dataSource, column, row[column.name])),
    );

    return inTransaction(dataSource, (manager) => affectedRows(manager, sql, parameters));
  }
}
