import type { SettingsReader } from '@sms/config-kit';

/** `config.retention`: how long months of the growing tables stay hot, and where they are archived (docs/data-lifecycle.md). */
export interface RetentionGroup {
  /**
   * Days a month stays in the hot database after it ends; older months are archived, then dropped (MySQL/MariaDB
   * partitions) or deleted (embedded SQLite). 0 keeps everything.
   */
  readonly hotDays: number;
  /** With no archive configured, drop months past the hot window anyway (their rows are gone for good). */
  readonly dropUnarchived: boolean;
  /** MySQL/MariaDB: months after the current one that always have a partition of their own. */
  readonly partitionMonthsAhead: number;
  /** MySQL/MariaDB: how often each service checks its partitions (and at boot). */
  readonly partitionMaintenanceIntervalMinutes: number;
  /** Archive in this directory (one gzip NDJSON file per table and month); empty: see `archiveS3Bucket`. */
  readonly archiveDir: string;
  /** Archive in this S3-compatible bucket instead (region, credentials, AWS_ENDPOINT_URL_S3: the AWS environment). */
  readonly archiveS3Bucket: string;
  /** Key prefix of the archive inside the bucket (e.g. `sms-archive/eu`), without leading or trailing `/`. */
  readonly archiveS3Prefix: string;
  /** Path-style bucket URLs, for S3-compatible servers that need them (MinIO and the like). */
  readonly archiveS3ForcePathStyle: boolean;
}

const NO_MAX = Number.MAX_SAFE_INTEGER;

export function readRetentionGroup(read: SettingsReader): RetentionGroup {
  const group = {
    hotDays: read.int('RETENTION_HOT_DAYS', { default: 90, min: 0, max: 36_500 }),
    dropUnarchived: read.bool('RETENTION_DROP_UNARCHIVED', { default: false }),
    partitionMonthsAhead: read.int('PARTITION_MONTHS_AHEAD', { default: 3, min: 1, max: 24 }),
    partitionMaintenanceIntervalMinutes: read.int('PARTITION_MAINTENANCE_INTERVAL_MINUTES', {
      default: 360,
      min: 1,
      max: NO_MAX,
    }),
    archiveDir: read.string('ARCHIVE_DIR', { default: '' }),
    archiveS3Bucket: read.string('ARCHIVE_S3_BUCKET', {
      default: '',
      pattern: /^([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])?$/,
      problem: 'must be an S3 bucket name',
    }),
    archiveS3Prefix: read.string('ARCHIVE_S3_PREFIX', {
      default: '',
      pattern: /^([A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*)?$/,
      problem: 'must be path segments of A-Z a-z 0-9 _ . - joined by /, without leading or trailing /',
    }),
    archiveS3ForcePathStyle: read.bool('ARCHIVE_S3_FORCE_PATH_STYLE', { default: false }),
  };
  // One archive: months split between two places could not be restored from either alone.
  read.require(
    group.archiveDir === '' || group.archiveS3Bucket === '',
    ['ARCHIVE_DIR', 'ARCHIVE_S3_BUCKET'],
    'are exclusive: set one archive',
  );

  return group;
}
