import type { FactoryProvider } from '@nestjs/common';
import { createServiceDataSource, isDataSourceReady, type ServiceDataSourceOptions } from '@sms/persistence';
import type { DataSource } from 'typeorm';
import { type AppConfig } from '../config/app.config';
import { databaseConfigOf } from '../config/database-config';
import { ShutdownRegistry } from '../lifecycle/shutdown.registry';
import { ReadinessRegistry } from './readiness.registry';
import { globalDatabaseConfigOf } from '../region/global-database';
import type { RegionConfig } from '../region/region.config';
import { APP_CONFIG, REGION_CONFIG } from './tokens';

/**
 * The Nest provider of one service's DataSource in this run mode (SQLite file or MySQL pool),
 * initialised at boot, checked by /readyz and closed in the storage phase of shutdown.
 */
export function serviceDataSourceProvider(
  token: symbol,
  slice: Omit<ServiceDataSourceOptions, 'database'> & {
    readonly poolSize?: number;
    /** `global`: a slice every region shares (GLOBAL_MYSQL_URL, docs/regions.md). Default: this region's. */
    readonly scope?: 'regional' | 'global';
  },
): FactoryProvider<Promise<DataSource>> {
  return {
    provide: token,
    inject: [APP_CONFIG, ReadinessRegistry, ShutdownRegistry, { token: REGION_CONFIG, optional: true }],
    useFactory: async (
      config: AppConfig,
      readiness: ReadinessRegistry,
      shutdown: ShutdownRegistry,
      region: RegionConfig | undefined,
    ) => {
      const dataSource = await createServiceDataSource({
        service: slice.service,
        entities: slice.entities,
        migrations: slice.migrations,
        ...(slice.multipleStatements === true && { multipleStatements: true }),
        database:
          slice.scope === 'global' && region !== undefined
            ? globalDatabaseConfigOf(config, region, slice.poolSize)
            : databaseConfigOf(config, slice.poolSize),
      }).initialize();
      readiness.register(`${slice.service}-db`, () => isDataSourceReady(dataSource));
      shutdown.register('storage', `${slice.service}-db`, () => dataSource.destroy());

      return dataSource;
    },
  };
}
