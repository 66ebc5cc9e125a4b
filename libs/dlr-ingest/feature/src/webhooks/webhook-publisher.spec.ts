import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BusRecord } from '@sms/bus';
import { TOPICS } from '@sms/contracts';
import { createServiceDataSource } from '@sms/persistence';
import { ProviderRegistry } from '@sms/providers';
import type { DataSource } from 'typeorm';
import { DLR_INGEST_ENTITIES } from '../dlr-ingest.module';
import { ReplayPublishError, WebhookReplayService } from '../replay/webhook-replay.service';
import { RawWebhookPurger } from '../retention/raw-webhook.purger';
import { WebhookIngestService } from './webhook-ingest.service';
import { signedUnlessForged, testReceipt } from './test-webhooks';
import { storedSweepHorizon, WebhookPublisher } from './webhook-publisher';

const provider = signedUnlessForged;
const receipt = testReceipt;

/**
 * The stored row is dlr-ingest's outbox: these run the real store (SQLite) with a bus that can be made
 * to fail, and check that every accepted webhook is published at least once, failures included.
 */
describe('WebhookPublisher', () => {
  let dir: string;
  let dataSource: DataSource;
  let published: BusRecord[];
  let busDown: boolean;
  let clock: number;
  const now = (): Date => new Date(clock);
  const publish = (records: readonly BusRecord[]): Promise<void> => {
    if (busDown) {
      return Promise.reject(new Error('broker unavailable'));
    }
    published.push(...records);

    return Promise.resolve();
  };

  const setUp = (options: ConstructorParameters<typeof WebhookPublisher>[2] = {}) => {
    const publisher = new WebhookPublisher(dataSource, publish, { graceMs: 1_000, ...options }, now);
    const registry = new ProviderRegistry();
    registry.register('test', provider);
    const ingest = new WebhookIngestService(dataSource, registry, publisher, now);

    return { publisher, ingest };
  };

  /** Ids listed by the publication records. */
  const recordedIds = async (): Promise<string[]> =>
    (await dataSource.query<{ webhook_ids: string }[]>('SELECT webhook_ids FROM inbound_webhook_publications'))
      .flatMap((row) => row.webhook_ids.split(','))
      .sort();

  /** Accepted rows no record lists, after the sweep's horizon (behind it, every row counts as published). */
  const unpublishedIds = async (): Promise<string[]> => {
    const horizon = (await storedSweepHorizon(dataSource.manager)) ?? new Date(0);
    const recorded = new Set(await recordedIds());
    const accepted = await dataSource.query<{ id: string; received_at: string }[]>(
      "SELECT id, received_at FROM inbound_webhooks WHERE state = 'accepted' ORDER BY id",
    );

    return accepted
      .filter((row) => new Date(`${row.received_at.replace(' ', 'T')}Z`) >= horizon && !recorded.has(row.id))
      .map((row) => row.id);
  };

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'publisher-'));
    dataSource = await createServiceDataSource({
      service: 'dlr-ingest',
      database: { kind: 'sqlite', directory: dir },
      entities: DLR_INGEST_ENTITIES,
      migrations: [],
    }).initialize();
    published = [];
    busDown = false;
    clock = Date.parse('2026-11-22T10:00:00Z');
  });

  afterEach(async () => {
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes each accepted webhook once, keyed by its row id, and records the publish in one row', async () => {
    const { publisher, ingest } = setUp();
    const results = await Promise.all(
      ['{"id":"a"}', '{"id":"b"}'].map((body) => ingest.ingest('test', 'status', receipt(body))),
    );
    await publisher.drain();

    expect(published.map((r) => r.key).sort()).toEqual(results.map((r) => r.id).sort());
    expect(published.every((r) => r.topic === TOPICS.dlrRaw)).toBe(true);
    expect(published.map((r) => (r.value as { body: string }).body).sort()).toEqual(['{"id":"a"}', '{"id":"b"}']);
    expect(await recordedIds()).toEqual(results.map((r) => r.id).sort());
    const records = await dataSource.query<{ n: number }[]>('SELECT COUNT(*) AS n FROM inbound_webhook_publications');
    expect(Number(records[0]?.n)).toBe(1);
    expect(await unpublishedIds()).toEqual([]);
    expect(await publisher.backlog()).toBe(0);
  });

  it('gathers the records of publishes within recordLingerMs into one INSERT, and writes them on drain', async () => {
    const { publisher, ingest } = setUp({ lingerMs: 0, recordLingerMs: 60_000 });
    const first = await ingest.ingest('test', 'status', receipt('{"id":"a"}'));
    const second = await ingest.ingest('test', 'status', receipt('{"id":"b"}'));
    await new Promise((resolve) => setTimeout(resolve, 20));

    // Both published in rounds of their own, neither recorded yet: the linger is a minute.
    expect(published.map((r) => r.key)).toEqual([first.id, second.id]);
    expect(await recordedIds()).toEqual([]);
    await publisher.drain();

    const records = await dataSource.query<{ n: number }[]>('SELECT COUNT(*) AS n FROM inbound_webhook_publications');
    expect(Number(records[0]?.n)).toBe(1);
    expect(await recordedIds()).toEqual([first.id, second.id].sort());
  });

  it('moves its horizon to now − grace, forgets the records behind it, and the purger deletes nothing after it', async () => {
    const { publisher, ingest } = setUp();
    const old = await ingest.ingest('test', 'status', receipt('{"id":"old"}'));
    await publisher.drain();
    clock += 5_000;
    const young = await ingest.ingest('test', 'status', receipt('{"id":"young"}'));
    await publisher.drain();

    // Both were published and recorded: the sweep has nothing to publish, and moves past the old one only.
    expect(await publisher.sweepOnce()).toBe(0);
    expect(await storedSweepHorizon(dataSource.manager)).toEqual(new Date(clock - 1_000));
    expect(await recordedIds()).toEqual([young.id]);
    expect(published.map((r) => r.key)).toEqual([old.id, young.id]);

    const purger = new RawWebhookPurger(dataSource, { retentionMs: 0 }, now);
    expect(await purger.purgeOnce()).toBe(1);
    const left = await dataSource.query<{ id: string }[]>('SELECT id FROM inbound_webhooks');
    expect(left.map((row) => row.id)).toEqual([young.id]);
  });

  it('starts a fresh store at its oldest accepted row, and purges nothing before its first sweep', async () => {
    const off = setUp({ enabled: false });
    await off.ingest.ingest('test', 'status', receipt('{"id":"first"}'));
    expect(await storedSweepHorizon(dataSource.manager)).toBeNull();
    expect(await new RawWebhookPurger(dataSource, { retentionMs: 0 }, now).purgeOnce()).toBe(0);

    clock += 1_001;
    expect(await off.publisher.sweepOnce()).toBe(1);
    expect(await storedSweepHorizon(dataSource.manager)).toEqual(new Date(clock - 1_000));
  });

  it('catches up a long outage in stretches, one transaction each', async () => {
    const { publisher, ingest } = setUp({ sweepStretchMs: 1_000 });
    busDown = true;
    const stored: string[] = [];
    for (let i = 0; i < 4; i++) {
      stored.push((await ingest.ingest('test', 'status', receipt(`{"id":"outage-${i}"}`))).id);
      clock += 900;
    }
    await publisher.drain();
    expect(await publisher.backlog()).toBe(4);

    busDown = false;
    clock += 1_001;
    expect(await publisher.sweepOnce()).toBe(4);
    expect(published.map((r) => r.key)).toEqual(stored);
    expect(await publisher.backlog()).toBe(0);
  });

  it('publishes what the row stores: an over-long URL is cut alike in both (the contract allows 2,048)', async () => {
    const { publisher, ingest } = setUp();
    const long = {
      ...receipt('{"id":"long"}'),
      url: `https://gw.example.test/webhooks/test/status?pad=${'x'.repeat(3_000)}`,
    };
    const stored = await ingest.ingest('test', 'status', long);
    await publisher.drain();

    const [row] = await dataSource.query<{ url: string }[]>('SELECT url FROM inbound_webhooks WHERE id = ?', [
      stored.id,
    ]);
    const event = published[0]?.value as { url: string };
    expect(event.url).toHaveLength(2048);
    expect(event.url).toBe(row?.url);
  });

  it('never publishes forged webhooks nor a provider retry of a stored one', async () => {
    const { publisher, ingest } = setUp();
    const first = await ingest.ingest('test', 'status', receipt('{"id":"same"}'));
    const retry = await ingest.ingest('test', 'status', receipt('{"id":"same"}'));
    const forged = await ingest.ingest('test', 'status', receipt('forged'));
    await publisher.drain();

    expect(retry).toMatchObject({ duplicate: true, verified: true });
    expect(forged.verified).toBe(false);
    expect(published.map((r) => r.key)).toEqual([first.id]);
    const states = await dataSource.query<{ id: string; state: string; duplicate_of: string | null }[]>(
      'SELECT id, state, duplicate_of FROM inbound_webhooks',
    );
    expect(states).toEqual(
      expect.arrayContaining([
        { id: first.id, state: 'accepted', duplicate_of: null },
        { id: retry.id, state: 'duplicate', duplicate_of: first.id },
        { id: forged.id, state: 'rejected', duplicate_of: null },
      ]),
    );
  });

  it('classifies a retry inside one batch against the batch itself (one INSERT, no lookup)', async () => {
    const { publisher, ingest } = setUp();
    const [a, b] = await Promise.all([
      ingest.ingest('test', 'status', receipt('{"id":"twice"}')),
      ingest.ingest('test', 'status', receipt('{"id":"twice"}')),
    ]);
    await publisher.drain();

    expect([a?.duplicate, b?.duplicate].sort()).toEqual([false, true]);
    expect(published).toHaveLength(1);
  });

  it('leaves a webhook the bus refused to the sweep, which publishes it once the grace period passed', async () => {
    const { publisher, ingest } = setUp();
    busDown = true;
    const stored = await ingest.ingest('test', 'status', receipt('{"id":"late"}'));
    await publisher.drain();
    expect(published).toEqual([]);
    expect(await unpublishedIds()).toEqual([stored.id]);

    busDown = false;
    // Too young: it may still be on its way through another replica.
    expect(await publisher.sweepOnce()).toBe(0);
    clock += 1_001;
    expect(await publisher.sweepOnce()).toBe(1);
    expect(published.map((r) => r.key)).toEqual([stored.id]);
    expect(await unpublishedIds()).toEqual([]);
    expect(await publisher.sweepOnce()).toBe(0);
  });

  it('holds at most maxPending events in memory; the rest wait in the table for the sweep', async () => {
    const { publisher, ingest } = setUp({ maxPending: 1 });
    busDown = true;
    // One batch of two does not fit the room for one: it is deferred as a whole, and nothing is lost.
    await Promise.all(['{"id":"1"}', '{"id":"2"}'].map((body) => ingest.ingest('test', 'status', receipt(body))));
    await publisher.drain();
    expect(await publisher.backlog()).toBe(2);

    busDown = false;
    clock += 1_001;
    expect(await publisher.sweepOnce()).toBe(2);
    expect(await publisher.backlog()).toBe(0);
  });

  it('publishes nothing when disabled (a crash between commit and publish), and the sweep catches up', async () => {
    const off = setUp({ enabled: false });
    const stored = await off.ingest.ingest('test', 'status', receipt('{"id":"crash"}'));
    await off.publisher.drain();
    expect(published).toEqual([]);

    // The next process start: its sweep finds the row.
    const restarted = new WebhookPublisher(dataSource, publish, { graceMs: 1_000 }, now);
    clock += 1_001;
    expect(await restarted.sweepOnce()).toBe(1);
    expect(published.map((r) => r.key)).toEqual([stored.id]);
  });

  it('replays through the bus at once and reports a bus failure as ReplayPublishError', async () => {
    const { publisher, ingest } = setUp();
    const stored = await ingest.ingest('test', 'status', receipt('{"id":"replay"}'));
    await publisher.drain();
    const replay = new WebhookReplayService(dataSource, publisher);

    published = [];
    expect(await replay.replay({ ids: [stored.id] })).toEqual({ replayed: 1, truncated: false });
    expect(published).toHaveLength(1);
    expect(published[0]?.value).toMatchObject({ webhookId: stored.id, replay: true, body: '{"id":"replay"}' });

    busDown = true;
    await expect(replay.replay({ ids: [stored.id] })).rejects.toBeInstanceOf(ReplayPublishError);
  });
});
