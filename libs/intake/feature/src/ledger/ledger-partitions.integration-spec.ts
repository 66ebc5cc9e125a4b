/**
 * Intake's ledger partitioned by month on a real MariaDB (the real migrations): months ahead take inserts,
 * a message id stays unique across months, a lookup by id reads one partition, and a month past the hot
 * window leaves the ledger and its events through the MonthArchive port.
 */
import { randomUUID } from 'node:crypto';
import {
  type ArchivedMonth,
  type MonthArchive,
  monthEnd,
  type MonthlyTable,
  monthOf,
  monthStart,
  PartitionMaintenance,
  partitionNameOf,
  readPartitionLayout,
} from '@sms/persistence';
import { type OpenSlice } from '@sms/testing-slices';
import { v7 as uuidv7 } from 'uuid';
import type { DataSource } from 'typeorm';
import { INTAKE_MARIADB } from '../../test/intake-engines';
import { INTAKE_MONTHLY_TABLES } from '../database/ledger-tables';
import { validateMessageRequest } from '../messages/message-request.validator';
import { DuplicateMessageError, LedgerWriter, type NewMessage } from './ledger.writer';
import { findMessageById, messageByIdQuery } from './message-lookup';

jest.setTimeout(120_000);

const ACCOUNT = '0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3';
const MESSAGE = validateMessageRequest({ to: '+447400123456', body: 'Your code is 123456' });
const DAY = 86_400_000;

let slice: OpenSlice;
let dataSource: DataSource;
let writer: LedgerWriter;

beforeAll(async () => {
  slice = await INTAKE_MARIADB.open();
  dataSource = slice.dataSource;
  writer = new LedgerWriter(dataSource);
});

afterAll(async () => {
  await slice?.close();
});

beforeEach(async () => {
  for (const table of ['message_events', 'sms_messages', 'intake_outbox', 'idempotency_keys']) {
    await dataSource.query(`DELETE FROM ${table}`);
  }
});

const message = (createdAt: Date, id = uuidv7({ msecs: createdAt.getTime() }), idMadeHere = true): NewMessage => ({
  id,
  message: MESSAGE,
  apiKeyId: null,
  accountId: ACCOUNT,
  createdAt,
  idMadeHere,
});

const count = async (sql: string, params: unknown[] = []): Promise<number> =>
  Number((await dataSource.query<{ n: number | string }[]>(sql, params))[0]?.n);

/** The partitions EXPLAIN says a query reads. */
async function partitionsRead(query: { getQueryAndParameters(): [string, unknown[]] }): Promise<string[]> {
  const [sql, parameters] = query.getQueryAndParameters();
  const [plan] = await dataSource.query<{ partitions: string | null }[]>(`EXPLAIN PARTITIONS ${sql}`, parameters);

  return (plan?.partitions ?? '').split(',').filter((p) => p !== '');
}

it('migrates both tables to monthly partitions through three months ahead, with a catch-all', async () => {
  const current = monthOf(new Date());
  for (const table of INTAKE_MONTHLY_TABLES) {
    const layout = await readPartitionLayout(dataSource, table.table);

    expect(layout.months[0]).toBe(current);
    expect(layout.months.length).toBeGreaterThanOrEqual(4);
    expect(layout.hasFuture).toBe(true);
  }
});

it('takes messages dated in every month ahead and years later', async () => {
  const now = Date.now();
  const dates = [0, 32, 63, 95, 800].map((days) => new Date(now + days * DAY));

  await writer.writeAll(dates.map((at) => message(at)));

  expect(await count('SELECT COUNT(*) AS n FROM sms_messages')).toBe(5);
  expect(await count('SELECT COUNT(*) AS n FROM message_events')).toBe(5);
  expect(await count('SELECT COUNT(*) AS n FROM sms_messages PARTITION (p_future)')).toBe(1);
});

it("refuses a producer's id written again a month later, though the primary key has the time in it", async () => {
  const id = randomUUID();
  await writer.write(message(new Date(), id, false));

  await expect(writer.write(message(new Date(Date.now() + 40 * DAY), id, false))).rejects.toBeInstanceOf(
    DuplicateMessageError,
  );
  expect(await count('SELECT COUNT(*) AS n FROM sms_messages WHERE id = ?', [id])).toBe(1);
});

it('looks a message up by id in the one partition its UUIDv7 time names', async () => {
  const sent = message(new Date());
  await writer.write(sent);
  const all = (await readPartitionLayout(dataSource, 'sms_messages')).months.length + 1;

  const pruned = await partitionsRead(messageByIdQuery(dataSource, sent.id, ACCOUNT));
  const unpruned = await partitionsRead(messageByIdQuery(dataSource, sent.id, ACCOUNT, false));

  expect(pruned.length).toBeLessThanOrEqual(2);
  expect(pruned).toContain(partitionNameOf(monthOf(sent.createdAt)));
  expect(unpruned).toHaveLength(all);
  expect((await findMessageById(dataSource, sent.id, ACCOUNT))?.id).toBe(sent.id);
  expect(await findMessageById(dataSource, sent.id, randomUUID())).toBeNull();
});

it("finds a producer's UUIDv7 id written long after its time, by asking every partition", async () => {
  const id = uuidv7({ msecs: Date.now() - 200 * DAY });
  await writer.write(message(new Date(), id, false));

  expect((await findMessageById(dataSource, id, ACCOUNT))?.id).toBe(id);
});

describe('retiring a month of the ledger', () => {
  class RecordingArchive implements MonthArchive {
    readonly calls: string[] = [];

    async archiveMonth(source: DataSource, table: MonthlyTable, month: string): Promise<ArchivedMonth> {
      this.calls.push(`${table.table}:${month}`);
      const rows = await source.query<{ n: number | string }[]>(
        `SELECT COUNT(*) AS n FROM ${table.table} WHERE ${table.createdColumn} >= ? AND ${table.createdColumn} < ?`,
        [monthStart(month), monthEnd(month)],
      );

      return { table: table.table, month, rows: Number(rows[0]?.n), location: `/archive/${table.table}/${month}` };
    }
  }

  it('archives the message and its events, then drops the month from both tables', async () => {
    const current = monthOf(new Date());
    await writer.write(message(new Date()));
    const archive = new RecordingArchive();
    const later = new Date(monthStart(current).getTime() + 150 * DAY);

    const report = await new PartitionMaintenance({
      dataSource,
      tables: INTAKE_MONTHLY_TABLES,
      monthsAhead: 3,
      hotDays: 90,
      archive,
      dropUnarchived: false,
      now: () => later,
    }).runOnce();

    expect(archive.calls).toEqual(expect.arrayContaining([`sms_messages:${current}`, `message_events:${current}`]));
    expect(report.retired.map((r) => `${r.table}:${r.month}`)).toEqual(
      expect.arrayContaining([`sms_messages:${current}`, `message_events:${current}`]),
    );
    expect(await count('SELECT COUNT(*) AS n FROM sms_messages')).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM message_events')).toBe(0);
    expect((await readPartitionLayout(dataSource, 'sms_messages')).months).not.toContain(current);
  });
});
