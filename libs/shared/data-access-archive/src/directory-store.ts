import { createReadStream } from 'node:fs';
import { copyFile, mkdir, open, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import type { ArchiveStore } from './archive-store';

/** The archive in a directory (`ARCHIVE_DIR`): every write goes to a temp file, is synced, then renamed. */
export class DirectoryArchiveStore implements ArchiveStore {
  readonly root: string;
  readonly scratchDirectory: string;

  constructor(directory: string) {
    this.root = path.resolve(directory);
    // Inside the root, so the final rename never crosses filesystems.
    this.scratchDirectory = path.join(this.root, '.tmp');
  }

  locationOf(key: string): string {
    return this.pathOf(key);
  }

  async putFile(key: string, localPath: string): Promise<void> {
    const target = this.pathOf(key);
    await mkdir(path.dirname(target), { recursive: true });
    if (path.dirname(localPath) === this.scratchDirectory) {
      await this.syncFile(localPath);
      await rename(localPath, target);
    } else {
      const temp = await this.tempPath();
      await copyFile(localPath, temp);
      await this.syncFile(temp);
      await rename(temp, target);
    }
  }

  async putText(key: string, text: string): Promise<void> {
    const target = this.pathOf(key);
    await mkdir(path.dirname(target), { recursive: true });
    const temp = await this.tempPath();
    await writeFile(temp, text);
    await this.syncFile(temp);
    await rename(temp, target);
  }

  async getText(key: string): Promise<string | null> {
    try {
      return await readFile(this.pathOf(key), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return null;
      }
      throw error;
    }
  }

  async openRead(key: string): Promise<Readable> {
    const stream = createReadStream(this.pathOf(key));
    // Surfaces a missing file here rather than on the first read.
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });

    return stream;
  }

  async readRange(key: string, offset: number, length: number): Promise<Buffer> {
    const handle = await open(this.pathOf(key), 'r');
    try {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, offset);

      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    const walk = async (relative: string): Promise<void> => {
      let names: { name: string; isDirectory(): boolean }[];
      try {
        names = await readdir(path.join(this.root, relative), { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          return;
        }
        throw error;
      }
      for (const entry of names) {
        const key = relative === '' ? entry.name : `${relative}/${entry.name}`;
        if (entry.isDirectory()) {
          if (key !== '.tmp') {
            await walk(key);
          }
        } else if (key.startsWith(prefix)) {
          keys.push(key);
        }
      }
    };
    await walk('');

    return keys;
  }

  async close(): Promise<void> {
    // Nothing held open between calls.
  }

  private pathOf(key: string): string {
    const resolved = path.resolve(this.root, key);
    if (!resolved.startsWith(this.root + path.sep)) {
      throw new Error(`archive key outside the archive directory: ${JSON.stringify(key)}`);
    }

    return resolved;
  }

  private async tempPath(): Promise<string> {
    await mkdir(this.scratchDirectory, { recursive: true });

    return path.join(this.scratchDirectory, `${randomUUID()}.part`);
  }

  private async syncFile(file: string): Promise<void> {
    const handle = await open(file, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}
