/**
 * Routing by measured quality against the real stores: MariaDB (router migrations, hourly roll-ups,
 * weights) with Redis short buckets, as the distributed router runs it, and SQLite with in-memory short
 * buckets, as the embedded one does. Send results and receipts go through the health consumer's handler
 * (HealthRecorder → QualityTracker), the weights through the operator's WeightsService. Two replicas over
 * the same stores show a receipt counted where its send was not seen, and replays counted once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ConsumedRecord } from '@sms/bus';
import { type StatusChangedV1, StatusEventKind, StatusEventSource, TOPICS } from '@sms/contracts';
import { createServiceDataSource, migrateSlice } from '@sms/persistence';
import { createTestDatabase, statusEvent, type TestDatabase } from '@sms/testing';
import Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import { ROUTER_ENTITIES, ROUTER_MIGRATIONS } from '../../database/router.schema';
import { OperatorService } from '../../operator/operator.service';
import { WeightsService } from '../../operator/weights.service';
import { MemoryRoutingState } from '../../state/memory-routing-state';
import { HealthRecorder } from '../health.recorder';
import { RoutingEngine } from '../routing-engine';
import { routeRequest } from '../routing.fixtures';
import { SqlRoutePool } from '../snapshot/sql-route-pool';
import { HOUR_MS, HourlyRollups } from './hourly-rollups';
import { routeKeyString } from './quality-counts';
import { QualitySource, qualityAwarePool } from './quality-source';
import { QualityTracker } from './quality-tracker';
import { WEIGHT_PRESETS, WeightStore } from './score-weights';
import { MemoryShortBuckets, RedisShortBuckets, type ShortBucketStore } from './short-buckets';

jest.setTimeout(180_000);

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const RUN = randomUUID().slice(0, 8);
const BUCKET_MS = 1_000;

interface Backend {
  readonly name: string;
  open(): Promise<{
    dataSource: () => Promise<DataSource>;
    short: (prefix: string) => ShortBucketStore;
    close(): Promise<void>;
  }>;
}

const backends: Backend[] = [
  {
    name: 'MariaDB and Redis (distributed)',
    open: async () => {
      const db: TestDatabase = await createTestDatabase();
      await migrateSlice(db.url, 'router', ROUTER_MIGRATIONS);
      const prefixes: string[] = [];

      return {
        dataSource: () =>
          createServiceDataSource({
            service: 'router',
            database: { kind: 'mysql', url: db.url, poolSize: 2 },
            entities: ROUTER_ENTITIES,
            migrations: ROUTER_MIGRATIONS,
          }).initialize(),
        short: (prefix) => {
          const keyPrefix = `sms-it:quality:${RUN}:${prefix}:`;
          prefixes.push(keyPrefix);

          return new RedisShortBuckets({ url: REDIS_URL, keyPrefix }, HOUR_MS, BUCKET_MS);
        },
        close: async () => {
          await db.drop();
          const redis = new Redis(REDIS_URL);
          for (const keyPrefix of prefixes) {
            const keys = await redis.keys(`${keyPrefix}*`);
            if (keys.length > 0) {
              await redis.del(...keys);
            }
          }
          await redis.quit();
        },
      };
    },
  },
  {
    name: 'SQLite and memory (embedded)',
    open: () => {
      const directory = mkdtempSync(path.join(tmpdir(), 'route-quality-'));

      return Promise.resolve({
        dataSource: () =>
          createServiceDataSource({
            service: 'router',
            database: { kind: 'sqlite', directory },
            entities: ROUTER_ENTITIES,
            migrations: ROUTER_MIGRATIONS,
          }).initialize(),
        short: () => new MemoryShortBuckets(HOUR_MS),
        close: () => Promise.resolve(rmSync(directory, { recursive: true, force: true })),
      });
    },
  },
];

/** One router replica over the backend: its stores, the tracker behind the health consumer, the engine. */
async function router(dataSource: DataSource, short: ShortBucketStore, now: () => number = Date.now) {
  const state = new MemoryRoutingState();
  const rollups = new HourlyRollups(dataSource);
  const tracker = new QualityTracker([short, rollups], { bucketMs: BUCKET_MS });
  const source = new QualitySource(
    short,
    rollups,
    new WeightStore(dataSource),
    {
      windowMs: HOUR_MS,
      historyDays: 7,
      refreshMs: 0,
    },
    undefined,
    now,
  );
  const engine = new RoutingEngine(qualityAwarePool(new SqlRoutePool(dataSource), source), state, {
    snapshotTtlMs: 0,
    healthTtlMs: 0,
    // At most one probe of a held-back provider per test, so the shares below are the score's.
    probeIntervalMs: HOUR_MS,
  });
  const health = new HealthRecorder(state, (event) => tracker.observe(event));
  const changed = () => {
    engine.invalidate();

    return Promise.resolve();
  };

  return {
    engine,
    health,
    tracker,
    weights: new WeightsService(new WeightStore(dataSource), changed),
    operator: new OperatorService(dataSource, changed),
  };
}

