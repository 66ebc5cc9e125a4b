import type { ArchiveEraser } from '@sms/persistence';
import type { ArchiveCatalog } from './archive-catalog';
import { ArchiveFileWriter, readArchiveFile } from './archive-file';
import type { ArchivedRow, ArchiveEntry, ArchiveHeader } from './archive-format';
import { NumberMask } from './number-mask';

const PAGE_ROWS = 1_000;

/**
 * Erases one person's number from every archive file (the ArchiveEraser port). Each file is read once and
 * written anew beside it with the matching rows masked; only a file that held the number replaces the
 * original, with its new size, SHA-256 and blocks in the manifest. A versioned bucket keeps old versions:
 * its lifecycle rules must expire them (docs/data-lifecycle.md).
 */
export class ArchiveFileEraser implements ArchiveEraser {
  constructor(
    private readonly catalog: ArchiveCatalog,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async eraseNumber(number: string): Promise<{ readonly filesRewritten: string[]; readonly rowsErased: number }> {
    const mask = new NumberMask(number);
    const filesRewritten: string[] = [];
    let rowsErased = 0;
    for (const entry of await this.catalog.entries()) {
      const erased = await this.eraseIn(entry, mask);
      if (erased > 0) {
        filesRewritten.push(this.catalog.store.locationOf(entry.file));
        rowsErased += erased;
      }
    }
    if (filesRewritten.length > 0) {
      await this.catalog.rebuildManifest();
    }

    return { filesRewritten, rowsErased };
  }

  private async eraseIn(entry: ArchiveEntry, mask: NumberMask): Promise<number> {
    const header: ArchiveHeader = {
      format: entry.format,
      table: entry.table,
      month: entry.month,
      createdColumn: entry.createdColumn,
      columns: entry.columns,
      primaryKey: entry.primaryKey,
      createdAt: entry.createdAt,
      gatewayVersion: entry.gatewayVersion,
    };
    const writer = await ArchiveFileWriter.create(this.catalog.store.scratchDirectory, header);
    try {
      let erased = 0;
      let page: ArchivedRow[] = [];
      const source = await this.catalog.store.openRead(entry.file);
      for await (const item of readArchiveFile(source, entry.file)) {
        if ('row' in item) {
          if (mask.holds(item.row)) {
            erased += 1;
            page.push(mask.mask(item.row));
          } else {
            page.push(item.row);
          }
          if (page.length >= PAGE_ROWS) {
            await writer.writeBlock(page);
            page = [];
          }
        }
      }
      await writer.writeBlock(page);
      if (erased === 0) {
        await writer.discard();

        return 0;
      }
      const written = await writer.finish();
      // The entry goes through the catalog without a manifest rebuild per file: the caller rebuilds once.
      await this.catalog.store.putFile(entry.file, written.path);
      await this.catalog.putEntry({
        ...header,
        file: entry.file,
        rows: written.rows,
        bytes: written.bytes,
        sha256: written.sha256,
        headerLength: written.headerLength,
        blocks: written.blocks,
        rewrittenAt: this.now().toISOString(),
      });

      return erased;
    } catch (error) {
      await writer.discard();
      throw error;
    }
  }
}
