/**
 * The partition maintenance on a real MariaDB: months created ahead, inserts in any month, months past the
 * hot window archived (through a recording MonthArchive of our own port) and then dropped, and several
 * replicas at once.
 */
import { createTestDatabase, type TestDatabase } from '@sms/testing';
import type { DataSource } from 'typeorm';
import { createServiceDataSource } from '../data-source.factory';
import type { ArchivedMonth, MonthArchive, MonthlyTable } from '../retention/archive.ports';
import { monthEnd, monthStart } from './calendar-month';
import { convertToMonthlyPartitions, readPartitionLayout, removeMonthlyPartitions } from './monthly-partitions';
import { PartitionMaintenance, type PartitionMaintenanceOptions } from './partition-maintenance';

jest.setTimeout(60_000);

const TABLE: MonthlyTable = { table: 'ledger_rows', createdColumn: 'created_at' };
const NOW = new Date('2026-06-15T12:00:00Z');

/** Records each archived month with the rows it read, as the real archive would copy them. */
class RecordingArchive implements MonthArchive {
  readonly calls: string[] = [];
  failing = false;
  undercount = 0;

  async archiveMonth(dataSource: DataSource, table: MonthlyTable, month: string): Promise<ArchivedMonth> {
    this.calls.push(`${table.table}:${month}`);
    if (this.failing) {
      throw new Error('archive store unavailable');
    }
    const [row] = await dataSource.query<{ n: number | string }[]>(
      `SELECT COUNT(*) AS n FROM ${table.table} WHERE ${table.createdColumn} >= ? AND ${table.createdColumn} < ?`,
      [monthStart(month), monthEnd(month)],
    );

    return {
      table: table.table,
      month,
      rows: Number(row?.n) - this.undercount,
      location: `/archive/${month}.ndjson.gz`,
    };
  }
}

let db: TestDatabase;
let dataSource: DataSource;

beforeAll(async () => {
  db = await createTestDatabase();
  dataSource = await createServiceDataSource({
    service: 'partitions-test',
    database: { kind: 'mysql', url: db.url, poolSize: 6 },
    entities: [],
    migrations: [],
  }).initialize();
});

afterAll(async () => {
  await dataSource?.destroy();
  await db?.drop();
});

beforeEach(async () => {
  await db.query('DROP TABLE IF EXISTS ledger_rows');
  await db.query(
    'CREATE TABLE ledger_rows (id bigint NOT NULL AUTO_INCREMENT, created_at datetime(3) NOT NULL, PRIMARY KEY (id))',
  );
});

const insertAt = (...dates: string[]): Promise<unknown> =>
  db.query(
    `INSERT INTO ledger_rows (created_at) VALUES ${dates.map(() => '(?)').join(', ')}`,
    dates.map((d) => new Date(d)),
  );

const months = async (): Promise<readonly string[]> => (await readPartitionLayout(dataSource, TABLE.table)).months;

const convert = (now = NOW): Promise<boolean> =>
  convertToMonthlyPartitions(dataSource, TABLE, {
    keyChanges: ['DROP PRIMARY KEY', 'ADD PRIMARY KEY (id, created_at)'],
    monthsAhead: 2,
    now,
  });

const maintenance = (options: Partial<PartitionMaintenanceOptions> = {}): PartitionMaintenance =>
  new PartitionMaintenance({
    dataSource,
    tables: [TABLE],
    monthsAhead: 3,
    hotDays: 90,
    dropUnarchived: false,
    now: () => NOW,
    ...options,
  });

