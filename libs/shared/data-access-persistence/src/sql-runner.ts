import type { DataSource, EntityManager } from 'typeorm';
import { affectedRows } from './affected-rows';
import { insertRows } from './bulk-insert';
import { isMysql } from './data-source.factory';
import { dbValue } from './db-value';
import { inTransaction } from './transaction';

/**
 * The few operations the hot write paths need inside a transaction, over whichever driver the service
 * runs on. Values are bound as given (convert them with `value`), except in `insert`, which converts.
 */
export interface SqlRunner {
  readonly mysql: boolean;
  /** Rows of a query. */
  query<T>(sql: string, parameters?: readonly unknown[]): Promise<T[]>;
  /** Runs a write and returns the rows it changed. */
  execute(sql: string, parameters?: readonly unknown[]): Promise<number>;
  /**
   * Runs a write whose changed rows nobody reads. A packed transaction (inPackedSqlTransaction) sends it with
   * the next statement that has an answer, or with the COMMIT; the others run it now.
   */
  write(sql: string, parameters?: readonly unknown[]): Promise<void>;
  /** Inserts rows (values converted with `value`). */
  insert(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void>;
  /** A value in the form the columns store (dbValue). */
  value(value: unknown): unknown;
}

/** The parts of a better-sqlite3 statement and database this module uses. */
interface SqliteStatement {
  readonly reader: boolean;
  all(...parameters: unknown[]): unknown[];
  run(...parameters: unknown[]): { changes: number };
}
interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
}

/** Prepared statements kept per SQLite database; beyond this many, the oldest is dropped. */
const STATEMENT_CACHE_SIZE = 500;
const statementCaches = new WeakMap<SqliteDatabase, Map<string, SqliteStatement>>();

/**
 * SQLite through its driver's prepared statements, on the connection TypeORM's transaction holds (SQLite
 * has one). Written by hand because TypeORM's query path (logging and subscriber broadcasts, a result
 * object, awaits per statement) costs more CPU than better-sqlite3 spends running these statements.
 * Rows are inserted one statement each: a statement that repeats is prepared once, and in-process SQLite
 * has no round trip to save by joining rows.
 */
class SqliteRunner implements SqlRunner {
  readonly mysql = false;
  private readonly statements: Map<string, SqliteStatement>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly db: SqliteDatabase,
  ) {
    let cache = statementCaches.get(db);
    if (!cache) {
      cache = new Map();
      statementCaches.set(db, cache);
    }
    this.statements = cache;
  }

  async query<T>(sql: string, parameters: readonly unknown[] = []): Promise<T[]> {
    const statement = this.statement(sql, parameters);
    if (!statement.reader) {
      statement.run(...parameters);

      return [];
    }

    return statement.all(...parameters) as T[];
  }

  async execute(sql: string, parameters: readonly unknown[] = []): Promise<number> {
    return this.statement(sql, parameters).run(...parameters).changes;
  }

  async write(sql: string, parameters: readonly unknown[] = []): Promise<void> {
    this.statement(sql, parameters).run(...parameters);
  }

  async insert(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void> {
    const sql = `INSERT INTO ${table} (${columns.join(',')}) VALUES (${columns.map(() => '?').join(',')})`;
    for (const row of rows) {
      const parameters = row.map((value) => this.value(value));
      this.statement(sql, parameters).run(...parameters);
    }
  }

  value(value: unknown): unknown {
    return dbValue(this.dataSource, value);
  }

  private statement(sql: string, parameters: readonly unknown[]): SqliteStatement {
    // Subscribers (statement logs in tests, instrumentation) still see every statement before it runs.
    for (const subscriber of this.dataSource.subscribers) {
      void subscriber.beforeQuery?.({ connection: this.dataSource, query: sql, parameters: [...parameters] } as never);
    }
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
      if (this.statements.size > STATEMENT_CACHE_SIZE) {
        const oldest = this.statements.keys().next().value;
        if (oldest !== undefined) {
          this.statements.delete(oldest);
        }
      }
    }

    return statement;
  }
}

/** MySQL (and anything else) through the transaction's EntityManager. */
class ManagerRunner implements SqlRunner {
  readonly mysql: boolean;

  constructor(private readonly manager: EntityManager) {
    this.mysql = isMysql(manager.connection);
  }

  async query<T>(sql: string, parameters: readonly unknown[] = []): Promise<T[]> {
    const result: unknown = await this.manager.query(sql, [...parameters]);

    // A write answers with the driver's result packet, not rows: no rows, as on SQLite.
    return Array.isArray(result) ? (result as T[]) : [];
  }

  execute(sql: string, parameters: readonly unknown[] = []): Promise<number> {
    return affectedRows(this.manager, sql, [...parameters]);
  }

  async write(sql: string, parameters: readonly unknown[] = []): Promise<void> {
    await this.manager.query(sql, [...parameters]);
  }

  insert(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void> {
    return insertRows(this.manager, table, columns, rows);
  }

  value(value: unknown): unknown {
    return dbValue(this.manager.connection, value);
  }
}

/** The SQLite database handle behind a better-sqlite3 DataSource, or undefined for other drivers. */
function sqliteDatabaseOf(dataSource: DataSource): SqliteDatabase | undefined {
  if (dataSource.options.type !== 'better-sqlite3') {
    return undefined;
  }
  const db = (dataSource.driver as unknown as { databaseConnection?: SqliteDatabase }).databaseConnection;

  return db && typeof db.prepare === 'function' ? db : undefined;
}

/** A runner over the transaction `manager` belongs to. */
export function sqlRunnerOf(manager: EntityManager): SqlRunner {
  const db = sqliteDatabaseOf(manager.connection);

  return db ? new SqliteRunner(manager.connection, db) : new ManagerRunner(manager);
}

/**
 * inTransaction with a SqlRunner: the same transaction, retries and SQLite serialisation, with the
 * statements run through the driver on SQLite.
 */
export function inSqlTransaction<T>(dataSource: DataSource, work: (sql: SqlRunner) => Promise<T>): Promise<T> {
  return inTransaction(dataSource, (manager) => work(sqlRunnerOf(manager)));
}
