/**
 * Every archived table of every slice, on the schema each mode really builds (MariaDB from the migrations,
 * SQLite from the entities): rows of a month → archive file → deleted → restored equal, and the restore
 * repeated inserts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ArchiveCatalog,
  ARCHIVED_TABLES,
  ArchiveVerifier,
  DirectoryArchiveStore,
  MonthArchiver,
  MonthRestorer,
} from '@sms/archive';
import { DLR_INGEST_ENTITIES } from '@sms/dlr-ingest';
import { DLR_PROCESSOR_ENTITIES } from '@sms/dlr-processor';
import { INTAKE_ENTITIES } from '@sms/intake';
import { createServiceDataSource, dbValue, type ServiceDataSourceOptions } from '@sms/persistence';
import { SEND_WORKER_ENTITIES } from '@sms/send-worker';
import { createTestDatabase, type TestDatabase } from '@sms/testing';
import type { DataSource } from 'typeorm';
import { migrate } from '../../../scripts/migrate';

jest.setTimeout(180_000);

const ENTITIES: Record<string, ServiceDataSourceOptions['entities']> = {
  intake: INTAKE_ENTITIES,
  'send-worker': SEND_WORKER_ENTITIES,
  'dlr-ingest': DLR_INGEST_ENTITIES,
  'dlr-processor': DLR_PROCESSOR_ENTITIES,
};

/** A value of a column's type for row `i` (distinct per row, so unique keys hold). */
function valueFor(dataSource: DataSource, type: string, i: number, at: Date): unknown {
  if (type === 'datetime') {
    return dbValue(dataSource, new Date(at.getTime() + i * 1000));
  }
  if (type === 'boolean') {
    return dbValue(dataSource, i % 2 === 0);
  }
  if (['integer', 'int', 'smallint'].includes(type)) {
    return i + 1;
  }

  return `v${i}`;
}

/** Three rows in January 2026 and one in February, every column set. */
async function seed(dataSource: DataSource, table: string): Promise<void> {
  const metadata = dataSource.entityMetadatas.find((candidate) => candidate.tableName === table)!;
  for (let i = 0; i < 4; i++) {
    const at = i < 3 ? new Date(Date.UTC(2026, 0, 10 + i)) : new Date(Date.UTC(2026, 1, 2));
    const columns = metadata.columns.map((column) => column.databaseName);
    const values = metadata.columns.map((column) => valueFor(dataSource, String(column.type), i, at));
    await dataSource.query(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
      values,
    );
  }
}

async function rows(dataSource: DataSource, table: string): Promise<unknown[]> {
  return JSON.parse(JSON.stringify(await dataSource.query(`SELECT * FROM ${table} ORDER BY 1`))) as unknown[];
}

describe.each(['MariaDB', 'SQLite'])('every archived table on %s', (kind) => {
  let db: TestDatabase | undefined;
  let directory: string;
  let catalog: ArchiveCatalog;
  const sources = new Map<string, DataSource>();

  beforeAll(async () => {
    directory = mkdtempSync(path.join(tmpdir(), 'archive-round-trip-'));
    catalog = new ArchiveCatalog(new DirectoryArchiveStore(path.join(directory, 'archive')));
    if (kind === 'MariaDB') {
      db = await createTestDatabase();
      await migrate(db.url, Object.keys(ENTITIES));
    }
    for (const [service, entities] of Object.entries(ENTITIES)) {
      const dataSource = await createServiceDataSource({
        service,
        database: db ? { kind: 'mysql', url: db.url, poolSize: 2 } : { kind: 'sqlite', directory },
        entities,
        migrations: [],
      }).initialize();
      sources.set(service, dataSource);
    }
  });
  afterAll(async () => {
    for (const dataSource of sources.values()) {
      await dataSource.destroy();
    }
    await db?.drop();
    rmSync(directory, { recursive: true, force: true });
  });

  it.each(ARCHIVED_TABLES.map((table) => [table.table, table] as const))('%s', async (_name, table) => {
    const dataSource = sources.get(table.service)!;
    await seed(dataSource, table.table);
    const before = await rows(dataSource, table.table);

    const archived = await new MonthArchiver(catalog).archiveMonth(dataSource, table, '2026-01');
    expect(archived.rows).toBe(3);
    await dataSource.query(`DELETE FROM ${table.table}`);
    const restorer = new MonthRestorer(catalog);

    expect(await restorer.restoreMonth(dataSource, table.table, '2026-01')).toMatchObject({
      read: 3,
      inserted: 3,
      droppedColumns: [],
    });
    expect(await restorer.restoreMonth(dataSource, table.table, '2026-01')).toMatchObject({ inserted: 0 });
    // February was never archived: only January's rows come back, exactly as they were.
    expect(await rows(dataSource, table.table)).toEqual(before.slice(0, 3));
    expect(await new ArchiveVerifier(catalog).verify()).toMatchObject({ ok: true });
  });
});