describe('converting a table', () => {
  it('makes one partition per month from the oldest row to the months ahead, and is idempotent', async () => {
    await insertAt('2026-02-10T00:00:00Z', '2026-05-31T23:59:59.999Z');

    expect(await convert()).toBe(true);
    expect(await months()).toEqual(['2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08']);
    expect((await readPartitionLayout(dataSource, TABLE.table)).hasFuture).toBe(true);
    expect(await convert()).toBe(false);
    expect(await db.query('SELECT COUNT(*) AS n FROM ledger_rows')).toEqual([{ n: 2 }]);
  });

  it('reverts to one partition and the old key', async () => {
    await convert();
    await removeMonthlyPartitions(dataSource, TABLE.table, ['DROP PRIMARY KEY', 'ADD PRIMARY KEY (id)']);

    expect(await readPartitionLayout(dataSource, TABLE.table)).toEqual({
      partitioned: false,
      months: [],
      hasFuture: false,
    });
  });
});

describe('creating months ahead', () => {
  it('adds the missing months after the last one and nothing on a second run', async () => {
    await convert();
    const later = maintenance({ now: () => new Date('2026-09-02T00:00:00Z'), hotDays: 0 });

    const first = await later.runOnce();
    expect(first.created.map((c) => c.month)).toEqual(['2026-09', '2026-10', '2026-11', '2026-12']);
    expect(await months()).toEqual(['2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11', '2026-12']);
    expect((await later.runOnce()).created).toEqual([]);
  });

  it('takes inserts for every month ahead and far beyond them, in the right partitions', async () => {
    await convert();
    await maintenance().runOnce();
    await insertAt('2026-07-01T00:00:00Z', '2026-09-30T23:59:59.999Z', '2031-01-01T00:00:00Z');

    const placed = await db.query<{ name: string; n: number }[]>(
      `SELECT PARTITION_NAME AS name, TABLE_ROWS AS n FROM information_schema.PARTITIONS
        WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'ledger_rows' ORDER BY PARTITION_ORDINAL_POSITION`,
    );
    expect(placed.map((p) => p.name)).toEqual(['p202606', 'p202607', 'p202608', 'p202609', 'p_future']);
    const byPartition = await db.query<{ p: string; n: number }[]>(
      `SELECT 'p202607' AS p, COUNT(*) AS n FROM ledger_rows PARTITION (p202607)
        UNION ALL SELECT 'p202609', COUNT(*) FROM ledger_rows PARTITION (p202609)
        UNION ALL SELECT 'p_future', COUNT(*) FROM ledger_rows PARTITION (p_future)`,
    );
    expect(byPartition).toEqual([
      { p: 'p202607', n: 1 },
      { p: 'p202609', n: 1 },
      { p: 'p_future', n: 1 },
    ]);
  });

  it('splits the new months out of a catch-all that already holds rows without losing them', async () => {
    await convert();
    await insertAt('2026-10-05T00:00:00Z', '2026-12-05T00:00:00Z');

    await maintenance({ now: () => new Date('2026-09-10T00:00:00Z'), hotDays: 0 }).runOnce();
    expect(
      await db.query(
        'SELECT COUNT(*) AS n FROM ledger_rows PARTITION (p202610) UNION ALL SELECT COUNT(*) FROM ledger_rows PARTITION (p202612)',
      ),
    ).toEqual([{ n: 1 }, { n: 1 }]);
  });
});

