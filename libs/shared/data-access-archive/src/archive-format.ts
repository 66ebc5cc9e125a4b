import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { dbValue } from '@sms/persistence';
import type { DataSource } from 'typeorm';
import type { ArchiveColumn, ArchiveColumnKind } from './table-schema';

/** Names the layout of the files below; a reader refuses a format it does not know. */
export const ARCHIVE_FORMAT = 'sms-gateway-archive/1';

/**
 * The first line of every archive file (and the schema part of its manifest entry): the file can be read
 * without the gateway's code or its database.
 */
export interface ArchiveHeader {
  readonly format: typeof ARCHIVE_FORMAT;
  readonly table: string;
  readonly month: string;
  readonly createdColumn: string;
  readonly columns: readonly ArchiveColumn[];
  readonly primaryKey: readonly string[];
  /** When the file was written (ISO 8601, UTC). */
  readonly createdAt: string;
  readonly gatewayVersion: string;
}

/** One gzip member of a file: a keyset page of rows, readable alone (random access for lookups). */
export interface ArchiveBlock {
  readonly offset: number;
  readonly length: number;
  readonly rows: number;
  /** Smallest and largest `id` in the block when the table has a text `id` column (lookups by id). */
  readonly minId?: string;
  readonly maxId?: string;
}

/** The manifest entry of one file, stored beside it as `<file>.json`: the source of truth for that file. */
export interface ArchiveEntry extends ArchiveHeader {
  /** The file's key under the archive root (`<table>/<table>-<month>.ndjson.gz`). */
  readonly file: string;
  readonly rows: number;
  readonly bytes: number;
  readonly sha256: string;
  /** The header's gzip member, then one per block. */
  readonly headerLength: number;
  readonly blocks: readonly ArchiveBlock[];
  /** Set once the file was rewritten by an erasure. */
  readonly rewrittenAt?: string;
}

/** The root manifest: every file with its rows, bytes and SHA-256, rebuilt from the entries. */
export interface ArchiveManifest {
  readonly format: typeof ARCHIVE_FORMAT;
  readonly updatedAt: string;
  readonly files: readonly Pick<ArchiveEntry, 'table' | 'month' | 'file' | 'rows' | 'bytes' | 'sha256' | 'createdAt'>[];
}

export const MANIFEST_KEY = 'manifest.json';

export const fileKeyOf = (table: string, month: string): string => `${table}/${table}-${month}.ndjson.gz`;
export const entryKeyOf = (fileKey: string): string => `${fileKey}.json`;
export const isEntryKey = (key: string): boolean => key.endsWith('.ndjson.gz.json');

/** The last line of every file: a reader that finds it knows the file is whole. */
export interface ArchiveTrailer {
  readonly $end: { readonly rows: number };
}

export type ArchivedRow = Record<string, unknown>;

const SQLITE_DATETIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/;

function encodeDatetime(value: unknown): unknown {
  if (value instanceof Date) {
    return value.toISOString();
  }
  // TypeORM keeps SQLite datetimes as UTC text without a zone; its usual millisecond form is rewritten as
  // text (parsing a Date per value was most of the encoding's CPU), any other through a Date.
  if (typeof value === 'string' && value.length === 23 && SQLITE_DATETIME.test(value)) {
    return `${value.slice(0, 10)}T${value.slice(11)}Z`;
  }
  if (typeof value === 'string' && SQLITE_DATETIME.test(value)) {
    return new Date(`${value.replace(' ', 'T')}Z`).toISOString();
  }

  return value;
}

function encodeValue(kind: ArchiveColumnKind, value: unknown): unknown {
  if (value === null || value === undefined) {
    return null;
  }
  if (Buffer.isBuffer(value)) {
    return value.toString('utf8');
  }
  switch (kind) {
    case 'datetime':
      return encodeDatetime(value);
    case 'boolean':
      return Boolean(Number(value));
    case 'integer':
    case 'number':
    case 'text':
      return value;
  }
}

/** A database row as the archive keeps it: datetimes as ISO 8601 UTC, booleans as booleans. */
export function encodeRow(columns: readonly ArchiveColumn[], row: Record<string, unknown>): ArchivedRow {
  const encoded: ArchivedRow = {};
  for (const column of columns) {
    encoded[column.name] = encodeValue(column.kind, row[column.name]);
  }

  return encoded;
}

/** An archived value in the form `dataSource`'s column stores (the reverse of {@link encodeRow}). */
export function decodeValue(dataSource: DataSource, column: ArchiveColumn, value: unknown): unknown {
  if (value === null || value === undefined) {
    return null;
  }
  if (column.kind === 'datetime' && typeof value === 'string') {
    return dbValue(dataSource, new Date(value));
  }

  return dbValue(dataSource, value);
}

let cachedVersion: string | undefined;

/** The gateway's version (package.json), written into every file. */
export function gatewayVersion(): string {
  if (cachedVersion === undefined) {
    cachedVersion = 'unknown';
    for (let dir = __dirname; ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, 'package.json');
      if (existsSync(candidate)) {
        const manifest = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
        if (manifest.name === 'sms-gateway' && manifest.version) {
          cachedVersion = manifest.version;
          break;
        }
      }
      if (path.dirname(dir) === dir) {
        break;
      }
    }
  }

  return cachedVersion;
}
