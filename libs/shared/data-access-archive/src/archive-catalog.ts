import {
  ARCHIVE_FORMAT,
  type ArchiveEntry,
  type ArchiveManifest,
  entryKeyOf,
  fileKeyOf,
  isEntryKey,
  MANIFEST_KEY,
} from './archive-format';
import type { ArchiveStore } from './archive-store';

/**
 * The manifest of an archive root. Each file has its own entry object beside it (`<file>.json`), written
 * after the file: entries are the source of truth, so two processes archiving different tables never
 * overwrite each other's record. The root `manifest.json` lists every entry and is rebuilt from them after
 * each change (and by `archive verify`), so a rebuild racing another converges on the next one.
 */
export class ArchiveCatalog {
  constructor(readonly store: ArchiveStore) {}

  async entry(table: string, month: string): Promise<ArchiveEntry | null> {
    return this.entryAt(entryKeyOf(fileKeyOf(table, month)));
  }

  async entries(): Promise<ArchiveEntry[]> {
    const keys = (await this.store.list('')).filter(isEntryKey).sort();
    const entries = await Promise.all(keys.map((key) => this.entryAt(key)));

    return entries.filter((entry): entry is ArchiveEntry => entry !== null);
  }

  /** Puts a written file, then its entry, then the rebuilt root manifest. */
  async commit(entry: ArchiveEntry, localFile: string): Promise<void> {
    await this.store.putFile(entry.file, localFile);
    await this.putEntry(entry);
    await this.rebuildManifest();
  }

  /** Writes a file's entry (after the file itself). */
  async putEntry(entry: ArchiveEntry): Promise<void> {
    await this.store.putText(entryKeyOf(entry.file), `${JSON.stringify(entry, null, 1)}\n`);
  }

  async manifest(): Promise<ArchiveManifest | null> {
    const text = await this.store.getText(MANIFEST_KEY);

    return text === null ? null : (JSON.parse(text) as ArchiveManifest);
  }

  async rebuildManifest(): Promise<ArchiveManifest> {
    const manifest: ArchiveManifest = {
      format: ARCHIVE_FORMAT,
      updatedAt: new Date().toISOString(),
      files: (await this.entries()).map(({ table, month, file, rows, bytes, sha256, createdAt }) => ({
        table,
        month,
        file,
        rows,
        bytes,
        sha256,
        createdAt,
      })),
    };
    await this.store.putText(MANIFEST_KEY, `${JSON.stringify(manifest, null, 1)}\n`);

    return manifest;
  }

  private async entryAt(key: string): Promise<ArchiveEntry | null> {
    const text = await this.store.getText(key);

    return text === null ? null : (JSON.parse(text) as ArchiveEntry);
  }
}
