/**
 * The publisher's sweep on MariaDB: the migration from per-row stamps, replicas taking turns through the
 * horizon lock (SKIP LOCKED), and a crash between commit and publish caught up once.
 */
import type { BusRecord } from '@sms/bus';
import { createServiceDataSource, migrateSlice } from '@sms/persistence';
import { ProviderRegistry } from '@sms/providers';
import { createTestDatabase, type TestDatabase } from '@sms/testing';
import type { DataSource } from 'typeorm';
import { DLR_INGEST_ENTITIES, DLR_INGEST_MIGRATIONS } from '../dlr-ingest.module';
import { WebhookIngestService } from './webhook-ingest.service';
import { signedUnlessForged, testReceipt } from './test-webhooks';
import { storedSweepHorizon, WebhookPublisher } from './webhook-publisher';

const provider = signedUnlessForged;
const receipt = testReceipt;

let db: TestDatabase;
let dataSource: DataSource;
let published: BusRecord[];
let clock: number;
const now = (): Date => new Date(clock);
const publish = (records: readonly BusRecord[]): Promise<void> => {
  published.push(...records);

  return Promise.resolve();
};

beforeEach(async () => {
  db = await createTestDatabase();
  await migrateSlice(db.url, 'dlr-ingest', DLR_INGEST_MIGRATIONS);
  dataSource = await createServiceDataSource({
    service: 'dlr-ingest',
    database: { kind: 'mysql', url: db.url, poolSize: 4 },
    entities: DLR_INGEST_ENTITIES,
    migrations: DLR_INGEST_MIGRATIONS,
  }).initialize();
  published = [];
  clock = Date.parse('2026-12-01T10:00:00Z');
});

afterEach(async () => {
  await dataSource.destroy();
  await db.drop();
});

/** A crashed process: stored and answered, never published. */
async function storeUnpublished(bodies: string[]): Promise<string[]> {
  const registry = new ProviderRegistry();
  registry.register('test', provider);
  const off = new WebhookPublisher(dataSource, publish, { enabled: false }, now);
  const ingest = new WebhookIngestService(dataSource, registry, off, now);

  return Promise.all(bodies.map(async (body) => (await ingest.ingest('test', 'status', receipt(body))).id));
}

it('publishes what a crash left exactly once when two replicas sweep at the same moment', async () => {
  // The migration's horizon is the time it ran (no row was unpublished then); these rows come after it.
  await dataSource.query('UPDATE inbound_webhook_sweep_horizon SET checked_until = ?', [now()]);
  const ids = await storeUnpublished(Array.from({ length: 50 }, (_, i) => `{"id":"crash-${i}"}`));
  clock += 31_000;

  const replicas = [0, 1].map(() => new WebhookPublisher(dataSource, publish, {}, now));
  const swept = await Promise.all(replicas.map((replica) => replica.sweepOnce()));

  expect(swept.reduce((a, b) => a + b, 0)).toBe(50);
  expect(published.map((r) => r.key).sort()).toEqual([...ids].sort());
  expect(await storedSweepHorizon(dataSource.manager)).toEqual(new Date(clock - 30_000));
  // Nothing is left for a later sweep, and the gauge agrees.
  clock += 5_000;
  expect(await replicas[0]?.sweepOnce()).toBe(0);
  expect(await replicas[1]?.backlog()).toBe(0);
  expect(published).toHaveLength(50);
});

it('migrates from per-row stamps: the horizon starts at the oldest row still unstamped', async () => {
  await migrateSlice(db.url, 'dlr-ingest', DLR_INGEST_MIGRATIONS, { revert: true });
  const row = (id: string, receivedAt: string, publishedAt: string | null): unknown[] => [
    id,
    'test',
    'status',
    'https://gw.example.test/webhooks/test/status',
    'POST',
    '{}',
    `{"id":"${id}"}`,
    'application/json',
    1,
    'accepted',
    id.padEnd(64, '0'),
    receivedAt,
    publishedAt,
  ];
  const values = [
    row('00000000-0000-7000-8000-000000000001', '2026-12-01 09:00:00.000', '2026-12-01 09:00:00.010'),
    row('00000000-0000-7000-8000-000000000002', '2026-12-01 09:00:01.000', null),
    row('00000000-0000-7000-8000-000000000003', '2026-12-01 09:00:02.000', '2026-12-01 09:00:02.010'),
  ];
  await dataSource.query(
    `INSERT INTO inbound_webhooks (id, provider, kind, url, method, headers, body, content_type, verified, state,
       dedupe_key, received_at, published_at) VALUES ${values.map(() => '(?,?,?,?,?,?,?,?,?,?,?,?,?)').join(',')}`,
    values.flat(),
  );
  await migrateSlice(db.url, 'dlr-ingest', DLR_INGEST_MIGRATIONS);

  expect(await storedSweepHorizon(dataSource.manager)).toEqual(new Date('2026-12-01T09:00:01.000Z'));
  // The unstamped row and the stamped one after it are published (the second harmlessly, once more).
  const sweeper = new WebhookPublisher(dataSource, publish, {}, now);
  expect(await sweeper.sweepOnce()).toBe(2);
  expect(published.map((r) => r.key)).toEqual([
    '00000000-0000-7000-8000-000000000002',
    '00000000-0000-7000-8000-000000000003',
  ]);
});
