import path from 'node:path';
import type { AppConfig } from '@sms/platform';
import type { ArchiveStore } from './archive-store';
import { DirectoryArchiveStore } from './directory-store';
import { S3ArchiveStore } from './s3-store';

export type ArchiveTarget =
  | { readonly kind: 'directory'; readonly directory: string }
  | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string; readonly forcePathStyle: boolean };

/**
 * Where this process archives, from the validated config: ARCHIVE_S3_BUCKET, else ARCHIVE_DIR, else
 * `<DATA_DIR>/archive` in the embedded mode (its purge must never delete what it did not archive), else
 * nowhere (a distributed service without an archive keeps its months; docs/data-lifecycle.md).
 */
export function archiveTargetOf(config: Pick<AppConfig, 'mode' | 'database' | 'retention'>): ArchiveTarget | null {
  const { retention } = config;
  if (retention.archiveS3Bucket !== '') {
    return {
      kind: 's3',
      bucket: retention.archiveS3Bucket,
      prefix: retention.archiveS3Prefix,
      forcePathStyle: retention.archiveS3ForcePathStyle,
    };
  }
  if (retention.archiveDir !== '') {
    return { kind: 'directory', directory: retention.archiveDir };
  }
  if (config.mode === 'embedded') {
    return { kind: 'directory', directory: path.join(config.database.dataDir, 'archive') };
  }

  return null;
}

export function createArchiveStore(target: ArchiveTarget): ArchiveStore {
  switch (target.kind) {
    case 'directory':
      return new DirectoryArchiveStore(target.directory);
    case 's3':
      return new S3ArchiveStore({
        bucket: target.bucket,
        prefix: target.prefix,
        client: { forcePathStyle: target.forcePathStyle },
      });
  }
}
