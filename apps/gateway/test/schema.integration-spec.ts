/**
 * The two ways a slice gets its schema must agree: the embedded mode builds SQLite tables from the
 * entities (ADR 0003), the distributed mode runs the MySQL migrations. For every slice, the tables and
 * columns the migrations create on a real MariaDB are exactly those its entities map.
 */
import { AUTH_ENTITIES } from '@sms/auth';
import { DLR_INGEST_ENTITIES } from '@sms/dlr-ingest';
import { DLR_PROCESSOR_ENTITIES } from '@sms/dlr-processor';
import { INTAKE_ENTITIES } from '@sms/intake';
import { MASKING_ENTITIES } from '@sms/masking';
import { OPT_OUT_ENTITIES } from '@sms/opt-out';
import { createServiceDataSource, type ServiceDataSourceOptions } from '@sms/persistence';
import { ROUTER_ENTITIES } from '@sms/router';
import { SEND_WORKER_ENTITIES } from '@sms/send-worker';
import { createTestDatabase, type TestDatabase } from '@sms/testing';
import { migrate, SLICES } from '../../../scripts/migrate';

jest.setTimeout(120_000);

const ENTITIES: Record<string, ServiceDataSourceOptions['entities']> = {
  auth: AUTH_ENTITIES,
  intake: INTAKE_ENTITIES,
  router: ROUTER_ENTITIES,
  'send-worker': SEND_WORKER_ENTITIES,
  'dlr-ingest': DLR_INGEST_ENTITIES,
  'dlr-processor': DLR_PROCESSOR_ENTITIES,
  'opt-out': OPT_OUT_ENTITIES,
  masking: MASKING_ENTITIES,
};

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.url);
});

afterAll(async () => {
  await db?.drop();
});

/** Table → sorted column names, as the database has them. */
async function migratedTables(): Promise<Map<string, string[]>> {
  const rows = await db.query<{ table: string; column: string }[]>(
    'SELECT TABLE_NAME AS `table`, COLUMN_NAME AS `column` FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ?',
    [db.name],
  );
  const tables = new Map<string, string[]>();
  for (const { table, column } of rows) {
    tables.set(table, [...(tables.get(table) ?? []), column].sort());
  }

  return tables;
}

it('has the entities of every slice that has migrations', () => {
  expect(Object.keys(ENTITIES).sort()).toEqual(Object.keys(SLICES).sort());
});

it.each(Object.keys(SLICES))('slice %s: the migrated tables and columns are those of its entities', async (slice) => {
  const dataSource = await createServiceDataSource({
    service: slice,
    database: { kind: 'mysql', url: db.url, poolSize: 1 },
    entities: ENTITIES[slice] ?? [],
    migrations: [],
  }).initialize();
  try {
    const migrated = await migratedTables();
    for (const metadata of dataSource.entityMetadatas) {
      const columns = metadata.columns.map((c) => c.databaseName).sort();

      expect({ table: metadata.tableName, columns: migrated.get(metadata.tableName) }).toEqual({
        table: metadata.tableName,
        columns,
      });
    }
    expect(dataSource.entityMetadatas.length).toBeGreaterThan(0);
  } finally {
    await dataSource.destroy();
  }
});
