import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { createGunzip, gunzip, gzip } from 'node:zlib';
import {
  ARCHIVE_FORMAT,
  type ArchiveBlock,
  type ArchivedRow,
  type ArchiveHeader,
  type ArchiveTrailer,
} from './archive-format';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export class CorruptArchiveError extends Error {}

export interface WrittenArchiveFile {
  readonly path: string;
  readonly rows: number;
  readonly bytes: number;
  readonly sha256: string;
  readonly headerLength: number;
  readonly blocks: readonly ArchiveBlock[];
}

/**
 * Writes one archive file to local scratch space: the header line, then each page of rows as its own
 * gzip member (a concatenation of members is one valid gzip stream, and each member can be read alone),
 * then the trailer. Only one page is in memory at a time; size and SHA-256 are computed as it goes.
 */
export class ArchiveFileWriter {
  private readonly hash = createHash('sha256');
  private readonly blocks: ArchiveBlock[] = [];
  private bytes = 0;
  private rows = 0;
  private headerLength = 0;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly idColumn: string | null,
  ) {}

  static async create(scratchDirectory: string, header: ArchiveHeader): Promise<ArchiveFileWriter> {
    await mkdir(scratchDirectory, { recursive: true });
    const file = path.join(scratchDirectory, `${randomUUID()}.ndjson.gz.part`);
    const idColumn = header.columns.some((column) => column.name === 'id' && column.kind === 'text') ? 'id' : null;
    const writer = new ArchiveFileWriter(file, await open(file, 'wx'), idColumn);
    writer.headerLength = await writer.append(`${JSON.stringify(header)}\n`);

    return writer;
  }

  async writeBlock(rows: readonly ArchivedRow[]): Promise<void> {
    if (rows.length === 0) {
      return;
    }
    const offset = this.bytes;
    const length = await this.append(rows.map((row) => JSON.stringify(row)).join('\n') + '\n');
    const block: { -readonly [K in keyof ArchiveBlock]: ArchiveBlock[K] } = { offset, length, rows: rows.length };
    if (this.idColumn) {
      const ids = rows.map((row) => row[this.idColumn!]).filter((id): id is string => typeof id === 'string');
      if (ids.length > 0) {
        block.minId = ids.reduce((a, b) => (a < b ? a : b));
        block.maxId = ids.reduce((a, b) => (a > b ? a : b));
      }
    }
    this.blocks.push(block);
    this.rows += rows.length;
  }

  /** Writes the trailer, syncs and closes; the file is then ready to be put in the store. */
  async finish(): Promise<WrittenArchiveFile> {
    const trailer: ArchiveTrailer = { $end: { rows: this.rows } };
    await this.append(`${JSON.stringify(trailer)}\n`);
    await this.handle.sync();
    await this.handle.close();

    return {
      path: this.path,
      rows: this.rows,
      bytes: this.bytes,
      sha256: this.hash.digest('hex'),
      headerLength: this.headerLength,
      blocks: this.blocks,
    };
  }

  async discard(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await rm(this.path, { force: true });
  }

  private async append(text: string): Promise<number> {
    const member = await gzipAsync(Buffer.from(text, 'utf8'));
    await this.handle.write(member);
    this.hash.update(member);
    this.bytes += member.length;

    return member.length;
  }
}

function parseLine(line: string, where: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(line);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new Error('not an object');
    }

    return value as Record<string, unknown>;
  } catch (error) {
    throw new CorruptArchiveError(`${where}: unreadable line (${(error as Error).message})`);
  }
}

/**
 * Streams an archive file: the header, then every row; fails with CorruptArchiveError on a bad gzip
 * stream, a bad line, a missing trailer or a row count that is not the trailer's.
 */
export async function* readArchiveFile(
  source: Readable,
  where: string,
): AsyncGenerator<{ readonly header: ArchiveHeader } | { readonly row: ArchivedRow }> {
  const gunzipStream = createGunzip();
  source.on('error', (error) => gunzipStream.destroy(error));
  const lines = createInterface({ input: source.pipe(gunzipStream), crlfDelay: Infinity });
  let header: ArchiveHeader | null = null;
  let rows = 0;
  let ended = false;
  try {
    for await (const line of lines) {
      if (ended) {
        throw new CorruptArchiveError(`${where}: data after the trailer`);
      }
      const value = parseLine(line, where);
      if (header === null) {
        if (value.format !== ARCHIVE_FORMAT) {
          throw new CorruptArchiveError(`${where}: not an ${ARCHIVE_FORMAT} file`);
        }
        header = value as unknown as ArchiveHeader;
        yield { header };
      } else if ('$end' in value) {
        const trailer = value as unknown as ArchiveTrailer;
        if (trailer.$end.rows !== rows) {
          throw new CorruptArchiveError(`${where}: ${rows} rows but the trailer says ${trailer.$end.rows}`);
        }
        ended = true;
      } else {
        rows += 1;
        yield { row: value };
      }
    }
  } catch (error) {
    if (error instanceof CorruptArchiveError) {
      throw error;
    }
    throw new CorruptArchiveError(`${where}: ${(error as Error).message}`);
  } finally {
    lines.close();
    source.destroy();
  }
  if (!ended) {
    throw new CorruptArchiveError(`${where}: truncated (no trailer)`);
  }
}

/** The rows of one block, read alone (a byte range of the file). */
export async function decodeBlock(member: Buffer, where: string): Promise<ArchivedRow[]> {
  let text: string;
  try {
    text = (await gunzipAsync(member)).toString('utf8');
  } catch (error) {
    throw new CorruptArchiveError(`${where}: ${(error as Error).message}`);
  }

  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => parseLine(line, where));
}
