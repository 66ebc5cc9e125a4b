import type { DataSource, EntityManager } from 'typeorm';
import { isMysql } from './data-source.factory';
import { withTransactionRetry } from './transient-db-error';

/** One lane per SQLite DataSource: TypeORM gives SQLite a single connection, so transactions must queue. */
const sqliteLanes = new WeakMap<DataSource, Promise<unknown>>();

/**
 * Runs `work` in a transaction, re-running it on a deadlock or lock timeout. On SQLite, transactions
 * of one DataSource run one after another: the single connection cannot hold two, and letting them
 * interleave would make one's writes part of the other's (and of its rollback).
 */
export async function inTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  const run = (): Promise<T> => withTransactionRetry(() => dataSource.transaction(work));
  if (isMysql(dataSource)) {
    return run();
  }
  const previous = sqliteLanes.get(dataSource) ?? Promise.resolve();
  const result = previous.then(run, run);
  sqliteLanes.set(
    dataSource,
    result.catch(() => undefined),
  );

  return result;
}
