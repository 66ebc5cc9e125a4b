/**
 * The receipt spool against a real MariaDB that goes away: the service's pool connects through a TCP
 * relay that the test closes (connections cut, the port refusing) and opens again on the same port.
 */
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BusRecord } from '@sms/bus';
import { createServiceDataSource, migrateSlice } from '@sms/persistence';
import { ApiError } from '@sms/platform';
import { ProviderRegistry } from '@sms/providers';
import { createTestDatabase, type TestDatabase } from '@sms/testing';
import type { DataSource } from 'typeorm';
import { DLR_INGEST_ENTITIES, DLR_INGEST_MIGRATIONS } from '../dlr-ingest.module';
import { parseSegment, ReceiptSpool } from './receipt-spool';
import { signedUnlessForged, testReceipt } from './test-webhooks';
import { WebhookIngestService } from './webhook-ingest.service';
import { WebhookPublisher } from './webhook-publisher';

/** A TCP relay to MariaDB that can be taken down (port closed, live connections cut) and brought back. */
class Relay {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async up(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.sockets) {
      socket.destroy();
    }
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

let db: TestDatabase;
let direct: DataSource;
let viaRelay: DataSource;
let relay: Relay;
let dir: string;
let published: BusRecord[];

const publish = (records: readonly BusRecord[]): Promise<void> => {
  published.push(...records);

  return Promise.resolve();
};

const open = (url: string): Promise<DataSource> =>
  createServiceDataSource({
    service: 'dlr-ingest',
    database: { kind: 'mysql', url, poolSize: 2 },
    entities: DLR_INGEST_ENTITIES,
    migrations: DLR_INGEST_MIGRATIONS,
  }).initialize();

/** One dlr-ingest process: its ingest service over the relay, its publisher and a spool in `dir`. */
async function startProcess(maxBytes = 1024 * 1024): Promise<{ ingest: WebhookIngestService; spool: ReceiptSpool }> {
  const registry = new ProviderRegistry();
  registry.register('test', signedUnlessForged);
  const publisher = new WebhookPublisher(viaRelay, publish, { lingerMs: 0 });
  const spool = new ReceiptSpool({ directory: dir, maxBytes, drainIntervalMs: 60_000 });
  await spool.init();

  return { ingest: new WebhookIngestService(viaRelay, registry, publisher, undefined, undefined, spool), spool };
}

const storedRows = (): Promise<{ id: string; state: string; body: string }[]> =>
  direct.query('SELECT id, state, body FROM inbound_webhooks ORDER BY body');
const spoolFiles = (): string[] => readdirSync(dir).filter((name) => name.endsWith('.spool'));

beforeEach(async () => {
  db = await createTestDatabase();
  await migrateSlice(db.url, 'dlr-ingest', DLR_INGEST_MIGRATIONS);
  direct = await open(db.url);
  const target = new URL(db.url);
  relay = new Relay(target.hostname, Number(target.port || 3306));
  await relay.up();
  const relayed = new URL(db.url);
  relayed.hostname = '127.0.0.1';
  relayed.port = String(relay.port);
  viaRelay = await open(relayed.toString());
  dir = mkdtempSync(path.join(tmpdir(), 'dlr-spool-'));
  published = [];
});

afterEach(async () => {
  await relay.down();
  await viaRelay.destroy().catch(() => undefined);
  await direct.destroy();
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

it('keeps receipts on disk while the database is unreachable and stores and publishes them when it returns', async () => {
  const { ingest, spool } = await startProcess();
  await ingest.ingest('test', 'status', testReceipt('{"n":0}'));
  await relay.down();

  const results = await Promise.all(
    [1, 2, 3, 4, 5].map((n) => ingest.ingest('test', 'status', testReceipt(`{"n":${n}}`))),
  );
  expect(results.every((r) => r.verified && !r.duplicate)).toBe(true);
  expect(await storedRows()).toHaveLength(1);
  // Answered only after the line was written: the five are in the spool file now.
  const lines = spoolFiles().flatMap((name) =>
    readFileSync(path.join(dir, name), 'utf8').trim().split('\n').filter(Boolean),
  );
  expect(lines.map((line) => (JSON.parse(line) as { body: string }).body).sort()).toEqual(
    [1, 2, 3, 4, 5].map((n) => `{"n":${n}}`),
  );
  expect(spool.count).toBe(5);
  // Still down: the drain fails and keeps everything.
  await expect(spool.drain((entries) => ingest.storeSpooled(entries))).rejects.toBeDefined();
  expect(spoolFiles()).toHaveLength(1);

  await relay.up();
  expect(await spool.drain((entries) => ingest.storeSpooled(entries))).toBe(5);
  const rows = await storedRows();
  expect(rows.map((r) => r.body)).toEqual([0, 1, 2, 3, 4, 5].map((n) => `{"n":${n}}`));
  expect(rows.every((r) => r.state === 'accepted')).toBe(true);
  // Stored under the ids they were answered with.
  expect(rows.map((r) => r.id)).toEqual(expect.arrayContaining(results.map((r) => r.id)));
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(published.map((r) => (r.value as { body: string }).body).sort()).toEqual(rows.map((r) => r.body));
  expect(spoolFiles()).toEqual([]);
  expect(spool.count).toBe(0);

  // The provider's retry of a spooled receipt, now that the database is back, is a duplicate.
  const retry = await ingest.ingest('test', 'status', testReceipt('{"n":3}'));
  expect(retry.duplicate).toBe(true);
  await spool.stop();
}, 30_000);

it('answers 503 RECEIPT_STORE_UNAVAILABLE when the spool is full, so the provider retries', async () => {
  const line = 600; // one spooled test receipt is a little under this
  const { ingest, spool } = await startProcess(line);
  await relay.down();
  await ingest.ingest('test', 'status', testReceipt('{"n":1}'));
  const refused = await ingest.ingest('test', 'status', testReceipt('{"n":2}')).catch((error: unknown) => error);
  expect(refused).toBeInstanceOf(ApiError);
  expect(refused).toMatchObject({ status: 503, code: 'RECEIPT_STORE_UNAVAILABLE' });
  expect((refused as ApiError).headers['retry-after']).toBe('5');
  expect(spool.count).toBe(1);
  // A forged receipt is not spooled: it is refused whatever the store does.
  await expect(ingest.ingest('test', 'status', testReceipt('forged'))).rejects.toBeDefined();
  expect(spool.count).toBe(1);
  await spool.stop();
}, 30_000);

it('loses nothing to a crash between spool and drain, nor to one between the INSERT and the delete', async () => {
  const first = await startProcess();
  await relay.down();
  await Promise.all([1, 2, 3].map((n) => first.ingest.ingest('test', 'status', testReceipt(`{"n":${n}}`))));
  // The process dies here (no stop): the segment stays open and unsealed. A torn line from a write the
  // crash interrupted (never acknowledged) ends the file.
  const [segment] = spoolFiles();
  const file = path.join(dir, segment!);
  appendFileSync(file, '{"id":"torn","provi');
  await relay.up();

  // A drain that stored the first two rows and died before deleting the segment.
  const entries = parseSegment(readFileSync(file, 'utf8'));
  expect(entries).toHaveLength(3);
  await first.ingest.storeSpooled(entries.slice(0, 2));

  // The next start finds the segment and drains it at once: every receipt stored once, none doubled.
  const second = await startProcess();
  expect(second.spool.count).toBe(3);
  const drained = new Promise<void>((resolve) => {
    second.spool.start(async (batch) => {
      await second.ingest.storeSpooled(batch);
      resolve();
    });
  });
  await drained;
  await second.spool.stop();
  await first.spool.stop(); // the dead process's file handle, for the test runner's sake
  const rows = await storedRows();
  expect(rows.map((r) => r.body)).toEqual([1, 2, 3].map((n) => `{"n":${n}}`));
  expect(rows.every((r) => r.state === 'accepted')).toBe(true);
  expect(spoolFiles()).toEqual([]);
}, 30_000);
