/**
 * Every service slice's real MySQL migrations (scripts/migrate.ts) on a fresh MariaDB database: up,
 * idempotent on a second run, and down again without leftovers. That the migrated tables match each
 * slice's entities is checked in apps/gateway/test/schema.integration-spec.ts.
 */
import { createTestDatabase, type TestDatabase } from '@sms/testing';
import { migrate, SLICES } from './migrate';

jest.setTimeout(120_000);

const migrationsTable = (slice: string): string => `${slice.replace(/-/g, '_')}_migrations`;

async function tables(db: TestDatabase): Promise<string[]> {
  const rows = await db.query<{ name: string }[]>(
    'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?',
    [db.name],
  );

  return rows.map((r) => r.name).sort();
}

describe.each(Object.keys(SLICES))('slice %s', (slice) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('migrates up on a fresh database, finds nothing to run the second time, and reverts to no tables', async () => {
    const migrations = SLICES[slice] ?? [];
    expect(migrations.length).toBeGreaterThan(0);

    expect(await migrate(db.url, [slice])).toEqual(migrations.map((m) => `${slice}: ${m.name}`));
    const created = await tables(db);
    expect(created).toContain(migrationsTable(slice));
    expect(created.length).toBeGreaterThan(1);
    const recorded = await db.query<{ name: string }[]>(`SELECT name FROM ${migrationsTable(slice)}`);
    expect(recorded.map((r) => r.name)).toEqual(migrations.map((m) => m.name));

    expect(await migrate(db.url, [slice])).toEqual([]);
    expect(await tables(db)).toEqual(created);

    for (let i = 0; i < migrations.length; i++) {
      expect(await migrate(db.url, [slice], true)).toEqual([`${slice}: reverted`]);
    }
    expect(await tables(db)).toEqual([migrationsTable(slice)]);
    expect(await db.query(`SELECT * FROM ${migrationsTable(slice)}`)).toEqual([]);

    // And up again: down left nothing behind that would break a re-deploy.
    expect(await migrate(db.url, [slice])).toHaveLength(migrations.length);
    expect(await tables(db)).toEqual(created);
  });
});

describe('every slice in one database (the deploy step)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('runs each slice once, each with its own migrations table', async () => {
    const all = Object.entries(SLICES).flatMap(([slice, migrations]) => migrations.map((m) => `${slice}: ${m.name}`));

    expect(await migrate(db.url)).toEqual(all);
    expect(await migrate(db.url)).toEqual([]);
    const present = await tables(db);
    for (const slice of Object.keys(SLICES)) {
      expect(present).toContain(migrationsTable(slice));
    }
  });

  it('reverts one slice without touching the others', async () => {
    const before = await tables(db);
    await migrate(db.url, ['send-worker'], true);
    const after = await tables(db);

    expect(before.filter((t) => !after.includes(t))).toEqual(['send_attempts']);
    await migrate(db.url, ['send-worker']);
    expect(await tables(db)).toEqual(before);
  });

  it('refuses an unknown slice', async () => {
    await expect(migrate(db.url, ['billing'])).rejects.toThrow(/^unknown slice 'billing' \(known: auth, intake/);
  });
});
