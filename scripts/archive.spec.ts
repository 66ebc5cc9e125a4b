/**
 * `npm run archive` (scripts/archive.ts) on a real SQLite file and archive directory: list, verify (0 when
 * whole, 1 when a file was corrupted) and restore into the owning service's file, idempotently.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ArchiveCatalog, DirectoryArchiveStore, MonthArchiver } from '@sms/archive';
import { createServiceDataSource } from '@sms/persistence';
import type { DataSource } from 'typeorm';
import { main, UsageError } from './archive';

let dataDir: string;
let intake: DataSource;
const env = (): Record<string, string> => ({ DATA_DIR: dataDir });

async function run(args: string[]): Promise<{ code: number; output: string }> {
  let output = '';
  const code = await main(args, env(), (text) => {
    output += text;
  });

  return { code, output };
}

beforeEach(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'archive-cli-'));
  intake = await createServiceDataSource({
    service: 'intake',
    database: { kind: 'sqlite', directory: dataDir },
    entities: [],
    migrations: [],
  }).initialize();
  await intake.query(
    'CREATE TABLE message_events (id INTEGER PRIMARY KEY AUTOINCREMENT, message_id VARCHAR(36) NOT NULL, status VARCHAR(16) NOT NULL, occurred_at DATETIME(3) NOT NULL)',
  );
  for (let i = 1; i <= 30; i++) {
    await intake.query('INSERT INTO message_events (message_id, status, occurred_at) VALUES (?, ?, ?)', [
      `m-${i}`,
      'queued',
      `2026-01-${String(i).padStart(2, '0')} 10:00:00.000`,
    ]);
  }
  const catalog = new ArchiveCatalog(new DirectoryArchiveStore(path.join(dataDir, 'archive')));
  await new MonthArchiver(catalog).archiveMonth(
    intake,
    { table: 'message_events', createdColumn: 'occurred_at' },
    '2026-01',
  );
});
afterEach(async () => {
  await intake.destroy();
  rmSync(dataDir, { recursive: true, force: true });
});

it('lists the archive with each file, its rows and checksum', async () => {
  const { code, output } = await run(['list']);

  expect(code).toBe(0);
  expect(JSON.parse(output)).toEqual([
    {
      table: 'message_events',
      month: '2026-01',
      location: path.join(dataDir, 'archive', 'message_events/message_events-2026-01.ndjson.gz'),
      rows: 30,
      bytes: expect.any(Number),
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      createdAt: expect.any(String),
    },
  ]);
});

it('verifies: exit 0 when every file matches the manifest, 1 once one was corrupted', async () => {
  expect((await run(['verify'])).code).toBe(0);
  const file = path.join(dataDir, 'archive', 'message_events/message_events-2026-01.ndjson.gz');
  const bytes = readFileSync(file);
  bytes[bytes.length - 30]! ^= 0x55;
  writeFileSync(file, bytes);

  const { code, output } = await run(['verify']);

  expect(code).toBe(1);
  expect(JSON.parse(output)).toMatchObject({
    ok: false,
    files: [{ file: 'message_events/message_events-2026-01.ndjson.gz', ok: false }],
  });
});

it('restores a month into the embedded database, and a second run inserts nothing', async () => {
  await intake.query('DELETE FROM message_events');

  const first = await run(['restore', '--table', 'message_events', '--month', '2026-01', '--embedded']);

  expect(first.code).toBe(0);
  expect(JSON.parse(first.output)).toEqual({
    table: 'message_events',
    month: '2026-01',
    read: 30,
    inserted: 30,
    droppedColumns: [],
  });
  expect(await intake.query('SELECT COUNT(*) AS n FROM message_events')).toEqual([{ n: 30 }]);
  const again = await run(['restore', '--table', 'message_events', '--month', '2026-01', '--embedded']);
  expect(JSON.parse(again.output)).toMatchObject({ read: 30, inserted: 0 });
});

it('refuses an unknown table, a bad month and an unknown command with usage errors', async () => {
  await expect(run(['restore', '--table', 'users', '--month', '2026-01'])).rejects.toThrow(UsageError);
  await expect(run(['restore', '--table', 'sms_messages', '--month', '2026-1'])).rejects.toThrow(
    '--month must be YYYY-MM',
  );
  await expect(run(['drop'])).rejects.toThrow(/usage: archive/);
});

it('refuses both archive settings at once, as the gateway does at boot', async () => {
  await expect(
    main(['list'], { ARCHIVE_DIR: '/tmp/a', ARCHIVE_S3_BUCKET: 'sms-archive' }, () => undefined),
  ).rejects.toThrow(/ARCHIVE_DIR and ARCHIVE_S3_BUCKET are exclusive/);
});