const record = (event: StatusChangedV1): ConsumedRecord => ({
  topic: TOPICS.status,
  partition: 0,
  offset: '0',
  key: event.messageId,
  value: event,
  headers: {},
  attempt: 1,
});

const status = (
  messageId: string,
  provider: string,
  kind: StatusEventKind,
  source: StatusEventSource,
  over: Partial<StatusChangedV1> = {},
): StatusChangedV1 => statusEvent(messageId, kind, { provider, source, ...over });

/**
 * `count` messages through `provider` to GB (or `to.country`, on `to.network` when given), as the
 * send-worker and the receipts report them: `delivered` of them delivered two seconds after the send, the
 * rest undelivered, or (`overdue`) left to reconciliation.
 */
async function traffic(
  r: Awaited<ReturnType<typeof router>>,
  provider: string,
  count: number,
  delivered: number,
  failure: 'undelivered' | 'overdue' = 'undelivered',
  to: { country: string; network?: string } = { country: 'GB' },
) {
  const sentAt = Date.now() - 5_000;
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    await r.health.handle(
      record(
        status(id, provider, StatusEventKind.Sent, StatusEventSource.SendWorker, {
          country: to.country,
          ...(to.network ? { network: to.network } : {}),
          occurredAt: new Date(sentAt).toISOString(),
          latencyMs: 100,
        }),
      ),
    );
    const receiptAt = new Date(sentAt + 2_000).toISOString();
    if (i < delivered) {
      await r.health.handle(
        record(status(id, provider, StatusEventKind.Delivered, StatusEventSource.Dlr, { occurredAt: receiptAt })),
      );
    } else if (failure === 'undelivered') {
      await r.health.handle(
        record(
          status(id, provider, StatusEventKind.Undelivered, StatusEventSource.Dlr, {
            occurredAt: receiptAt,
            errorClass: 'permanent',
          }),
        ),
      );
    } else {
      await r.health.handle(
        record(
          status(id, provider, StatusEventKind.Unknown, StatusEventSource.Reconcile, { errorCode: 'RECEIPT_TIMEOUT' }),
        ),
      );
    }
  }
  await r.health.drain();
}

let recipients = 0;
/** Which provider each of `n` decisions takes, each to a new GB recipient (a known one keeps its sender). */
async function shares(r: Awaited<ReturnType<typeof router>>, n = 20): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const outcome = await r.engine.route(routeRequest({ to: `+4474${String(10_000_000 + recipients++).slice(-8)}` }));
    if (outcome.kind !== 'route') {
      throw new Error(`${outcome.code}: ${outcome.reason}`);
    }
    out[outcome.providerId] = (out[outcome.providerId] ?? 0) + 1;
  }

  return out;
}

