import type { ArchiveCatalog } from './archive-catalog';
import { decodeBlock } from './archive-file';
import type { ArchivedRow } from './archive-format';

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
  constructor(private readonly catalog: ArchiveCatalog) {}

  async findById(table: string, month: string, id: string): Promise<ArchivedRowHit | null> {
    const entry = await this.catalog.entry(table, month);
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
        return { table, month, file: entry.file, location: this.catalog.store.locationOf(entry.file), row };
      }
    }

    return null;
  }
}
