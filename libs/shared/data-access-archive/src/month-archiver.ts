import type { ArchivedMonth, MonthArchive, MonthlyTable } from '@sms/persistence';
import type { DataSource } from 'typeorm';
import type { ArchiveCatalog } from './archive-catalog';
import { ArchiveFileWriter, readArchiveFile } from './archive-file';
import {
  ARCHIVE_FORMAT,
  type ArchivedRow,
  type ArchiveHeader,
  encodeRow,
  fileKeyOf,
  gatewayVersion,
} from './archive-format';
import { monthBounds } from './month';
import { keyOf, MonthRows } from './month-rows';
import { readTableSchema, type TableSchema } from './table-schema';

export interface MonthArchiverOptions {
  /** Rows per keyset page, and per gzip block of the file. */
  readonly pageSize?: number;
  readonly now?: () => Date;
}

const DEFAULT_PAGE_SIZE = 1_000;

/**
 * Writes a table's month to one archive file and records it in the manifest (the MonthArchive port).
 * Archiving a month that already has a file replaces that file with the union of both: the rows in the
 * database now, and the archived rows no longer in it (so archiving again after a purge, or after rows of
 * the month were restored and some purged again, never loses what the first file held).
 */
export class MonthArchiver implements MonthArchive {
  private readonly pageSize: number;
  private readonly now: () => Date;

  constructor(
    private readonly catalog: ArchiveCatalog,
    options: MonthArchiverOptions = {},
  ) {
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    this.now = options.now ?? (() => new Date());
  }

  async archiveMonth(dataSource: DataSource, table: MonthlyTable, month: string): Promise<ArchivedMonth> {
    monthBounds(month);
    const schema = await readTableSchema(dataSource, table.table);
    const hot = new MonthRows(dataSource, schema, table.createdColumn, month);
    const header: ArchiveHeader = {
      format: ARCHIVE_FORMAT,
      table: table.table,
      month,
      createdColumn: table.createdColumn,
      columns: schema.columns,
      primaryKey: schema.primaryKey,
      createdAt: this.now().toISOString(),
      gatewayVersion: gatewayVersion(),
    };
    const file = fileKeyOf(table.table, month);
    const writer = await ArchiveFileWriter.create(this.catalog.store.scratchDirectory, header);
    try {
      await this.carryOver(schema, hot, file, writer);
      for await (const page of hot.pages(this.pageSize)) {
        await writer.writeBlock(page.map((row) => encodeRow(schema.columns, row)));
      }
      const written = await writer.finish();
      await this.catalog.commit(
        {
          ...header,
          file,
          rows: written.rows,
          bytes: written.bytes,
          sha256: written.sha256,
          headerLength: written.headerLength,
          blocks: written.blocks,
        },
        written.path,
      );

      return { table: table.table, month, rows: written.rows, location: this.catalog.store.locationOf(file) };
    } catch (error) {
      await writer.discard();
      throw error;
    }
  }

  /** Copies the rows of an earlier file for this month that the database no longer holds. */
  private async carryOver(schema: TableSchema, hot: MonthRows, file: string, writer: ArchiveFileWriter): Promise<void> {
    const existing = await this.catalog.entry(schema.table, hot.month);
    if (!existing) {
      return;
    }
    const source = await this.catalog.store.openRead(file);
    let page: ArchivedRow[] = [];
    const flush = async (): Promise<void> => {
      const present = await hot.existingKeys(page);
      await writer.writeBlock(page.filter((row) => !present.has(keyOf(schema, row))));
      page = [];
    };
    for await (const item of readArchiveFile(source, file)) {
      if ('row' in item) {
        page.push(item.row);
        if (page.length >= this.pageSize) {
          await flush();
        }
      }
    }
    await flush();
  }
}
