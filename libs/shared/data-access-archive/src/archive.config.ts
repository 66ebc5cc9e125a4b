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
export function archiveTargetOf(
  config: Pick<
    AppConfig,
    'MODE' | 'database' | 'ARCHIVE_DIR' | 'ARCHIVE_S3_BUCKET' | 'ARCHIVE_S3_PREFIX' | 'ARCHIVE_S3_FORCE_PATH_STYLE'
  >,
): ArchiveTarget | null {
  if (config.ARCHIVE_S3_BUCKET !== '') {
    return {
      kind: 's3',
      bucket: config.ARCHIVE_S3_BUCKET,
      prefix: config.ARCHIVE_S3_PREFIX,
      forcePathStyle: config.ARCHIVE_S3_FORCE_PATH_STYLE,
    };
  }
  if (config.ARCHIVE_DIR !== '') {
    return { kind: 'directory', directory: config.ARCHIVE_DIR };
  }
  if (config.MODE === 'embedded') {
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
