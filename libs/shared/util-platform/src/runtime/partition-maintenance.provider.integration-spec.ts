/**
 * The provider every service uses to run its partition maintenance: nothing on SQLite, and on a real
 * MariaDB a job started at once with the configured months ahead and the bound archive, stopped at shutdown.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type ArchivedMonth,
  convertToMonthlyPartitions,
  createServiceDataSource,
  type MonthArchive,
  type MonthlyTable,
  monthOf,
  addMonths,
  readPartitionLayout,
} from '@sms/persistence';
import { createTestDatabase, type TestDatabase } from '@sms/testing';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../config/app.config';
import type { RetentionGroup } from '../config/groups/retention.config';
import { ShutdownRegistry } from '../lifecycle/shutdown.registry';
import { partitionMaintenanceProvider } from './partition-maintenance.provider';

jest.setTimeout(60_000);

const TABLE: MonthlyTable = { table: 'grown_rows', createdColumn: 'created_at' };
const NO_ARCHIVE: MonthArchive = {
  archiveMonth: (): Promise<ArchivedMonth> => Promise.reject(new Error('not expected')),
};

const retentionWith = (env: Record<string, string>): RetentionGroup => loadConfig(env).retention;

it('runs nothing in the embedded mode (SQLite has no partitions)', async () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'partitions-'));
  const dataSource = await createServiceDataSource({
    service: 'embedded-test',
    database: { kind: 'sqlite', directory },
    entities: [],
    migrations: [],
  }).initialize();
  try {
    const shutdown = new ShutdownRegistry();
    const provider = partitionMaintenanceProvider(Symbol('p'), Symbol('ds'), 'intake', [TABLE]);

    expect(await provider.useFactory(dataSource, retentionWith({}), shutdown, NO_ARCHIVE)).toBeNull();
  } finally {
    await dataSource.destroy();
    rmSync(directory, { recursive: true, force: true });
  }
});

describe('on MariaDB', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await createServiceDataSource({
      service: 'provider-test',
      database: { kind: 'mysql', url: db.url, poolSize: 3 },
      entities: [],
      migrations: [],
    }).initialize();
    await db.query(
      'CREATE TABLE grown_rows (id bigint NOT NULL, created_at datetime(3) NOT NULL, PRIMARY KEY (id, created_at))',
    );
    await convertToMonthlyPartitions(dataSource, TABLE, { keyChanges: [], monthsAhead: 1 });
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('starts the job at once with the configured months ahead, and stops it at shutdown', async () => {
    const shutdown = new ShutdownRegistry();
    const provider = partitionMaintenanceProvider(Symbol('p'), Symbol('ds'), 'intake', [TABLE]);

    const job = await provider.useFactory(
      dataSource,
      retentionWith({ PARTITION_MONTHS_AHEAD: '5' }),
      shutdown,
      NO_ARCHIVE,
    );
    expect(job).not.toBeNull();
    const last = addMonths(monthOf(new Date()), 5);
    for (let i = 0; i < 100 && !(await readPartitionLayout(dataSource, TABLE.table)).months.includes(last); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    expect((await readPartitionLayout(dataSource, TABLE.table)).months.at(-1)).toBe(last);
    await shutdown.runAll();
  });
});
