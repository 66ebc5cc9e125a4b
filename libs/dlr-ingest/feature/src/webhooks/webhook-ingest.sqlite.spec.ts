import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServiceDataSource } from '@sms/persistence';
import { ProviderRegistry } from '@sms/providers';
import type { DataSource } from 'typeorm';
import { InboundWebhookEntity, WebhookState } from '../database/entities/inbound-webhook.entity';
import { DLR_INGEST_ENTITIES } from '../dlr-ingest.module';
import { signedUnlessForged, testReceipt } from './test-webhooks';
import { WebhookIngestService } from './webhook-ingest.service';
import type { PendingPublication } from './webhook-publisher';

/** The raw store on SQLite, where batches are written through the driver's prepared statements. */
describe('WebhookIngestService on SQLite: the raw INSERT', () => {
  let dir: string;
  let dataSource: DataSource;
  let published: PendingPublication[];
  let ingest: WebhookIngestService;
  const receivedAt = new Date('2026-12-06T22:00:00.123Z');

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ingest-sqlite-'));
    dataSource = await createServiceDataSource({
      service: 'dlr-ingest',
      database: { kind: 'sqlite', directory: dir },
      entities: DLR_INGEST_ENTITIES,
      migrations: [],
    }).initialize();
    const registry = new ProviderRegistry();
    registry.register('test', signedUnlessForged);
    published = [];
    ingest = new WebhookIngestService(
      dataSource,
      registry,
      { enqueue: (events) => published.push(...events) },
      () => receivedAt,
    );
  });

  afterEach(async () => {
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const withToken = (body: string, token: string) => {
    const receipt = testReceipt(body);

    return { ...receipt, headers: { ...receipt.headers, 'i-twilio-idempotency-token': token } };
  };

  it('stores concurrent receipts in shared INSERTs, each row as TypeORM reads it back, and publishes the accepted ones', async () => {
    const results = await Promise.all([
      ingest.ingest('test', 'status', withToken('{"n":1}', 'a')),
      ingest.ingest('test', 'status', withToken('{"n":2}', 'b')),
      ingest.ingest('test', 'status', withToken('{"n":1}', 'a')), // the provider's retry, in the same batch
    ]);

    expect(results.map((r) => r.duplicate)).toEqual([false, false, true]);
    const rows = await dataSource.getRepository(InboundWebhookEntity).find({ order: { body: 'ASC' } });
    expect(rows).toHaveLength(3);
    const first = rows.find((row) => row.id === results[0]?.id);
    expect(first).toMatchObject({
      provider: 'test',
      kind: 'status',
      body: '{"n":1}',
      verified: true,
      state: WebhookState.Accepted,
      contentType: 'application/json',
      duplicateOf: null,
    });
    expect(first?.receivedAt.toISOString()).toBe(receivedAt.toISOString());
    expect(rows.find((row) => row.id === results[2]?.id)).toMatchObject({
      state: WebhookState.Duplicate,
      duplicateOf: results[0]?.id,
      dedupeKey: null,
    });
    expect(published.map((p) => p.event.webhookId).sort()).toEqual([results[0]?.id, results[1]?.id].sort());
  });

  it('a retry in a later batch is stored as a duplicate of the stored receipt and not published', async () => {
    const original = await ingest.ingest('test', 'status', withToken('{"n":1}', 'a'));
    const [retry, fresh] = await Promise.all([
      ingest.ingest('test', 'status', withToken('{"n":1}', 'a')),
      ingest.ingest('test', 'status', withToken('{"n":3}', 'c')),
    ]);

    expect(retry).toMatchObject({ duplicate: true });
    expect(fresh).toMatchObject({ duplicate: false });
    const states: { id: string; state: string; duplicate_of: string | null }[] = await dataSource.query(
      'SELECT id, state, duplicate_of FROM inbound_webhooks',
    );
    expect(states).toHaveLength(3);
    expect(states.find((row) => row.id === retry?.id)).toMatchObject({
      state: WebhookState.Duplicate,
      duplicate_of: original.id,
    });
    expect(published.map((p) => p.event.webhookId)).toEqual([original.id, fresh?.id]);
  });

  it('stores a refused webhook as rejected in the same table', async () => {
    const result = await ingest.ingest('test', 'status', testReceipt('forged'));

    expect(result).toMatchObject({ verified: false, stored: true });
    const rows: { state: string; verified: number }[] = await dataSource.query(
      'SELECT state, verified FROM inbound_webhooks WHERE id = ?',
      [result.id],
    );
    expect(rows).toEqual([{ state: WebhookState.Rejected, verified: 0 }]);
  });
});
