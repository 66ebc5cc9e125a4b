/**
 * Every service slice's real MySQL migrations (scripts/migrate.ts) on a fresh MariaDB database: up,
 * idempotent on a second run, in step with the slice's entities, and down again without leftovers.
 * Lives here rather than beside scripts/migrate.ts because the integration project only runs apps/ and libs/.
 */
import { AUTH_ENTITIES } from '@sms/auth';
import { DLR_INGEST_ENTITIES } from '@sms/dlr-ingest';
import { DLR_PROCESSOR_ENTITIES } from '@sms/dlr-processor';
import { INTAKE_ENTITIES } from '@sms/intake';
import { ROUTER_ENTITIES } from '@sms/router';
import { SEND_WORKER_ENTITIES } from '@sms/send-worker';
import { migrate, SLICES } from '../../../../scripts/migrate';
import { createTestDatabase, type TestDatabase } from '../../../../test/integration/test-database';
import { createServiceDataSource } from './data-source.factory';

jest.setTimeout(120_000);

const ENTITIES: Record<string, Parameters<typeof createServiceDataSource>[0]['entities']> = {
  auth: AUTH_ENTITIES,
  intake: INTAKE_ENTITIES,
  router: ROUTER_ENTITIES,
  'send-worker': SEND_WORKER_ENTITIES,
  'dlr-ingest': DLR_INGEST_ENTITIES,
  'dlr-processor': DLR_PROCESSOR_ENTITIES,
};

const migrationsTable = (slice: string): string => `${slice.replace(/-/g, '_')}_migrations`;

async function tables(db: TestDatabase): Promise<string[]> {
  const rows = await db.query<{ name: string }[]>(
    'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?',
    [db.name],
  );

  return rows.map((r) => r.name).sort();
}

async function columnsOf(db: TestDatabase, table: string): Promise<string[]> {
  const rows = await db.query<{ name: string }[]>(
    'SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
    [db.name, table],
  );

  return rows.map((r) => r.name).sort();
}

/** The tables and columns the slice's entities expect, read from TypeORM's metadata. */
async function entityTables(db: TestDatabase, slice: string): Promise<Map<string, string[]>> {
  const dataSource = await createServiceDataSource({
    service: slice,
    database: { kind: 'mysql', url: db.url, poolSize: 1 },
    entities: ENTITIES[slice] ?? [],
    migrations: [],
  }).initialize();
  try {
    return new Map(
      dataSource.entityMetadatas.map((m) => [m.tableName, m.columns.map((c) => c.databaseName).sort()] as const),
    );
  } finally {
    await dataSource.destroy();
  }
}

it('knows every slice that has entities', () => {
  expect(Object.keys(SLICES).sort()).toEqual(Object.keys(ENTITIES).sort());
});

describe.each(Object.keys(SLICES))('slice %s', (slice) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase([]);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('migrates up on a fresh database, then finds nothing to run, then reverts to an empty schema', async () => {
    const migrations = SLICES[slice] ?? [];
    expect(migrations.length).toBeGreaterThan(0);

    const applied = await migrate(db.url, [slice]);
    expect(applied).toEqual(migrations.map((m) => `${slice}: ${m.name}`));
    const expected = await entityTables(db, slice);
    expect(await tables(db)).toEqual([...expected.keys(), migrationsTable(slice)].sort());
    for (const [table, columns] of expected) {
      expect({ table, columns: await columnsOf(db, table) }).toEqual({ table, columns });
    }

    expect(await migrate(db.url, [slice])).toEqual([]);
    expect(await tables(db)).toEqual([...expected.keys(), migrationsTable(slice)].sort());

    for (let i = 0; i < migrations.length; i++) {
      expect(await migrate(db.url, [slice], true)).toEqual([`${slice}: reverted`]);
    }
    expect(await tables(db)).toEqual([migrationsTable(slice)]);
    expect(await db.query(`SELECT * FROM ${migrationsTable(slice)}`)).toEqual([]);

    // And up again: down left nothing behind that would break a re-deploy.
    expect(await migrate(db.url, [slice])).toHaveLength(migrations.length);
  });
});

describe('every slice in one database (the deploy step)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase([]);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('runs each slice with its own migrations table, once', async () => {
    const all = Object.entries(SLICES).flatMap(([slice, migrations]) => migrations.map((m) => `${slice}: ${m.name}`));

    expect(await migrate(db.url)).toEqual(all);
    expect(await migrate(db.url)).toEqual([]);
    const present = await tables(db);
    for (const slice of Object.keys(SLICES)) {
      expect(present).toContain(migrationsTable(slice));
      for (const table of (await entityTables(db, slice)).keys()) {
        expect(present).toContain(table);
      }
    }
  });

  it('refuses an unknown slice before touching the database', async () => {
    await expect(migrate(db.url, ['billing'])).rejects.toThrow(/^unknown slice 'billing' \(known: auth, intake/);
  });
});
