/**
 * A provider's retry of a receipt already stored, on both engines: classified from the keys this process
 * stored lately without a failed INSERT, and still caught by the unique key when this process does not
 * know it (another replica's row, or one stored before a restart).
 */
import { ProviderRegistry } from '@sms/providers';
import { sliceEngines } from '@sms/testing-slices';
import type { DataSource, EntitySubscriberInterface } from 'typeorm';
import { WebhookState } from '../database/entities/inbound-webhook.entity';
import { DLR_INGEST_ENTITIES, DLR_INGEST_MIGRATIONS } from '../dlr-ingest.module';
import { signedUnlessForged, testReceipt } from './test-webhooks';
import { WebhookIngestService } from './webhook-ingest.service';
import type { PendingPublication } from './webhook-publisher';

jest.setTimeout(60_000);

const ENGINES = sliceEngines({
  service: 'dlr-ingest',
  entities: DLR_INGEST_ENTITIES,
  migrations: DLR_INGEST_MIGRATIONS,
}).reverse();

describe.each(ENGINES)('WebhookIngestService on $name: provider retries', (engine) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let published: PendingPublication[];
  let statements: string[];

  beforeEach(async () => {
    ({ dataSource, close } = await engine.open());
    published = [];
    statements = [];
    // Every statement either runner sends passes the subscribers first (SqlRunner on SQLite, TypeORM on MySQL).
    const counter: EntitySubscriberInterface = {
      beforeQuery: (event) => {
        statements.push(event.query);
      },
    };
    dataSource.subscribers.push(counter);
  });

  afterEach(async () => {
    await close?.();
  });

  const service = (): WebhookIngestService => {
    const registry = new ProviderRegistry();
    registry.register('test', signedUnlessForged);

    return new WebhookIngestService(dataSource, registry, { enqueue: (events) => published.push(...events) });
  };

  const withToken = (body: string, token: string) => {
    const receipt = testReceipt(body);

    return { ...receipt, headers: { ...receipt.headers, 'i-twilio-idempotency-token': token } };
  };

  const rowsOf = async (): Promise<{ id: string; state: string; duplicate_of: string | null }[]> =>
    dataSource.query('SELECT id, state, duplicate_of FROM inbound_webhooks');

  it('catches a retry on the unique key, then classifies the next retries from memory with one INSERT', async () => {
    const ingest = service();
    const original = await ingest.ingest('test', 'status', withToken('{"n":1}', 'a'));
    statements.length = 0;

    const retry = await ingest.ingest('test', 'status', withToken('{"n":1}', 'a'));

    expect(retry).toMatchObject({ duplicate: true });
    // No retry seen before: the INSERT that fails on the key, the read of the stored keys, the INSERT again.
    expect(statements.filter((sql) => /inbound_webhooks/.test(sql))).toEqual([
      expect.stringMatching(/^INSERT INTO inbound_webhooks/),
      expect.stringMatching(/^SELECT id, dedupe_key FROM inbound_webhooks/),
      expect.stringMatching(/^INSERT INTO inbound_webhooks/),
    ]);

    // Retries are coming now: what this process stores it remembers, and a retry of it costs one INSERT.
    const fresh = await ingest.ingest('test', 'status', withToken('{"n":2}', 'b'));
    statements.length = 0;
    const retryOfFresh = await ingest.ingest('test', 'status', withToken('{"n":2}', 'b'));
    expect(retryOfFresh).toMatchObject({ duplicate: true });
    expect(statements.filter((sql) => /inbound_webhooks/.test(sql))).toEqual([
      expect.stringMatching(/^INSERT INTO inbound_webhooks/),
    ]);

    const rows = await rowsOf();
    expect(rows).toHaveLength(4);
    expect(rows.find((row) => row.id === retry.id)).toMatchObject({
      state: WebhookState.Duplicate,
      duplicate_of: original.id,
    });
    expect(rows.find((row) => row.id === retryOfFresh.id)).toMatchObject({
      state: WebhookState.Duplicate,
      duplicate_of: fresh.id,
    });
    expect(published.map((p) => p.event.webhookId)).toEqual([original.id, fresh.id]);
  });

  it('still catches on the unique key a retry of a row it does not remember (another replica or process)', async () => {
    const other = service();
    const original = await other.ingest('test', 'status', withToken('{"n":1}', 'a'));
    const ingest = service();
    // This process has seen retries (it remembers), but not this receipt.
    await ingest.ingest('test', 'status', withToken('{"n":5}', 'e'));
    await ingest.ingest('test', 'status', withToken('{"n":5}', 'e'));
    statements.length = 0;

    const [retry, fresh] = await Promise.all([
      ingest.ingest('test', 'status', withToken('{"n":1}', 'a')),
      ingest.ingest('test', 'status', withToken('{"n":3}', 'c')),
    ]);

    expect(retry).toMatchObject({ duplicate: true });
    expect(fresh).toMatchObject({ duplicate: false });
    expect(statements.filter((sql) => /^SELECT id, dedupe_key FROM inbound_webhooks/.test(sql))).toHaveLength(1);
    const rows = await rowsOf();
    expect(rows.find((row) => row.id === retry.id)).toMatchObject({
      state: WebhookState.Duplicate,
      duplicate_of: original.id,
    });
    expect(published.map((p) => p.event.webhookId)).toContain(fresh.id);
    expect(published.map((p) => p.event.webhookId)).not.toContain(retry.id);
  });
});
