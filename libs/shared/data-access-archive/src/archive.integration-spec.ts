/**
 * The archive against real databases (MariaDB and SQLite) and real stores (a directory, and s3rver as
 * the local S3-compatible server): rows → file → restore, checksums, a corrupted file, the union on a
 * second archive of a month, lookups by id, and erasure of one number.
 */
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createServiceDataSource, type MonthlyTable } from '@sms/persistence';
import { createTestDatabase, type TestDatabase } from '@sms/testing';
import S3rver from 's3rver';
import type { DataSource } from 'typeorm';
import { ArchiveCatalog } from './archive-catalog';
import { ArchiveFileEraser } from './archive-eraser';
import type { ArchiveStore } from './archive-store';
import { ArchiveVerifier } from './archive-verifier';
import { ArchivedRowLookup } from './archived-row-lookup';
import { DirectoryArchiveStore } from './directory-store';
import { MonthArchiver } from './month-archiver';
import { MonthRestorer } from './month-restorer';
import { RetentionPurge } from './retention-purge';
import { S3ArchiveStore } from './s3-store';

jest.setTimeout(120_000);

const MESSAGES: MonthlyTable = { table: 'arc_messages', createdColumn: 'created_at' };
const EVENTS: MonthlyTable = { table: 'arc_events', createdColumn: 'occurred_at' };
const ERASED = '+447400123456';
const KEPT = '+447400654321';

/** The shapes of the ledger and its events: a UUID key with a body, and an integer key. */
async function createTables(dataSource: DataSource, mysql: boolean): Promise<void> {
  const autoIncrement = mysql ? 'INT AUTO_INCREMENT PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT';
  await dataSource.query(`CREATE TABLE arc_messages (
    id VARCHAR(36) NOT NULL PRIMARY KEY, account_id VARCHAR(36) NOT NULL, to_number VARCHAR(16) NOT NULL,
    body TEXT NOT NULL, segments SMALLINT NOT NULL, urgent BOOLEAN NOT NULL, cost VARCHAR(32) NULL,
    created_at DATETIME(3) NOT NULL, sent_at DATETIME(3) NULL)`);
  await dataSource.query(`CREATE TABLE arc_events (
    id ${autoIncrement}, message_id VARCHAR(36) NOT NULL, status VARCHAR(16) NOT NULL,
    detail VARCHAR(512) NULL, occurred_at DATETIME(3) NOT NULL)`);
}