describe('retiring months past the hot window', () => {
  beforeEach(async () => {
    await insertAt('2026-01-10T00:00:00Z', '2026-02-01T00:00:00Z', '2026-02-27T00:00:00Z', '2026-03-20T00:00:00Z');
    await convert(new Date('2026-01-15T00:00:00Z'));
  });

  it('archives each whole month older than the window, oldest first, then drops it', async () => {
    const archive = new RecordingArchive();

    // 90 days before 2026-06-15 is 2026-03-17: January and February are past it, March is not whole.
    const report = await maintenance({ archive }).runOnce();

    expect(archive.calls).toEqual(['ledger_rows:2026-01', 'ledger_rows:2026-02']);
    expect(report.retired.map((r) => [r.month, r.archived.map((a) => a.rows)])).toEqual([
      ['2026-01', [1]],
      ['2026-02', [2]],
    ]);
    expect((await months())[0]).toBe('2026-03');
    expect(await db.query('SELECT COUNT(*) AS n FROM ledger_rows')).toEqual([{ n: 1 }]);
    expect((await maintenance({ archive }).runOnce()).retired).toEqual([]);
    expect(archive.calls).toHaveLength(2);
  });

  it('keeps the months when no archive is bound, unless dropping unarchived is asked for', async () => {
    const kept = await maintenance().runOnce();
    expect(kept.kept.map((k) => k.month)).toEqual(['2026-01']);
    expect((await months())[0]).toBe('2026-01');

    const dropped = await maintenance({ dropUnarchived: true }).runOnce();
    expect(dropped.retired.map((r) => r.month)).toEqual(['2026-01', '2026-02']);
    expect((await months())[0]).toBe('2026-03');
  });

  it('keeps a month whose archive failed, and the later ones', async () => {
    const archive = new RecordingArchive();
    archive.failing = true;

    await expect(maintenance({ archive }).runOnce()).rejects.toThrow('archive store unavailable');
    expect((await months())[0]).toBe('2026-01');
    expect(await db.query('SELECT COUNT(*) AS n FROM ledger_rows')).toEqual([{ n: 4 }]);
  });

  it('keeps a month whose archive did not take every row', async () => {
    const archive = new RecordingArchive();
    archive.undercount = 1;

    const report = await maintenance({ archive }).runOnce();
    expect(report.kept).toEqual([
      { table: 'ledger_rows', month: '2026-01', reason: 'archive holds 0 rows, the partition 1' },
    ]);
    expect((await months())[0]).toBe('2026-01');
  });

  it('keeps the oldest month when it holds rows dated before it, rather than overwrite an archived month', async () => {
    await insertAt('2025-11-30T00:00:00Z');
    const archive = new RecordingArchive();

    const report = await maintenance({ archive }).runOnce();
    expect(report.kept.map((k) => k.month)).toEqual(['2026-01']);
    expect(report.kept[0]?.reason).toMatch(/rows dated before 2026-01/);
    expect(archive.calls).toEqual([]);
  });

  it('keeps everything with a hot window of 0', async () => {
    const archive = new RecordingArchive();

    expect((await maintenance({ archive, hotDays: 0 }).runOnce()).retired).toEqual([]);
    expect(archive.calls).toEqual([]);
  });
});

describe('several replicas', () => {
  it('runs the work once when three start together, and leaves a consistent layout', async () => {
    await insertAt('2026-01-10T00:00:00Z', '2026-02-10T00:00:00Z');
    await convert(new Date('2026-01-15T00:00:00Z'));
    const archive = new RecordingArchive();

    const reports = await Promise.all([1, 2, 3].map(() => maintenance({ archive }).runOnce()));

    expect(reports.filter((r) => r.ran).length).toBeGreaterThanOrEqual(1);
    expect(archive.calls).toEqual(['ledger_rows:2026-01', 'ledger_rows:2026-02']);
    expect(await months()).toEqual(['2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09']);
    // Whoever ran later found nothing left to do.
    expect(reports.flatMap((r) => r.created.map((c) => c.month)).sort()).toEqual([
      '2026-04',
      '2026-05',
      '2026-06',
      '2026-07',
      '2026-08',
      '2026-09',
    ]);
  });

  it('skips the run while another replica holds the lock', async () => {
    await convert();
    const holder = dataSource.createQueryRunner();
    await holder.connect();
    try {
      await holder.query('SELECT GET_LOCK(?, 0)', [`partitions:${db.name}`]);

      expect(await maintenance().runOnce()).toEqual({ ran: false, created: [], retired: [], kept: [] });
    } finally {
      await holder.query('SELECT RELEASE_LOCK(?)', [`partitions:${db.name}`]);
      await holder.release();
    }
    expect((await maintenance().runOnce()).ran).toBe(true);
  });
});
