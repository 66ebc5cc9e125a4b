import type { DataSource } from 'typeorm';

/**
 * Ports shared by the partition maintenance, the archive and the erasure work (issue #22).
 * A month is a UTC calendar month written 'YYYY-MM'; a table's month is decided by its creation column.
 */

/** A table that grows with traffic and is kept by month. */
export interface MonthlyTable {
  readonly table: string;
  /** The column holding the row's creation time (UTC). */
  readonly createdColumn: string;
}

export interface ArchivedMonth {
  readonly table: string;
  readonly month: string;
  readonly rows: number;
  /** Where the archive file is: a path or an s3:// URL. */
  readonly location: string;
}

export const MONTH_ARCHIVE = Symbol('MONTH_ARCHIVE');

/** Where a month of a table's rows goes before that month leaves the hot database. */
export interface MonthArchive {
  /**
   * Copies every row of `table` created in `month` to the archive and resolves once the file and its
   * manifest entry are durable. Idempotent: archiving a month again replaces the same file.
   */
  archiveMonth(dataSource: DataSource, table: MonthlyTable, month: string): Promise<ArchivedMonth>;
}

export const ARCHIVE_ERASER = Symbol('ARCHIVE_ERASER');

/** Removes one person's data from archived months (issue #22 erasure). */
export interface ArchiveEraser {
  /**
   * Rewrites every archive file holding `number` (E.164) so that no row keeps it or the bodies of messages
   * to or from it readable, updating checksums and the manifest. Returns the files it rewrote.
   */
  eraseNumber(number: string): Promise<{ readonly filesRewritten: string[]; readonly rowsErased: number }>;
}