/** A UUIDv7-shaped id minted at `at` (the month is in its first 48 bits). */
function idAt(at: Date, n: number): string {
  const hex = at.getTime().toString(16).padStart(12, '0');

  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-${n.toString(16).padStart(12, '0')}`;
}

interface Seeded {
  readonly january: string[];
}

/** 250 messages in January 2026 (every 10th to ERASED), 5 in February, and one event per message. */
async function seed(dataSource: DataSource, mysql: boolean): Promise<Seeded> {
  const january: string[] = [];
  const stamp = (at: Date): string | Date => (mysql ? at : at.toISOString().replace('T', ' ').replace('Z', ''));
  const rows: unknown[][] = [];
  for (let i = 0; i < 255; i++) {
    const at =
      i < 250 ? new Date(Date.UTC(2026, 0, 1 + (i % 31), 12, 0, 0, i)) : new Date(Date.UTC(2026, 1, 3, 0, 0, 0, i));
    const id = idAt(at, i);
    if (i < 250) {
      january.push(id);
    }
    const to = i % 10 === 0 ? ERASED : KEPT;
    rows.push([
      id,
      'acct-1',
      to,
      `secret body ${i} for ${to}`,
      1 + (i % 3),
      i % 2 === 0,
      i % 4 === 0 ? null : '0.0400',
      stamp(at),
      i % 5 === 0 ? null : stamp(at),
    ]);
  }
  for (const row of rows) {
    await dataSource.query(
      'INSERT INTO arc_messages (id, account_id, to_number, body, segments, urgent, cost, created_at, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      row.map((value) => (typeof value === 'boolean' ? Number(value) : value)),
    );
    await dataSource.query('INSERT INTO arc_events (message_id, status, detail, occurred_at) VALUES (?, ?, ?, ?)', [
      row[0],
      'queued',
      `queued for ${String(row[2])}`,
      row[7],
    ]);
  }

  return { january };
}

async function snapshot(dataSource: DataSource, table: string): Promise<unknown[]> {
  const rows: Record<string, unknown>[] = await dataSource.query(`SELECT * FROM ${table} ORDER BY id`);

  // Both drivers' values as comparable JSON (MySQL Dates, SQLite strings).
  return JSON.parse(JSON.stringify(rows)) as unknown[];
}

const countIn = async (dataSource: DataSource, table: string): Promise<number> =>
  Number((await dataSource.query<{ n: number | string }[]>(`SELECT COUNT(*) AS n FROM ${table}`))[0]!.n);

/** Every byte of every archive file, decompressed, as text. */
async function everything(catalog: ArchiveCatalog): Promise<string> {
  const texts: string[] = [];
  for (const entry of await catalog.entries()) {
    const chunks: Buffer[] = [];
    for await (const chunk of await catalog.store.openRead(entry.file)) {
      chunks.push(chunk as Buffer);
    }
    texts.push(gunzipSync(Buffer.concat(chunks)).toString('utf8'));
  }

  return texts.join('\n');
}

type Backend = { name: string; dataSource: () => Promise<{ ds: DataSource; mysql: boolean; close(): Promise<void> }> };

const backends: Backend[] = [
  {
    name: 'MariaDB',
    dataSource: async () => {
      const db: TestDatabase = await createTestDatabase();
      const ds = await createServiceDataSource({
        service: 'archive-test',
        database: { kind: 'mysql', url: db.url, poolSize: 2 },
        entities: [],
        migrations: [],
      }).initialize();

      return { ds, mysql: true, close: async () => (await ds.destroy(), await db.drop()) };
    },
  },
  {
    name: 'SQLite',
    dataSource: async () => {
      const directory = mkdtempSync(path.join(tmpdir(), 'archive-sqlite-'));
      const ds = await createServiceDataSource({
        service: 'archive-test',
        database: { kind: 'sqlite', directory },
        entities: [],
        migrations: [],
      }).initialize();

      return { ds, mysql: false, close: async () => (await ds.destroy(), rmSync(directory, { recursive: true })) };
    },
  },
];

describe.each(backends)('the archive on $name and a directory', ({ dataSource }) => {
  let ds: DataSource;
  let close: () => Promise<void>;
  let root: string;
  let catalog: ArchiveCatalog;
  let seeded: Seeded;

  beforeAll(async () => {
    const opened = await dataSource();
    ({ ds, close } = opened);
    await createTables(ds, opened.mysql);
    seeded = await seed(ds, opened.mysql);
    root = mkdtempSync(path.join(tmpdir(), 'archive-dir-'));
    catalog = new ArchiveCatalog(new DirectoryArchiveStore(root));
  });
  afterAll(async () => {
    await close?.();
    rmSync(root, { recursive: true, force: true });
  });

  it('writes a month to one self-describing file in keyset pages, restores it, and restores again as a no-op', async () => {
    const before = await snapshot(ds, 'arc_messages');
    // Pages of 40: several gzip blocks, so the keyset and block index are exercised.
    const archiver = new MonthArchiver(catalog, { pageSize: 40 });

    const archived = await archiver.archiveMonth(ds, MESSAGES, '2026-01');

    expect(archived).toEqual({
      table: 'arc_messages',
      month: '2026-01',
      rows: 250,
      location: path.join(root, 'arc_messages/arc_messages-2026-01.ndjson.gz'),
    });
    const lines = gunzipSync(readFileSync(archived.location)).toString('utf8').trim().split('\n');
    const header = JSON.parse(lines[0]!);
    expect(header).toMatchObject({
      format: 'sms-gateway-archive/1',
      table: 'arc_messages',
      month: '2026-01',
      createdColumn: 'created_at',
      primaryKey: ['id'],
      gatewayVersion: expect.stringMatching(/^\d+\.\d+\.\d+/),
    });
    expect(header.columns.map((c: { name: string; kind: string }) => `${c.name}:${c.kind}`)).toEqual([
      'id:text',
      'account_id:text',
      'to_number:text',
      'body:text',
      'segments:integer',
      'urgent:boolean',
      'cost:text',
      'created_at:datetime',
      'sent_at:datetime',
    ]);
    expect(JSON.parse(lines[lines.length - 1]!)).toEqual({ $end: { rows: 250 } });
    expect(lines).toHaveLength(252);
    const first = JSON.parse(lines[1]!);
    expect(first).toEqual({
      id: seeded.january.slice().sort()[0],
      account_id: 'acct-1',
      to_number: ERASED,
      body: `secret body 0 for ${ERASED}`,
      segments: 1,
      urgent: true,
      cost: null,
      created_at: '2026-01-01T12:00:00.000Z',
      sent_at: null,
    });
    const entry = (await catalog.entry('arc_messages', '2026-01'))!;
    expect(entry.blocks.map((b) => b.rows)).toEqual([40, 40, 40, 40, 40, 40, 10]);
    const manifest = JSON.parse(readFileSync(path.join(root, 'manifest.json'), 'utf8'));
    expect(manifest.files).toEqual([
      expect.objectContaining({
        table: 'arc_messages',
        month: '2026-01',
        rows: 250,
        bytes: entry.bytes,
        sha256: entry.sha256,
      }),
    ]);

    await ds.query(`DELETE FROM arc_messages WHERE created_at < ?`, [
      ds.options.type === 'mysql' ? new Date(Date.UTC(2026, 1, 1)) : '2026-02-01 00:00:00.000',
    ]);
    expect(await countIn(ds, 'arc_messages')).toBe(5);

    const restorer = new MonthRestorer(catalog);
    expect(await restorer.restoreMonth(ds, 'arc_messages', '2026-01')).toEqual({
      table: 'arc_messages',
      month: '2026-01',
      read: 250,
      inserted: 250,
      droppedColumns: [],
    });
    expect(await snapshot(ds, 'arc_messages')).toEqual(before);
    expect(await restorer.restoreMonth(ds, 'arc_messages', '2026-01')).toMatchObject({ read: 250, inserted: 0 });
    expect(await snapshot(ds, 'arc_messages')).toEqual(before);
  });

  it('pages an integer key, and keeps rows a second archive of the month no longer finds in the database', async () => {
    const archiver = new MonthArchiver(catalog, { pageSize: 64 });
    expect((await archiver.archiveMonth(ds, EVENTS, '2026-01')).rows).toBe(250);
    const restored = await snapshot(ds, 'arc_events');

    await ds.query(`DELETE FROM arc_events WHERE id <= 100`);
    await ds.query(`UPDATE arc_events SET status = 'sent' WHERE id = 150`);
    expect((await archiver.archiveMonth(ds, EVENTS, '2026-01')).rows).toBe(250);

    // Everything goes, February too: only January comes back.
    await ds.query(`DELETE FROM arc_events`);
    await new MonthRestorer(catalog).restoreMonth(ds, 'arc_events', '2026-01');
    const after = (await snapshot(ds, 'arc_events')) as { id: number; status: string }[];
    expect(after).toHaveLength(250);
    // The database's newer version of a row wins over the earlier file's.
    expect(after.find((row) => row.id === 150)?.status).toBe('sent');
    expect(after.filter((row) => row.id !== 150)).toEqual(
      (restored as { id: number }[]).filter((row) => row.id <= 250 && row.id !== 150),
    );
  });

  it('finds an archived row by id from its block alone, and nothing for an id it does not hold', async () => {
    const lookup = new ArchivedRowLookup(catalog);
    const id = seeded.january[123]!;

    const hit = await lookup.findById('arc_messages', '2026-01', id);

    expect(hit).toMatchObject({
      table: 'arc_messages',
      month: '2026-01',
      file: 'arc_messages/arc_messages-2026-01.ndjson.gz',
    });
    expect(hit?.row).toMatchObject({ id, account_id: 'acct-1' });
    expect(await lookup.findById('arc_messages', '2026-01', idAt(new Date(Date.UTC(2026, 0, 9)), 999))).toBeNull();
    expect(await lookup.findById('arc_messages', '2025-12', id)).toBeNull();
  });

  it('verifies every file against the manifest and names a corrupted one', async () => {
    const verifier = new ArchiveVerifier(catalog);
    expect(await verifier.verify()).toMatchObject({ ok: true, manifestProblems: [] });

    const file = path.join(root, 'arc_events/arc_events-2026-01.ndjson.gz');
    const original = readFileSync(file);
    const corrupted = Buffer.from(original);
    corrupted[Math.floor(corrupted.length / 2)]! ^= 0xff;
    writeFileSync(file, corrupted);
    try {
      const report = await verifier.verify();
      expect(report.ok).toBe(false);
      expect(report.files.find((f) => f.file === 'arc_events/arc_events-2026-01.ndjson.gz')).toMatchObject({
        ok: false,
      });
      expect(report.files.find((f) => f.file === 'arc_messages/arc_messages-2026-01.ndjson.gz')).toEqual({
        file: 'arc_messages/arc_messages-2026-01.ndjson.gz',
        ok: true,
      });

      // A file cut short is caught even by its own trailer.
      writeFileSync(file, original.subarray(0, original.length - 20));
      expect((await verifier.verify()).ok).toBe(false);
    } finally {
      writeFileSync(file, original);
    }
    expect((await verifier.verify()).ok).toBe(true);
  });

  it('erases one number: no archived row keeps it or its bodies, checksums and manifest follow', async () => {
    expect(await everything(catalog)).toContain(ERASED.slice(1));
    const eraser = new ArchiveFileEraser(catalog);
    // A lookup that read the entry before the rewrite (its block offsets are now stale).
    const lookup = new ArchivedRowLookup(catalog);
    const erasedId = seeded.january[30]!;
    expect((await lookup.findById('arc_messages', '2026-01', erasedId))?.row.to_number).toBe(ERASED);

    const report = await eraser.eraseNumber(ERASED);

    expect(report.rowsErased).toBe(50);
    expect(report.filesRewritten.sort()).toEqual(
      [
        path.join(root, 'arc_events/arc_events-2026-01.ndjson.gz'),
        path.join(root, 'arc_messages/arc_messages-2026-01.ndjson.gz'),
      ].sort(),
    );
    const text = await everything(catalog);
    expect(text).not.toContain(ERASED.slice(1));
    for (let i = 0; i < 250; i += 10) {
      expect(text).not.toContain(`secret body ${i} for`);
    }
    // Everyone else's rows are untouched.
    expect(text).toContain(`secret body 1 for ${KEPT}`);
    expect(await new ArchiveVerifier(catalog).verify()).toMatchObject({ ok: true });
    expect((await lookup.findById('arc_messages', '2026-01', erasedId))?.row).toMatchObject({
      id: erasedId,
      to_number: 'erased',
      body: '',
    });
    expect(await eraser.eraseNumber(ERASED)).toEqual({ filesRewritten: [], rowsErased: 0 });
    await expect(eraser.eraseNumber('447400123456')).rejects.toThrow(/E\.164/);
  });

  it('purges a retired month: archived first, then deleted in batches, newer months kept', async () => {
    const purge = new RetentionPurge(ds, [MESSAGES], new MonthArchiver(catalog), {
      hotDays: 20,
      deleteBatch: 30,
      now: () => new Date(Date.UTC(2026, 1, 25)),
    });

    // 2026-02-25 less 20 days is 2026-02-05: January has left the hot window, February has not.
    expect(await purge.runOnce()).toEqual([
      expect.objectContaining({ table: 'arc_messages', month: '2026-01', archived: 250, deleted: 250 }),
    ]);
    expect(await countIn(ds, 'arc_messages')).toBe(5);
    expect(await purge.runOnce()).toEqual([]);
    expect((await catalog.entry('arc_messages', '2026-01'))?.rows).toBe(250);
  });
});

describe('the archive in an S3-compatible bucket (s3rver)', () => {
  let server: S3rver;
  let directory: string;
  let sqlite: string;
  let ds: DataSource;
  let store: ArchiveStore;

  beforeAll(async () => {
    directory = mkdtempSync(path.join(tmpdir(), 's3rver-'));
    server = new S3rver({
      port: 0,
      address: '127.0.0.1',
      directory,
      silent: true,
      configureBuckets: [{ name: 'sms-archive', configs: [] }],
    });
    const { port } = (await server.run()) as { port: number };
    store = new S3ArchiveStore({
      bucket: 'sms-archive',
      prefix: 'gateway/eu',
      client: {
        endpoint: `http://127.0.0.1:${port}`,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      },
    });
    sqlite = mkdtempSync(path.join(tmpdir(), 'archive-s3-sqlite-'));
    ds = await createServiceDataSource({
      service: 'archive-test',
      database: { kind: 'sqlite', directory: sqlite },
      entities: [],
      migrations: [],
    }).initialize();
    await createTables(ds, false);
    await seed(ds, false);
  });
  afterAll(async () => {
    await ds?.destroy();
    await store?.close();
    await server?.close();
    rmSync(directory, { recursive: true, force: true });
    rmSync(sqlite, { recursive: true, force: true });
  });

  it('archives, lists, looks up by range, verifies, erases and restores through the bucket', async () => {
    const catalog = new ArchiveCatalog(store);
    const archived = await new MonthArchiver(catalog, { pageSize: 50 }).archiveMonth(ds, MESSAGES, '2026-01');
    expect(archived).toEqual({
      table: 'arc_messages',
      month: '2026-01',
      rows: 250,
      location: 's3://sms-archive/gateway/eu/arc_messages/arc_messages-2026-01.ndjson.gz',
    });
    expect((await store.list('')).sort()).toEqual([
      'arc_messages/arc_messages-2026-01.ndjson.gz',
      'arc_messages/arc_messages-2026-01.ndjson.gz.json',
      'manifest.json',
    ]);
    const manifest = (await catalog.manifest())!;
    expect(manifest.files).toEqual([
      expect.objectContaining({ file: 'arc_messages/arc_messages-2026-01.ndjson.gz', rows: 250 }),
    ]);

    const ids: { id: string }[] = await ds.query('SELECT id FROM arc_messages ORDER BY id LIMIT 1 OFFSET 77');
    expect((await new ArchivedRowLookup(catalog).findById('arc_messages', '2026-01', ids[0]!.id))?.row.id).toBe(
      ids[0]!.id,
    );
    expect(await new ArchiveVerifier(catalog).verify()).toMatchObject({ ok: true });

    expect((await new ArchiveFileEraser(catalog).eraseNumber(ERASED)).rowsErased).toBe(25);
    expect(await everything(catalog)).not.toContain(ERASED.slice(1));
    expect(await new ArchiveVerifier(catalog).verify()).toMatchObject({ ok: true });

    await ds.query('DELETE FROM arc_messages');
    expect(await new MonthRestorer(catalog).restoreMonth(ds, 'arc_messages', '2026-01')).toMatchObject({
      inserted: 250,
    });
    expect(await countIn(ds, 'arc_messages')).toBe(250);
    expect(await countIn(ds, `arc_messages WHERE to_number = 'erased' AND body = ''`)).toBe(25);
  });

  it('detects an object replaced behind the manifest', async () => {
    const catalog = new ArchiveCatalog(store);
    const tampered = path.join(sqlite, 'tampered.gz');
    await new Promise<void>((resolve) => {
      const out = createWriteStream(tampered);
      out.end(Buffer.from('not the archived bytes'), resolve);
    });
    await store.putFile('arc_messages/arc_messages-2026-01.ndjson.gz', tampered);

    const report = await new ArchiveVerifier(catalog).verify();

    expect(report.ok).toBe(false);
    expect(report.files[0]).toMatchObject({ file: 'arc_messages/arc_messages-2026-01.ndjson.gz', ok: false });
  });
});
