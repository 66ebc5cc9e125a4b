import type { ArchiveCatalog } from './archive-catalog';
import { CorruptArchiveError, decodeBlock } from './archive-file';
import type { ArchivedRow, ArchiveEntry } from './archive-format';

/**
 * How long an entry read is reused (a file rewritten meanwhile is caught by its unreadable blocks and read
 * again), and how long "no such month in the archive" is: briefly, so a month archived just now is found.
 */
const ENTRY_CACHE_MS = 30_000;
const MISSING_ENTRY_CACHE_MS = 2_000;
const ENTRY_CACHE_SIZE = 64;

export interface ArchivedRowHit {
  readonly table: string;
  readonly month: string;
  /** The file's key under the archive root. */
  readonly file: string;
  /** The file as a path or an s3:// URL. */
  readonly location: string;
  readonly row: ArchivedRow;
}

/**
 * Finds one row by its text `id` in a table's archived month without reading the whole file: the entry's
 * block index names the blocks whose id range holds it, and each block is a gzip member read alone
 * (a byte range, also on S3).
 */
export class ArchivedRowLookup {
  /** Entries read recently: a burst of lookups (or of unknown ids) reads each month's entry once. */
  private readonly entries = new Map<string, { readonly entry: ArchiveEntry | null; readonly until: number }>();

  constructor(
    private readonly catalog: ArchiveCatalog,
    private readonly now: () => number = Date.now,
  ) {}

  async findById(table: string, month: string, id: string): Promise<ArchivedRowHit | null> {
    try {
      return await this.search(await this.entry(table, month), id);
    } catch (error) {
      // A cached entry may describe a file rewritten since (an erasure): read the entry again, once.
      if (!(error instanceof CorruptArchiveError)) {
        throw error;
      }
      this.entries.delete(`${table}/${month}`);

      return this.search(await this.entry(table, month), id);
    }
  }

  private async search(entry: ArchiveEntry | null, id: string): Promise<ArchivedRowHit | null> {
    if (!entry) {
      return null;
    }
    for (const block of entry.blocks) {
      if (block.minId === undefined || block.maxId === undefined || id < block.minId || id > block.maxId) {
        continue;
      }
      const member = await this.catalog.store.readRange(entry.file, block.offset, block.length);
      const row = (await decodeBlock(member, entry.file)).find((candidate) => candidate.id === id);
      if (row) {
        const { table, month, file } = entry;

        return { table, month, file, location: this.catalog.store.locationOf(file), row };
      }
    }

    return null;
  }

  private async entry(table: string, month: string): Promise<ArchiveEntry | null> {
    const key = `${table}/${month}`;
    const cached = this.entries.get(key);
    if (cached && cached.until > this.now()) {
      return cached.entry;
    }
    const entry = await this.catalog.entry(table, month);
    if (this.entries.size >= ENTRY_CACHE_SIZE) {
      this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(key, { entry, until: this.now() + (entry ? ENTRY_CACHE_MS : MISSING_ENTRY_CACHE_MS) });

    return entry;
  }
}
