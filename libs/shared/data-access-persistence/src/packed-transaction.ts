import type { DataSource, QueryRunner } from 'typeorm';
import { insertStatements } from './bulk-insert';
import { isMysql } from './data-source.factory';
import { dbValue } from './db-value';
import { inSqlTransaction, type SqlRunner, sqlRunnerOf } from './sql-runner';
import { withTransactionRetry } from './transient-db-error';

/**
 * Most characters of statement text held back before they are sent anyway: far under MariaDB's and MySQL's
 * default `max_allowed_packet` (16 MiB and 64 MiB), so a large group commit never fails on the packet size.
 */
export const PACKED_TEXT_BUDGET = 4 * 1024 * 1024;

/** True when the DataSource's MySQL connections accept several statements in one query (ADR 0026). */
export const packsStatements = (dataSource: DataSource): boolean =>
  isMysql(dataSource) &&
  (dataSource.options as { extra?: { multipleStatements?: unknown } }).extra?.multipleStatements === true;

/** The driver's answer to one statement: rows of a read, a result header of a write. */
type StatementResult = unknown[] | { affectedRows?: number };

/**
 * A MySQL transaction whose statements without an answer the caller needs (`START TRANSACTION`, inserts,
 * `COMMIT`) travel with the next statement that has one, in one query: a round trip, a socket write and
 * a reply packet for several statements (`write` and `insert` are held). Values are bound client-side by
 * mysql2 as for any query; the statements' own text comes from our code only. A failing statement stops the
 * server at it, so the transaction is rolled back on the same connection before the connection goes back to
 * the pool.
 */
class PackedRunner implements SqlRunner {
  readonly mysql = true;
  private texts: string[];
  private parameters: unknown[] = [];
  private length = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly runner: QueryRunner,
    isolation: PackedTransactionOptions['isolation'],
  ) {
    this.texts = isolation
      ? [`SET TRANSACTION ISOLATION LEVEL ${isolation}`, 'START TRANSACTION']
      : ['START TRANSACTION'];
  }

  async query<T>(sql: string, parameters: readonly unknown[] = []): Promise<T[]> {
    const result = await this.send(sql, parameters);

    // A write answers with the driver's result packet, not rows: no rows, as the other runners.
    return Array.isArray(result) ? (result as T[]) : [];
  }

  async execute(sql: string, parameters: readonly unknown[] = []): Promise<number> {
    const result = await this.send(sql, parameters);

    return Array.isArray(result) ? 0 : (result.affectedRows ?? 0);
  }

  async write(sql: string, parameters: readonly unknown[] = []): Promise<void> {
    this.hold(sql, parameters);
    if (this.length > PACKED_TEXT_BUDGET) {
      await this.send();
    }
  }

  async insert(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void> {
    for (const { sql, parameters } of insertStatements(table, columns, rows, (value) => this.value(value))) {
      await this.write(sql, parameters);
    }
  }

  value(value: unknown): unknown {
    return dbValue(this.dataSource, value);
  }

  /** Sends what is held with `COMMIT`. */
  async commit(): Promise<void> {
    await this.send('COMMIT', []);
  }

  private hold(sql: string, parameters: readonly unknown[]): void {
    this.texts.push(sql);
    for (const parameter of parameters) {
      this.parameters.push(parameter);
      this.length += typeof parameter === 'string' ? parameter.length : 8;
    }
    this.length += sql.length;
  }

  /** Sends the held statements, and `sql` after them, as one query; the answer is the last statement's. */
  private async send(sql?: string, parameters: readonly unknown[] = []): Promise<StatementResult> {
    if (sql !== undefined) {
      this.hold(sql, parameters);
    }
    const texts = this.texts;
    const bound = this.parameters;
    this.texts = [];
    this.parameters = [];
    this.length = 0;
    const { raw } = (await this.runner.query(texts.join(';\n'), bound, true)) as { raw: unknown };
    if (texts.length === 1) {
      return raw as StatementResult;
    }
    const results = raw as StatementResult[];

    return results[results.length - 1] ?? [];
  }
}

export interface PackedTransactionOptions {
  /** The isolation level of this transaction alone (the server's default otherwise). */
  readonly isolation?: 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';
}

/**
 * inSqlTransaction with the statements packed (PackedRunner) when the DataSource's connections take several
 * statements per query (`multipleStatements`, ADR 0026): `START TRANSACTION` rides with the first statement
 * that needs an answer, inserts with the next one, and whatever is left with `COMMIT`. The same retries on a
 * deadlock or lock timeout; any other DataSource runs inSqlTransaction (MySQL at `isolation` when given).
 */
export function inPackedSqlTransaction<T>(
  dataSource: DataSource,
  work: (sql: SqlRunner) => Promise<T>,
  options: PackedTransactionOptions = {},
): Promise<T> {
  if (!packsStatements(dataSource)) {
    const { isolation } = options;

    return isolation && isMysql(dataSource)
      ? withTransactionRetry(() => dataSource.transaction(isolation, (manager) => work(sqlRunnerOf(manager))))
      : inSqlTransaction(dataSource, work);
  }

  return withTransactionRetry(async () => {
    const runner = dataSource.createQueryRunner();
    try {
      const sql = new PackedRunner(dataSource, runner, options.isolation);
      const result = await work(sql);
      await sql.commit();

      return result;
    } catch (error) {
      await rollBack(runner);
      throw error;
    } finally {
      await runner.release();
    }
  });
}

/**
 * Ends the failed transaction on its own connection. A connection that cannot is destroyed, not pooled:
 * its transaction might still be open, and the next caller would write into it.
 */
async function rollBack(runner: QueryRunner): Promise<void> {
  try {
    await runner.query('ROLLBACK');
  } catch {
    const connection = (runner as unknown as { databaseConnection?: { destroy?: () => void } }).databaseConnection;
    connection?.destroy?.();
  }
}
