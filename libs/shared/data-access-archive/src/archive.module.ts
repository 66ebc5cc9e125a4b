import { type FactoryProvider, Logger, Module } from '@nestjs/common';
import { ARCHIVE_ERASER, MONTH_ARCHIVE, type MonthArchive } from '@sms/persistence';
import { APP_CONFIG, type AppConfig, ShutdownRegistry } from '@sms/platform';
import type { DataSource } from 'typeorm';
import { ArchiveCatalog } from './archive-catalog';
import { ArchiveFileEraser } from './archive-eraser';
import { archiveTargetOf, createArchiveStore } from './archive.config';
import { archivedTablesOf } from './archived-tables';
import { ArchivedRowLookup } from './archived-row-lookup';
import { MonthArchiver } from './month-archiver';
import { RetentionPurge } from './retention-purge';

/** The archive root of this process, or null when none is configured (then the three below are null too). */
export const ARCHIVE_CATALOG = Symbol('ARCHIVE_CATALOG');
/** Finds an archived row by id (`GET /v1/messages/:id` of a message no longer in the hot ledger). */
export const ARCHIVED_ROW_LOOKUP = Symbol('ARCHIVED_ROW_LOOKUP');

/**
 * Binds MONTH_ARCHIVE, ARCHIVE_ERASER and the row lookup to the configured archive (a directory or an
 * S3-compatible bucket). Imported by each service module that owns a growing table; one instance per process.
 */
@Module({
  providers: [
    {
      provide: ARCHIVE_CATALOG,
      inject: [APP_CONFIG, ShutdownRegistry],
      useFactory: (config: AppConfig, shutdown: ShutdownRegistry): ArchiveCatalog | null => {
        const target = archiveTargetOf(config);
        if (!target) {
          return null;
        }
        const store = createArchiveStore(target);
        shutdown.register('storage', 'archive', () => store.close());
        new Logger('archive').log(`archiving to ${store.root}`);

        return new ArchiveCatalog(store);
      },
    },
    {
      provide: MONTH_ARCHIVE,
      inject: [ARCHIVE_CATALOG],
      useFactory: (catalog: ArchiveCatalog | null) => (catalog ? new MonthArchiver(catalog) : null),
    },
    {
      provide: ARCHIVE_ERASER,
      inject: [ARCHIVE_CATALOG],
      useFactory: (catalog: ArchiveCatalog | null) => (catalog ? new ArchiveFileEraser(catalog) : null),
    },
    {
      provide: ARCHIVED_ROW_LOOKUP,
      inject: [ARCHIVE_CATALOG],
      useFactory: (catalog: ArchiveCatalog | null) => (catalog ? new ArchivedRowLookup(catalog) : null),
    },
  ],
  exports: [ARCHIVE_CATALOG, MONTH_ARCHIVE, ARCHIVE_ERASER, ARCHIVED_ROW_LOOKUP],
})
export class ArchiveModule {}

/** The token of a service's embedded retention purge (null outside the embedded mode or with retention off). */
export const retentionPurgeToken = (service: string): symbol => Symbol.for(`sms.retention-purge.${service}`);

/** First run after boot: the gateway serves before a purge takes the SQLite writer. */
const FIRST_RUN_DELAY_MS = 30_000;

/**
 * The embedded retention purge of one service's growing tables (ARCHIVED_TABLES), over that service's
 * DataSource; the module hosting it must import ArchiveModule. Stops with the intake phase of shutdown,
 * before storage closes.
 */
export function retentionPurgeProvider(service: string, dataSourceToken: symbol): FactoryProvider {
  return {
    provide: retentionPurgeToken(service),
    inject: [dataSourceToken, APP_CONFIG, MONTH_ARCHIVE, ShutdownRegistry],
    useFactory: (
      dataSource: DataSource,
      config: AppConfig,
      archive: MonthArchive | null,
      shutdown: ShutdownRegistry,
    ): RetentionPurge | null => {
      if (config.mode !== 'embedded' || config.retention.hotDays === 0 || !archive) {
        return null;
      }
      const logger = new Logger(`${service}-retention`);
      const purge = new RetentionPurge(dataSource, archivedTablesOf(service), archive, {
        hotDays: config.retention.hotDays,
        onError: (error) => logger.error(`retention purge failed: ${String(error)}`),
        onPurged: (done) =>
          logger.log(`archived ${done.archived} and deleted ${done.deleted} rows of ${done.table} ${done.month}`),
      });
      const first = setTimeout(() => purge.start(), FIRST_RUN_DELAY_MS);
      first.unref();
      shutdown.register('intake', `${service}-retention`, async () => {
        clearTimeout(first);
        await purge.stop();
      });

      return purge;
    },
  };
}
