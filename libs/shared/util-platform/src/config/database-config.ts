import type { DatabaseConfig } from '@sms/persistence';
import type { AppConfig } from './app.config';

/** The database of a service's slice in this run mode. */
export const databaseConfigOf = (config: AppConfig, poolSize = config.database.poolSize): DatabaseConfig =>
  config.mode === 'distributed'
    ? { kind: 'mysql', url: config.database.mysqlUrl, poolSize }
    : { kind: 'sqlite', directory: config.database.dataDir };
