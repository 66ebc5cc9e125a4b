import type { DatabaseConfig } from '@sms/persistence';
import type { AppConfig } from './app.config';

/** The database of a service's slice in this run mode. */
export const databaseConfigOf = (config: AppConfig, poolSize = config.DB_POOL_SIZE): DatabaseConfig =>
  config.MODE === 'distributed'
    ? { kind: 'mysql', url: config.MYSQL_URL, poolSize }
    : { kind: 'sqlite', directory: config.DATA_DIR };
