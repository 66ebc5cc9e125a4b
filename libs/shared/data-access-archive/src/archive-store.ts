import type { Readable } from 'node:stream';

/**
 * Where archive files and their manifests live: a directory or an S3-compatible bucket. Keys are
 * relative paths with `/` separators; every write replaces the whole object atomically (a reader sees
 * the old or the new content, never a mix).
 */
export interface ArchiveStore {
  /** Shown to operators: the directory or `s3://bucket/prefix`. */
  readonly root: string;
  /** A local directory for files being written before they are put (same filesystem as a directory store). */
  readonly scratchDirectory: string;
  /** Where a key is, as a path or an s3:// URL (the ports' `location`). */
  locationOf(key: string): string;
  putFile(key: string, localPath: string): Promise<void>;
  putText(key: string, text: string): Promise<void>;
  /** The object's text, or null when there is none. */
  getText(key: string): Promise<string | null>;
  openRead(key: string): Promise<Readable>;
  readRange(key: string, offset: number, length: number): Promise<Buffer>;
  /** Every key under `prefix`, in no particular order. */
  list(prefix: string): Promise<string[]>;
  close(): Promise<void>;
}
