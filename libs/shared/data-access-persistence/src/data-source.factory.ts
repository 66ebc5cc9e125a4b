import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type * as Mysql2 from 'mysql2';
import type { Pool, PoolConnection, PoolOptions } from 'mysql2';
import { DataSource, type DataSourceOptions, type EntitySchema, type MixedList } from 'typeorm';
import type { DatabaseConfig } from './database.config';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type EntityList = MixedList<Function | string | EntitySchema>;

export interface ServiceDataSourceOptions {
  /** Service name: names the migrations table (`<service>_migrations`) and the SQLite file. */
  readonly service: string;
  readonly database: DatabaseConfig;
  readonly entities: EntityList;
  /** MySQL migrations of this service's slice. SQLite builds the schema from the entities instead (ADR 0003). */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly migrations: Function[];
  /**
   * MySQL: the pool's connections take several statements in one query, for inPackedSqlTransaction
   * (ADR 0026). Only for a slice whose SQL text is all its own code's, values bound.
   */
  readonly multipleStatements?: boolean;
}

/**
 * Session settings every MySQL connection starts with. group_concat_max_len: MySQL 8 cuts a GROUP_CONCAT at
 * 1,024 bytes by default, silently (a warning no caller reads), and the status applier reads each message's
 * redelivered event ids joined by one; 1 MiB is MariaDB's default, so both servers read a list whole.
 */
export const MYSQL_SESSION_SQL = 'SET SESSION group_concat_max_len = 1048576';

/**
 * mysql2 for TypeORM, with `statement` queued on each pooled connection before the pool hands it out (mysql2
 * has no init statement of its own; its pool emits `connection` before the first caller gets the connection,
 * and a connection runs its commands in order). A connection whose statement fails is destroyed, never used
 * without its settings.
 *
 * mysql2 is required here, not at the top: the embedded gateway (SQLite) never opens a MySQL connection, and
 * the driver stayed in its heap.
 */
export function mysqlDriverStartingWith(statement: string): typeof Mysql2 {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mysql2 = require('mysql2') as typeof Mysql2;

  return Object.create(mysql2, {
    createPool: {
      value: (config: PoolOptions): Pool => {
        const pool = mysql2.createPool(config);
        pool.on('connection', (connection: PoolConnection) => {
          connection.query(statement, (error: Error | null) => {
            if (error) {
              connection.destroy();
            }
          });
        });

        return pool;
      },
      // TypeORM takes a driver without enumerable keys for a failed require.
      enumerable: true,
    },
  }) as typeof Mysql2;
}

let mysqlDriver: typeof Mysql2 | undefined;

/**
 * Page cache of each SQLite connection, in KiB. better-sqlite3 builds SQLite with a 16,000 KiB default, and the
 * embedded gateway holds one connection per service's file (eight), so the caches alone could keep ~128 MB
 * resident as the files grow. Pages missed are read back from the OS page cache (the files are the
 * process's own, recently written), which costs no measurable CPU per message (docs/performance.md,
 * "Embedded: the listen backlog and SQLite page caches").
 */
export const SQLITE_PAGE_CACHE_KIB = 2_048;

/** Builds (does not initialise) the DataSource of one service's slice. */
export function createServiceDataSource(options: ServiceDataSourceOptions): DataSource {
  const migrationsTableName = `${options.service.replace(/-/g, '_')}_migrations`;
  let dataSourceOptions: DataSourceOptions;
  if (options.database.kind === 'mysql') {
    dataSourceOptions = {
      type: 'mysql',
      driver: (mysqlDriver ??= mysqlDriverStartingWith(MYSQL_SESSION_SQL)),
      connectorPackage: 'mysql2',
      url: options.database.url,
      entities: options.entities,
      migrations: options.migrations,
      migrationsTableName,
      synchronize: false,
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
      // Fail fast instead of hanging when the pool is exhausted or the database is gone (reliability.md R5, R14).
      poolSize: options.database.poolSize ?? 10,
      connectTimeout: 5000,
      extra: {
        connectionLimit: options.database.poolSize ?? 10,
        queueLimit: 1000,
        enableKeepAlive: true,
        ...(options.multipleStatements === true && { multipleStatements: true }),
      },
    };
  } else {
    mkdirSync(options.database.directory, { recursive: true });
    dataSourceOptions = {
      type: 'better-sqlite3',
      database: path.join(options.database.directory, `${options.service}.sqlite`),
      entities: options.entities,
      migrations: [],
      migrationsTableName,
      // The embedded mode has no migration step: the schema follows the entities (ADR 0003).
      synchronize: true,
      // WAL lets readers run beside the single writer; NORMAL is durable across a process crash.
      prepareDatabase: (db: { pragma(sql: string): unknown }) => {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        db.pragma('busy_timeout = 5000');
        db.pragma(`cache_size = -${SQLITE_PAGE_CACHE_KIB}`);
      },
    };
  }

  return new DataSource(dataSourceOptions);
}

/** True when the DataSource answers a trivial query (readiness). */
export async function isDataSourceReady(dataSource: DataSource): Promise<boolean> {
  if (!dataSource.isInitialized) {
    return false;
  }
  try {
    await dataSource.query('SELECT 1');

    return true;
  } catch {
    return false;
  }
}

export const isMysql = (dataSource: DataSource): boolean => dataSource.options.type === 'mysql';
