import { createServiceDataSource } from './data-source.factory';

/**
 * Runs one service slice's MySQL migrations, with the slice's own migrations table, as the deploy step
 * does (scripts/migrate.ts runs every slice through this). A slice's tests call it with that slice's
 * migrations only, so a library's test does not load every other service's schema.
 * @returns the names of the migrations run (or `<slice>: reverted`).
 */
export async function migrateSlice(
  url: string,
  slice: string,
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own type for migration classes
  migrations: Function[],
  options: { readonly revert?: boolean } = {},
): Promise<string[]> {
  const dataSource = await createServiceDataSource({
    service: slice,
    database: { kind: 'mysql', url, poolSize: 1 },
    entities: [],
    migrations,
  }).initialize();
  try {
    if (options.revert) {
      await dataSource.undoLastMigration({ transaction: 'each' });

      return [`${slice}: reverted`];
    }
    const ran = await dataSource.runMigrations({ transaction: 'each' });

    return ran.map((m) => `${slice}: ${m.name}`);
  } finally {
    await dataSource.destroy();
  }
}