describe.each(backends)('routing by route quality on $name', ({ open }) => {
  let backend: Awaited<ReturnType<Backend['open']>>;
  const sources: DataSource[] = [];
  const shorts: ShortBucketStore[] = [];
  const dataSource = async () => {
    const ds = await backend.dataSource();
    sources.push(ds);

    return ds;
  };
  const short = (prefix: string) => {
    const store = backend.short(prefix);
    shorts.push(store);

    return store;
  };

  beforeAll(async () => {
    backend = await open();
  });
  afterAll(async () => {
    for (const store of shorts) {
      await store.close();
    }
    for (const ds of sources) {
      await ds.destroy();
    }
    await backend?.close();
  });

  it('moves traffic to the better route as measured quality changes, and a restarted router keeps the history', async () => {
    const first = await router(await dataSource(), short('a'));
    for (const id of ['cheap', 'solid']) {
      await first.operator.createProvider({ id, kind: 'twilio', name: id });
    }
    await first.operator.createNumber({
      number: '+447700900101',
      provider: 'cheap',
      country: 'GB',
      type: 'longcode',
      segmentsPerSecond: 500,
    });
    await first.operator.createNumber({
      number: '+447700900102',
      provider: 'solid',
      country: 'GB',
      type: 'longcode',
      segmentsPerSecond: 500,
    });
    await first.operator.createRate({ provider: 'cheap', country: 'GB', price: '0.0300' });
    await first.operator.createRate({ provider: 'solid', country: 'GB', price: '0.0400' });
    await first.weights.put('GB', WEIGHT_PRESETS.balanced);

    // Both deliver alike: the cheaper one takes everything.
    await traffic(first, 'cheap', 60, 58);
    await traffic(first, 'solid', 60, 58);
    expect(await first.tracker.flush()).toBeNull();
    expect(await shares(first)).toEqual({ cheap: 20 });

    // The cheap route's receipts turn bad (undelivered, and never reported until reconciliation).
    await traffic(first, 'cheap', 40, 4, 'undelivered');
    await traffic(first, 'cheap', 40, 0, 'overdue');
    expect(await first.tracker.flush()).toBeNull();
    // The cheaper route still gets a probe message per probe interval (the engine's rule for a cheaper
    // candidate held back), so its quality keeps being measured and it can win again.
    expect((await shares(first)).solid).toBeGreaterThanOrEqual(19);
    const explained = await first.engine.route(routeRequest(), true);
    const cheap = explained.candidates.find((c) => c.providerId === 'cheap')!;
    expect(cheap.quality).toMatchObject({ overdue: 40 });
    expect(cheap.quality!.deliveryRate).toBeLessThan(0.6);
    expect(cheap.factors!.map((f) => f.factor)).toEqual(['cost', 'delivery', 'latency', 'errors']);
    expect(cheap.factors!.find((f) => f.factor === 'latency')!.raw).toBeLessThanOrEqual(3_000);

    // New weights apply to the next decision (the weights API, no restart).
    await first.weights.put('GB', WEIGHT_PRESETS['quality-first']);
    const reweighed = (await first.engine.route(routeRequest(), true)).candidates[0]!;
    expect(reweighed.factors!.map((f) => f.weight)).toEqual([0.2, 1, 0.5, 1]);
    await first.weights.put('GB', WEIGHT_PRESETS.balanced);

    // A new router process three hours later, with no short buckets (a fresh Redis prefix / memory):
    // the hourly roll-ups it reads from the database still say the cheap route is poor.
    const later = await router(await dataSource(), short('b'), () => Date.now() + 3 * HOUR_MS);
    expect((await shares(later)).solid).toBeGreaterThanOrEqual(19);
    const history = (await later.engine.route(routeRequest(), true)).candidates.find((c) => c.providerId === 'cheap')!;
    expect(history.quality).toMatchObject({ sent: 140, overdue: 40, recentOutcomes: 0 });
  });

  it('counts receipts on a replica that never saw their sends, and every replayed fact once', async () => {
    // Two router replicas over the same stores: one consumed the sends, the other (a rebalance, or a
    // restart in between) the receipts, which carry their send's route as dlr-processor publishes them.
    const shared = short('c');
    const sends = await router(await dataSource(), shared);
    const receipts = await router(await dataSource(), shared);
    const sentAt = Date.now() - 5_000;
    const ids = Array.from({ length: 10 }, () => randomUUID());
    const sent = ids.map((id) =>
      record(
        status(id, 'cheap', StatusEventKind.Sent, StatusEventSource.SendWorker, {
          country: 'FR',
          occurredAt: new Date(sentAt).toISOString(),
        }),
      ),
    );
    const finals = ids.map((id, i) =>
      record(
        status(id, 'cheap', i < 8 ? StatusEventKind.Delivered : StatusEventKind.Undelivered, StatusEventSource.Dlr, {
          attempt: null,
          country: 'FR',
          sentAt: new Date(sentAt).toISOString(),
          occurredAt: new Date(sentAt + 2_000).toISOString(),
        }),
      ),
    );
    for (const r of sent) {
      await sends.health.handle(r);
    }
    for (const r of finals) {
      await receipts.health.handle(r);
    }
    // Kafka redelivers both batches; the provider posted every receipt a second time (new event ids).
    for (const r of sent) {
      await sends.health.handle(r);
    }
    for (const r of finals) {
      await receipts.health.handle(r);
      await receipts.health.handle(record({ ...(r.value as StatusChangedV1), eventId: randomUUID() }));
    }
    await sends.health.drain();
    await receipts.health.drain();
    expect(await sends.tracker.flush()).toBeNull();
    expect(await receipts.tracker.flush()).toBeNull();

    expect(receipts.tracker.unmatched).toBe(0);
    expect(sends.tracker.duplicates + receipts.tracker.duplicates).toBe(30);
    const key = routeKeyString({ provider: 'cheap', country: 'FR', network: '' });
    const recent = (await shared.read(Date.now() - HOUR_MS)).get(key);
    const countsOf = (c: typeof recent) =>
      c && { sent: c.sent, delivered: c.delivered, undelivered: c.undelivered, overdue: c.overdue };
    expect(countsOf(recent)).toEqual({ sent: 10, delivered: 8, undelivered: 2, overdue: 0 });
    const hour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
    const rolled = (await new HourlyRollups(sources.at(-1)!).read(hour - HOUR_MS, hour + HOUR_MS)).get(key);
    expect(countsOf(rolled)).toEqual({ sent: 10, delivered: 8, undelivered: 2, overdue: 0 });
    // The receipt latency is the carried send time's, not unknown.
    expect(rolled?.latency.reduce((a, b) => a + b, 0)).toBe(8);
  });

  it("scores by the destination network's figures where the network is known and has counts", async () => {
    const r = await router(await dataSource(), short('n'));
    for (const id of ['de-cheap', 'de-solid']) {
      await r.operator.createProvider({ id, kind: 'twilio', name: id });
    }
    await r.operator.createNumber({ number: '+4915700900101', provider: 'de-cheap', country: 'DE', type: 'longcode' });
    await r.operator.createNumber({ number: '+4915700900102', provider: 'de-solid', country: 'DE', type: 'longcode' });
    await r.operator.createRate({ provider: 'de-cheap', country: 'DE', price: '0.0100' });
    await r.operator.createRate({ provider: 'de-solid', country: 'DE', price: '0.0400' });
    await r.weights.put('DE', WEIGHT_PRESETS.balanced);
    // de-cheap, far cheaper, delivers everything on 262-02 and nothing on 262-01; de-solid delivers well on
    // both. (The 5-minute health, per provider, charges de-cheap for 262-01 everywhere, as it always did.)
    await traffic(r, 'de-cheap', 200, 200, 'undelivered', { country: 'DE', network: '26202' });
    await traffic(r, 'de-cheap', 80, 0, 'undelivered', { country: 'DE', network: '26201' });
    await traffic(r, 'de-solid', 200, 195, 'undelivered', { country: 'DE', network: '26202' });
    await traffic(r, 'de-solid', 60, 58, 'undelivered', { country: 'DE', network: '26201' });
    expect(await r.tracker.flush()).toBeNull();
    const decide = async (network: { mcc: string; mnc: string } | null) => {
      const outcome = await r.engine.route(routeRequest({ to: '+4915112345678', country: 'DE', network }), true);
      if (outcome.kind !== 'route') {
        throw new Error(`${outcome.code}: ${outcome.reason}`);
      }

      return outcome;
    };

    const bad = await decide({ mcc: '262', mnc: '01' });
    const good = await decide({ mcc: '262', mnc: '02' });
    const unknown = await decide(null);

    expect(bad.providerId).toBe('de-solid');
    expect(bad.candidates.map((c) => [c.providerId, c.quality?.level])).toEqual([
      ['de-solid', 'network'],
      ['de-cheap', 'network'],
    ]);
    expect(bad.candidates.find((c) => c.providerId === 'de-cheap')!.quality!.deliveryRate).toBeLessThan(0.5);
    expect([good.providerId, good.candidates[0]!.quality?.level]).toEqual(['de-cheap', 'network']);
    expect(unknown.providerId).toBe('de-cheap');
    expect(unknown.candidates.every((c) => c.quality?.level === 'country')).toBe(true);
  });
});
