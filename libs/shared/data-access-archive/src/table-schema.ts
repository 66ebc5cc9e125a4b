import { isMysql } from '@sms/persistence';
import type { DataSource } from 'typeorm';

/** How a column's values are written to and read back from an archive file. */
export type ArchiveColumnKind = 'datetime' | 'integer' | 'number' | 'boolean' | 'text';

export interface ArchiveColumn {
  readonly name: string;
  /** The database's own declared type (e.g. `varchar(36)`, `datetime(3)`), kept for the reader. */
  readonly type: string;
  readonly kind: ArchiveColumnKind;
}

export interface TableSchema {
  readonly table: string;
  readonly columns: readonly ArchiveColumn[];
  /** The primary key's columns in key order: archive pages are read in this order (keyset). */
  readonly primaryKey: readonly string[];
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export class UnknownTableError extends Error {}

/** A table or column name safe to put in SQL (names come from code and operators, never from callers). */
export function quoteIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) {
    throw new UnknownTableError(`not a plain SQL identifier: ${JSON.stringify(name)}`);
  }

  return `\`${name}\``;
}

export function columnKindOf(declared: string): ArchiveColumnKind {
  const type = declared.toLowerCase();
  if (type.startsWith('datetime') || type.startsWith('timestamp')) {
    return 'datetime';
  }
  if (type.startsWith('tinyint(1)') || type === 'boolean') {
    return 'boolean';
  }
  if (/^(tiny|small|medium|big)?int(eger)?\b/.test(type)) {
    return 'integer';
  }
  if (/^(decimal|numeric|float|double|real)/.test(type)) {
    return 'number';
  }

  return 'text';
}

/** Reads a table's columns and primary key from the database itself (MySQL/MariaDB or SQLite). */
export async function readTableSchema(dataSource: DataSource, table: string): Promise<TableSchema> {
  quoteIdentifier(table);
  if (isMysql(dataSource)) {
    const rows: { name: string; type: string; pk: string }[] = await dataSource.query(
      `SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, COLUMN_KEY AS pk FROM information_schema.COLUMNS
        WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
      [table],
    );
    if (rows.length === 0) {
      throw new UnknownTableError(`no table ${table} in this database`);
    }
    const keys: { name: string }[] = await dataSource.query(
      `SELECT COLUMN_NAME AS name FROM information_schema.KEY_COLUMN_USAGE
        WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION`,
      [table],
    );

    return {
      table,
      columns: rows.map((row) => ({ name: row.name, type: row.type, kind: columnKindOf(row.type) })),
      primaryKey: keys.map((key) => key.name),
    };
  }
  const rows: { name: string; type: string; pk: number }[] = await dataSource.query(
    `SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid`,
    [table],
  );
  if (rows.length === 0) {
    throw new UnknownTableError(`no table ${table} in this database`);
  }

  return {
    table,
    columns: rows.map((row) => ({ name: row.name, type: row.type, kind: columnKindOf(row.type) })),
    primaryKey: rows
      .filter((row) => row.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((row) => row.name),
  };
}
