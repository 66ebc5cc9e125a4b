import { createHash } from 'node:crypto';
import type { ArchiveCatalog } from './archive-catalog';
import { readArchiveFile } from './archive-file';
import type { ArchiveEntry } from './archive-format';

export interface FileCheck {
  readonly file: string;
  readonly ok: boolean;
  /** What is wrong, when not ok. */
  readonly problem?: string;
}

export interface VerifyReport {
  readonly root: string;
  readonly ok: boolean;
  readonly files: readonly FileCheck[];
  /** Disagreements between the root manifest and the entries. */
  readonly manifestProblems: readonly string[];
}

/**
 * Checks every archive file against its manifest entry: size and SHA-256 of the bytes stored, then that it
 * decompresses whole with the entry's row count. Also checks that the root manifest lists exactly the entries.
 */
export class ArchiveVerifier {
  constructor(private readonly catalog: ArchiveCatalog) {}

  async verify(): Promise<VerifyReport> {
    const entries = await this.catalog.entries();
    const files: FileCheck[] = [];
    for (const entry of entries) {
      files.push(await this.check(entry));
    }
    const manifestProblems = await this.compareManifest(entries);

    return {
      root: this.catalog.store.root,
      ok: files.every((file) => file.ok) && manifestProblems.length === 0,
      files,
      manifestProblems,
    };
  }

  private async check(entry: ArchiveEntry): Promise<FileCheck> {
    const hash = createHash('sha256');
    let bytes = 0;
    let rows = 0;
    try {
      const source = await this.catalog.store.openRead(entry.file);
      source.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        bytes += chunk.length;
      });
      for await (const item of readArchiveFile(source, entry.file)) {
        if ('row' in item) {
          rows += 1;
        }
      }
    } catch (error) {
      return { file: entry.file, ok: false, problem: (error as Error).message };
    }
    const sha256 = hash.digest('hex');
    if (bytes !== entry.bytes || sha256 !== entry.sha256) {
      return {
        file: entry.file,
        ok: false,
        problem: `checksum mismatch: ${bytes} bytes sha256 ${sha256}, manifest says ${entry.bytes} bytes sha256 ${entry.sha256}`,
      };
    }
    if (rows !== entry.rows) {
      return { file: entry.file, ok: false, problem: `${rows} rows, manifest says ${entry.rows}` };
    }

    return { file: entry.file, ok: true };
  }

  private async compareManifest(entries: readonly ArchiveEntry[]): Promise<string[]> {
    const manifest = await this.catalog.manifest();
    if (!manifest) {
      return entries.length === 0 ? [] : ['no manifest.json at the archive root'];
    }
    const problems: string[] = [];
    const listed = new Map(manifest.files.map((file) => [file.file, file]));
    for (const entry of entries) {
      const file = listed.get(entry.file);
      if (!file) {
        problems.push(`${entry.file} is not in manifest.json`);
      } else if (file.sha256 !== entry.sha256 || file.rows !== entry.rows || file.bytes !== entry.bytes) {
        problems.push(`${entry.file}: manifest.json disagrees with its entry`);
      }
      listed.delete(entry.file);
    }
    for (const file of listed.keys()) {
      problems.push(`${file} is in manifest.json but has no entry`);
    }

    return problems;
  }
}
