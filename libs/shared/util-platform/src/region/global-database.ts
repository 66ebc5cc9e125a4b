import type { DatabaseConfig } from '@sms/persistence';
import type { AppConfig } from '../config/app.config';
import { databaseConfigOf } from '../config/database-config';
import type { RegionConfig } from './region.config';

/**
 * The database of a global slice (accounts and API keys, the opt-out ledger): GLOBAL_MYSQL_URL when this
 * deployment is one region of several, so every region authenticates the same keys and honours the same
 * opt-outs; otherwise the deployment's own database, as with a single region. Embedded runs keep their files.
 */
export const globalDatabaseConfigOf = (
  config: AppConfig,
  region: RegionConfig,
  poolSize = config.database.poolSize,
): DatabaseConfig =>
  config.mode === 'distributed' && region.globalMysqlUrl !== ''
    ? { kind: 'mysql', url: region.globalMysqlUrl, poolSize }
    : databaseConfigOf(config, poolSize);
