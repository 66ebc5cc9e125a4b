import type { EntityManager } from 'typeorm';

/** Runs a write and returns the rows it changed, the same way on MySQL and SQLite. */
export async function affectedRows(manager: EntityManager, sql: string, parameters: unknown[]): Promise<number> {
  const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
  try {
    // The structured result carries `affected` for both drivers; the plain one does not on SQLite.
    const result = (await runner.query(sql, parameters, true)) as { affected?: number };

    return result.affected ?? 0;
  } finally {
    if (!manager.queryRunner) {
      await runner.release();
    }
  }
}
