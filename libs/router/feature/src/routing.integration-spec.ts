/**
 * The routing engine against the real MariaDB (router migrations, pool written through the operator
 * service) and the real Redis (shared state), with two replicas: each its own data source, its own
 * Redis connection and engine, as two router pods would be.
 */
import { randomUUID } from 'node:crypto';
import { type Bus, type BusRecord, createBus } from '@sms/bus';
import {
  Encoding,
  type DispatchRequestedV1,
  type MessageAcceptedV1,
  MessageClass,
  type StatusChangedV1,
  StatusEventKind,
  StatusEventSource,
  TOPICS,
  DEFAULT_ACCOUNT_ID,
} from '@sms/contracts';
import { createServiceDataSource, migrateSlice } from '@sms/persistence';
import { createTestDatabase, type TestDatabase } from '@sms/testing';
import Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import { ROUTER_ENTITIES, ROUTER_MIGRATIONS } from './database/router.schema';
import { listMaskingNumbers, OperatorService } from './operator/operator.service';
import { HealthRecorder } from './routing/health.recorder';
import { NoRouteBacklog } from './routing/no-route-backlog';
import { RouterConsumer } from './routing/router.consumer';
import { RoutingEngine, type RoutingOutcome } from './routing/routing-engine';
import { RoutingMetrics } from './routing/routing-metrics';
import { consumedStatus, routeRequest } from './routing/routing.fixtures';
import { SqlRoutePool } from './routing/snapshot/sql-route-pool';
import { RedisRoutingState } from './state/redis-routing-state';

jest.setTimeout(180_000);

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const PREFIX = `sms-it:router:${randomUUID().slice(0, 8)}:`;

interface Replica {
  dataSource: DataSource;
  state: RedisRoutingState;
  engine: RoutingEngine;
  health: HealthRecorder;
  operator: OperatorService;
}

let db: TestDatabase;
let a: Replica;
let b: Replica;

async function replica(): Promise<Replica> {
  const dataSource = await createServiceDataSource({
    service: 'router',
    database: { kind: 'mysql', url: db.url, poolSize: 4 },
    entities: ROUTER_ENTITIES,
    migrations: ROUTER_MIGRATIONS,
  }).initialize();
  const state = new RedisRoutingState({ url: REDIS_URL, keyPrefix: PREFIX });
  const engine = new RoutingEngine(new SqlRoutePool(dataSource), state, {
    healthTtlMs: 0,
    probeIntervalMs: 300,
  });
  const operator = new OperatorService(dataSource, async () => {
    engine.invalidate();
    await state.bumpPoolVersion();
  });

  return { dataSource, state, engine, health: new HealthRecorder(state), operator };
}

const request = routeRequest;
let recipientSeq = 0;
const freshRecipient = (): string => `+4474${String(10_000_000 + recipientSeq++).slice(-8)}`;

const routed = (outcome: RoutingOutcome) => {
  if (outcome.kind !== 'route') {
    throw new Error(`expected a route, got ${outcome.kind} ${outcome.code}: ${outcome.reason}`);
  }

  return outcome;
};

/** A send result or receipt as the send-worker / dlr-processor publish it, through the health consumer. */
async function report(
  r: Replica,
  provider: string,
  kind: StatusEventKind,
  times: number,
  source = StatusEventSource.SendWorker,
) {
  for (let i = 0; i < times; i++) {
    await r.health.handle(consumedStatus(provider, kind, source));
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  await migrateSlice(db.url, 'router', ROUTER_MIGRATIONS);
  a = await replica();
  b = await replica();
  // The pool, through the operator service (the API's validation and writes).
  for (const id of ['alpha', 'bravo', 'charlie']) {
    await a.operator.createProvider({ id, kind: 'twilio', name: `${id} account` });
  }
  const numbers: [string, string, string, string, number?, string[]?][] = [
    ['+447700900001', 'alpha', 'GB', 'longcode', 500],
    ['+447700900002', 'alpha', 'GB', 'longcode', 500],
    ['+447700900010', 'bravo', 'GB', 'longcode', 500],
    ['+447700900020', 'charlie', 'GB', 'longcode', 500],
    ['+447700900099', 'alpha', 'GB', 'longcode', 500, ['sms', 'two_way', 'masking']],
    ['+12025550100', 'alpha', 'US', 'longcode'],
    ['55501', 'alpha', 'US', 'shortcode'],
    ['ACME', 'bravo', 'GB', 'alphanumeric'],
    ['+447700900050', 'charlie', 'GB', 'longcode', 10],
  ];
  for (const [number, provider, country, type, segmentsPerSecond, capabilities] of numbers) {
    await a.operator.createNumber({
      number,
      provider,
      country,
      type,
      ...(segmentsPerSecond ? { segmentsPerSecond } : {}),
      ...(capabilities ? { capabilities } : {}),
    });
  }
  await a.operator.updateNumber('+447700900050', { active: false });
  for (const [provider, country, price] of [
    ['alpha', 'GB', '0.0300'],
    ['bravo', 'GB', '0.0400'],
    ['charlie', 'GB', '0.0500'],
    ['alpha', 'US', '0.0079'],
    ['alpha', 'KP', '0.5000'],
  ] as const) {
    await a.operator.createRate({ provider, country, price });
  }
  await a.operator.putRule('US', {
    allowedSenderTypes: ['longcode', 'shortcode'],
    senderIdPolicy: 'forbidden',
    localNumberRequired: true,
  });
  await a.operator.putRule('KP', { blocked: true });
});

afterAll(async () => {
  for (const r of [a, b]) {
    await r?.state.close();
    await r?.dataSource.destroy();
  }
  await db?.drop();
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) {
        await redis.del(...keys);
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
});

describe('filters on the pool in MariaDB', () => {
  it('refuses a blocked country, forbidden sender IDs and a foreign sender where a local one is required', async () => {
    expect(await a.engine.route(request({ to: '+850191234567', country: 'KP' }))).toMatchObject({
      kind: 'refused',
      code: 'COUNTRY_NOT_ALLOWED',
    });
    const us = request({ to: '+12025550199', country: 'US' });
    expect(await a.engine.route({ ...us, from: 'ACME' })).toMatchObject({ code: 'SENDER_ID_NOT_ALLOWED' });
    expect(await a.engine.route({ ...us, from: '+447700900001' })).toMatchObject({ code: 'SENDER_NOT_ALLOWED' });
    expect(routed(await a.engine.route({ ...us, from: '+12025550100' })).sender).toBe('+12025550100');
  });

  it('short code for US marketing, long code for transactional; never a masking or inactive number', async () => {
    const us = request({ to: '+12025550199', country: 'US' });
    expect(
      routed(await a.engine.route({ ...us, to: '+12025550198', messageClass: MessageClass.Marketing })).sender,
    ).toBe('55501');
    expect(routed(await a.engine.route(us)).sender).toBe('+12025550100');
    const senders = new Set<string>();
    for (let i = 0; i < 20; i++) {
      senders.add(routed(await a.engine.route(request({ to: freshRecipient() }))).sender);
    }
    expect([...senders].sort()).toEqual(['+447700900001', '+447700900002']);
  });

  it('scores by price, and explains each loser', async () => {
    const outcome = routed(await a.engine.route(request({ to: freshRecipient(), segments: 2 }), true));

    expect(outcome.providerId).toBe('alpha');
    expect(outcome.candidates.map((c) => [c.providerId, c.outcome, c.cost])).toEqual([
      ['alpha', 'chosen', '0.060000'],
      ['bravo', 'lost', '0.080000'],
      ['charlie', 'lost', '0.100000'],
    ]);
    expect(outcome.candidates[2]!.reason).toMatch(/dearer: 0.0500 vs 0.0300/);
  });

  it('loads per country: a provider with no sender there sends from its other numbers, unless a local one is required', async () => {
    await a.operator.createRate({ provider: 'bravo', country: 'FR', price: '0.0700' });
    await a.operator.createRate({ provider: 'bravo', country: 'CA', price: '0.0100' });
    await a.operator.putRule('CA', { localNumberRequired: true });
    try {
      // bravo has no French number: its British long code serves France (never its alphanumeric ID).
      const fr = routed(await a.engine.route(request({ to: '+33612345678', country: 'FR' }), true));
      expect(fr).toMatchObject({ providerId: 'bravo', sender: '+447700900010' });
      // Canada wants local numbers: the same provider has none, and the explanation says so.
      const ca = await a.engine.route(request({ to: '+14165550123', country: 'CA' }), true);
      expect(ca).toMatchObject({ kind: 'no-route', code: 'NO_ROUTE' });
      expect(ca.candidates[0]!.reason).toMatch(/^no compliant sender number for CA \(local number required; /);
    } finally {
      const rates = (await a.operator.listRoutes()).rates.filter(
        (r) => r.provider === 'bravo' && (r.country === 'FR' || r.country === 'CA'),
      );
      for (const rate of rates) {
        await a.operator.deleteRate(rate.id);
      }
      await a.operator.deleteRule('CA');
    }
  });

  it("reads a provider's senders of one type in number order whatever their rate limits, and all of them when the joined list would not add up", async () => {
    await a.operator.createProvider({ id: 'echo', kind: 'twilio' });
    for (const [number, segmentsPerSecond] of [
      ['+6421000003', 5],
      ['+6421000001', 1],
      ['+6421000002', 5],
    ] as const) {
      await a.operator.createNumber({ number, provider: 'echo', country: 'NZ', type: 'longcode', segmentsPerSecond });
    }
    await a.operator.createRate({ provider: 'echo', country: 'NZ', price: '0.0500' });
    const nz = async () =>
      routed(await a.engine.route(request({ to: '+64211234567', country: 'NZ' }), true)).candidates[0]!.senders;
    expect(await nz()).toEqual(['+6421000001', '+6421000002', '+6421000003']);

    // A value the operator API would refuse, written straight into the table: split on its comma, the
    // joined list no longer matches the group's count, so the load reads the senders row by row.
    await a.dataSource.query(
      `INSERT INTO phone_numbers (number, provider_id, country, type, capabilities, monthly_cost, segments_per_second, active, created_at)
       VALUES ('+64210,00009', 'echo', 'NZ', 'longcode', 'sms', NULL, 1, 1, NOW(3))`,
    );
    a.engine.invalidate();
    expect(await nz()).toEqual(['+64210,00009', '+6421000001', '+6421000002', '+6421000003']);
  });

  it('honours an explicit from of any country, a masking number too, looked up by value', async () => {
    expect(routed(await a.engine.route(request({ to: freshRecipient(), from: '+447700900099' }))).providerId).toBe(
      'alpha',
    );
    expect(routed(await a.engine.route(request({ to: freshRecipient(), from: '+12025550100' }))).sender).toBe(
      '+12025550100',
    );
    // An explicit from has no sticky sender, not even right after another message from it (it waits
    // for its rate limit instead: the number is 1 segment/s).
    const again = routed(await b.engine.route(request({ to: freshRecipient(), from: '+12025550100' })));
    expect(again.reason).toMatch(/; sender all 1 equally good are busy; earliest free, waits/);
    // An inactive number is not in the pool.
    expect(await a.engine.route(request({ to: freshRecipient(), from: '+447700900050' }))).toMatchObject({
      kind: 'refused',
      code: 'SENDER_NOT_ALLOWED',
    });
    // Exact values only: MariaDB's collation matches 'acme' to bravo's registered 'ACME', but that is
    // another sender ID, unregistered, which GB lets any provider carry (the cheapest, alpha).
    expect(routed(await a.engine.route(request({ to: freshRecipient(), from: 'acme' })))).toMatchObject({
      providerId: 'alpha',
      sender: 'acme',
    });
  });

  it('lists the masking numbers for the masking service', async () => {
    expect((await listMaskingNumbers(a.dataSource, 'GB')).map((n) => n.number)).toEqual(['+447700900099']);
    expect(await listMaskingNumbers(a.dataSource, 'US')).toEqual([]);
  });

  it('sees an operator change at once in the replica that made it, and tells the others', async () => {
    const before = await b.state.poolVersion();
    const rates = (await a.operator.listRoutes()).rates;
    const bravo = rates.find((r) => r.provider === 'bravo' && r.country === 'GB')!;
    await a.operator.updateRate(bravo.id, { price: '0.0100' });
    try {
      expect(routed(await a.engine.route(request({ to: freshRecipient() }), true)).providerId).toBe('bravo');
      expect(await b.state.poolVersion()).not.toBe(before);
    } finally {
      await a.operator.updateRate(bravo.id, { price: '0.0400' });
      b.engine.invalidate();
    }
  });
});

describe('shared health (two replicas, Redis)', () => {
  it('fails over when a provider passes 5% errors and comes back after it recovers', async () => {
    await report(a, 'alpha', StatusEventKind.Sent, 18);
    expect(routed(await b.engine.route(request({ to: freshRecipient() }))).providerId).toBe('alpha');

    // Replica A hears the errors; replica B stops using alpha (except one probe per interval).
    await report(a, 'alpha', StatusEventKind.Retry, 2);
    const picks = [];
    for (let i = 0; i < 10; i++) {
      picks.push(routed(await b.engine.route(request({ to: freshRecipient() }))).providerId);
    }
    expect(picks.filter((p) => p === 'bravo').length).toBeGreaterThanOrEqual(9);
    expect(picks.filter((p) => p === 'alpha').length).toBeLessThanOrEqual(1);

    // The probes succeed: alpha is back on both replicas.
    await report(b, 'alpha', StatusEventKind.Sent, 3);
    expect(routed(await a.engine.route(request({ to: freshRecipient() }))).providerId).toBe('alpha');
    expect(routed(await b.engine.route(request({ to: freshRecipient() }))).providerId).toBe('alpha');
  });

  it('counts receipts into the delivery rate that the score weighs', async () => {
    await report(a, 'charlie', StatusEventKind.Delivered, 30, StatusEventSource.Dlr);
    await report(a, 'charlie', StatusEventKind.Undelivered, 10, StatusEventSource.Dlr);
    const charlie = routed(await b.engine.route(request({ to: freshRecipient() }), true)).candidates.find(
      (c) => c.providerId === 'charlie',
    )!;

    expect(charlie.health.deliveryRate).toBe(0.75);
    expect(charlie.score).toBeCloseTo((0.05 / 0.75) * 1, 6);
  });
});

describe('senders (two replicas, Redis)', () => {
  it('round-robins fairly over 1,000 messages', async () => {
    // Two equally good senders whose carrier limit (10,000 segments/s, the most the operator API takes)
    // frees them long before the next decision: what is measured is the rotation, not rate-limit timing.
    // (At 500 segments/s a number booked by the other replica moments before is still busy, the replica
    // passes its turn on, and the split depends on how fast decisions follow: 513/487 on a loaded box.)
    await a.operator.createProvider({ id: 'foxtrot', kind: 'twilio' });
    for (const number of ['+351910000001', '+351910000002']) {
      await a.operator.createNumber({
        number,
        provider: 'foxtrot',
        country: 'IE',
        type: 'longcode',
        segmentsPerSecond: 10_000,
      });
    }
    await a.operator.createRate({ provider: 'foxtrot', country: 'PT', price: '0.0400' });
    b.engine.invalidate();
    const counts = new Map<string, number>();
    for (let i = 0; i < 1_000; i++) {
      const replicaOf = i % 2 === 0 ? a : b;
      const to = `+3519320${String(10_000 + i)}`;
      const { sender, delayMs } = routed(await replicaOf.engine.route(request({ to, country: 'PT' })));
      expect(delayMs).toBe(0);
      counts.set(sender, (counts.get(sender) ?? 0) + 1);
    }

    // Each replica rotates its own cursor, so the interleaved stream splits evenly: exactly, unless a
    // number still shows busy (its 0.1 ms slot at 10,000 segments/s not yet over) and passes a turn on.
    process.stdout.write(`round-robin over 1,000 messages, two replicas: ${[...counts.values()].join('/')}\n`);
    expect([...counts.keys()].sort()).toEqual(['+351910000001', '+351910000002']);
    for (const count of counts.values()) {
      expect(Math.abs(count - 500)).toBeLessThanOrEqual(5);
    }
  });

  it('keeps the sticky sender for a recipient across replicas', async () => {
    const to = freshRecipient();
    const first = routed(await a.engine.route(request({ to }))).sender;
    for (let i = 0; i < 6; i++) {
      expect(routed(await (i % 2 ? a : b).engine.route(request({ to }))).sender).toBe(first);
    }
  });

  it('keeps a sticky sender outside the equally good group (its schedule read by value in Redis)', async () => {
    const to = freshRecipient();
    // Routed away from alpha once: the recipient's sticky sender is bravo's number.
    expect(routed(await a.engine.route(request({ to, avoidProviders: ['alpha'] }))).sender).toBe('+447700900010');
    const kept = routed(await b.engine.route(request({ to, segments: 2 })));

    expect(kept).toMatchObject({ providerId: 'bravo', sender: '+447700900010' });
    expect(kept.reason).toMatch(/sender sticky for this recipient/);
    expect(kept.candidates.find((c) => c.providerId === 'alpha')!.reason).toBe(
      'best score, but the recipient keeps its sticky sender',
    );
    // Once its sticky sender is not eligible (pinned elsewhere), it gets a new one, which then sticks.
    expect(routed(await a.engine.route(request({ to, pinProvider: 'charlie' }))).sender).toBe('+447700900020');
    expect(routed(await b.engine.route(request({ to })))).toMatchObject({
      providerId: 'charlie',
      sender: '+447700900020',
    });
  });

  it('holds the configured rate within 2% over 60 s, two replicas booking the same number', async () => {
    const rate = 20;
    const number = '+447700900077';
    await a.operator.createProvider({ id: 'delta', kind: 'twilio' });
    await a.operator.createNumber({
      number,
      provider: 'delta',
      country: 'IE',
      type: 'longcode',
      segmentsPerSecond: rate,
    });
    await a.operator.createRate({ provider: 'delta', country: 'IE', price: '0.0100' });
    b.engine.invalidate();
    const ie = (i: number) => request({ to: `+35385${String(1_000_000 + i)}`, country: 'IE', segments: 1 + (i % 3) });
    const sentAt: { at: number; segments: number }[] = [];
    const started = Date.now();
    const windowMs = 60_000;
    let i = 0;
    // Two producers (one per replica) keep the number busy; each message is "sent" when its booked
    // delay has passed, as the send-worker does. Everything sent inside the window is counted.
    const producer = async (r: Replica) => {
      const pending: Promise<void>[] = [];
      while (Date.now() - started < windowMs) {
        const req = ie(i++);
        const outcome = routed(await r.engine.route(req));
        if (outcome.delayMs > 2_000) {
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
        pending.push(
          new Promise<void>((resolve) =>
            setTimeout(() => {
              sentAt.push({ at: Date.now(), segments: req.segments });
              resolve();
            }, outcome.delayMs),
          ),
        );
      }
      await Promise.all(pending);
    };
    await Promise.all([producer(a), producer(b)]);
    const inWindow = sentAt.filter((s) => s.at - started < windowMs).reduce((sum, s) => sum + s.segments, 0);

    process.stdout.write(
      `rate accuracy: ${inWindow} segments in 60 s at ${rate}/s configured (${(((inWindow - rate * 60) / (rate * 60)) * 100).toFixed(2)}%)\n`,
    );
    // The first message goes at once; the schedule then holds exactly `rate` segments per second.
    expect(Math.abs(inWindow - rate * 60) / (rate * 60)).toBeLessThanOrEqual(0.02);
    // No second ever carries more than the rate (+ the segments of one message starting at its edge).
    const sorted = sentAt.map((s) => s.at).sort((x, y) => x - y);
    let worst = 0;
    for (let s = 0, e = 0; s < sentAt.length; s++) {
      while (e < sorted.length && sorted[e]! < sorted[s]! + 1000) {
        e++;
      }
      worst = Math.max(worst, e - s);
    }
    expect(worst).toBeLessThanOrEqual(rate + 1);
  });
});

describe('no route: all providers down', () => {
  it('keeps every message queued in the backlog (gauge per country) and routes them all after recovery', async () => {
    const bus: Bus = createBus({ kind: 'in-process' });
    const metrics = new RoutingMetrics();
    const consumer = new RouterConsumer(
      a.engine,
      bus,
      new NoRouteBacklog(metrics, { baseDelayMs: 10, maxDelayMs: 50, capacity: 1000, maxWaitMs: 3_600_000 }),
      metrics,
    );
    const dispatched: DispatchRequestedV1[] = [];
    const statuses: StatusChangedV1[] = [];
    await bus.subscribe({
      groupId: `it-${randomUUID()}`,
      topics: [TOPICS.dispatch, TOPICS.status],
      handler: async (record) => {
        (record.topic === TOPICS.dispatch ? dispatched : statuses).push(record.value as never);
      },
    });
    try {
      for (const provider of ['alpha', 'bravo', 'charlie']) {
        await report(a, provider, StatusEventKind.Retry, 40);
      }
      // Let any probe slot of this interval pass, then take one now so none is left for the test.
      await new Promise((resolve) => setTimeout(resolve, 350));
      const ids = Array.from({ length: 25 }, () => randomUUID());
      const records: BusRecord[] = ids.map((messageId) => ({
        topic: TOPICS.accepted,
        key: messageId,
        value: {
          messageId,
          accountId: DEFAULT_ACCOUNT_ID,
          attempt: 1,
          to: freshRecipient(),
          from: null,
          country: 'GB',
          body: 'hello',
          encoding: Encoding.Gsm7,
          segments: 1,
          messageClass: MessageClass.Transactional,
          validitySeconds: null,
          avoidProviders: [],
          pinProvider: null,
          acceptedAt: new Date().toISOString(),
        } satisfies MessageAcceptedV1,
      }));
      // The backlog's timer runs only while the backlog holds messages: an idle router is not woken. (A
      // tick that never comes during the holds; the drains below tick every 20 ms.)
      consumer.start(3_600_000);
      expect(consumer.ticking).toBe(false);
      for (const record of records) {
        await consumer.handle({ ...record, partition: 0, offset: '0', headers: {}, attempt: 1 });
      }
      // At most the probe messages went out; the rest wait, counted per country, none refused.
      expect(dispatched.length).toBeLessThanOrEqual(3);
      expect(metrics.noRouteBacklog().get('GB')).toBe(25 - dispatched.length);
      expect(statuses).toEqual([]);
      expect(consumer.ticking).toBe(true);
      await consumer.stop();
      expect(consumer.ticking).toBe(false);

      for (const provider of ['alpha', 'bravo', 'charlie']) {
        await report(a, provider, StatusEventKind.Sent, 3);
      }
      consumer.start(20);
      // The tick routes them as they fall due, then disarms once the backlog is empty.
      const deadline = Date.now() + 10_000;
      while ((metrics.noRouteBacklog().size > 0 || consumer.ticking) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 60));
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(metrics.noRouteBacklog().size).toBe(0);
      expect(consumer.ticking).toBe(false);
      expect(new Set(dispatched.map((d) => d.messageId))).toEqual(new Set(ids));
    } finally {
      await consumer.stop();
      await bus.close();
    }
  });
});

describe('expiry on arrival', () => {
  it('expires a message whose validity ran out on its way (VALIDITY_EXPIRED), and passes the deadline on otherwise', async () => {
    const bus: Bus = createBus({ kind: 'in-process' });
    const metrics = new RoutingMetrics();
    const consumer = new RouterConsumer(
      a.engine,
      bus,
      new NoRouteBacklog(metrics, { baseDelayMs: 10, maxDelayMs: 50, capacity: 1000, maxWaitMs: 3_600_000 }),
      metrics,
    );
    const dispatched: DispatchRequestedV1[] = [];
    const statuses: StatusChangedV1[] = [];
    await bus.subscribe({
      groupId: `it-${randomUUID()}`,
      topics: [TOPICS.dispatch, TOPICS.status],
      handler: async (record) => {
        (record.topic === TOPICS.dispatch ? dispatched : statuses).push(record.value as never);
      },
    });
    const accepted = (expiresAt: string): MessageAcceptedV1 => ({
      messageId: randomUUID(),
      accountId: DEFAULT_ACCOUNT_ID,
      attempt: 2,
      to: freshRecipient(),
      from: null,
      country: 'GB',
      body: 'hello',
      encoding: Encoding.Gsm7,
      segments: 1,
      messageClass: MessageClass.Transactional,
      validitySeconds: 60,
      expiresAt,
      avoidProviders: [],
      pinProvider: null,
      acceptedAt: new Date(Date.now() - 120_000).toISOString(),
    });
    try {
      for (const provider of ['alpha', 'bravo', 'charlie']) {
        await report(a, provider, StatusEventKind.Sent, 3);
      }
      const late = accepted(new Date(Date.now() - 1_000).toISOString());
      const inTime = accepted(new Date(Date.now() + 60_000).toISOString());
      for (const value of [late, inTime]) {
        await consumer.handle({
          topic: TOPICS.accepted,
          key: value.messageId,
          value,
          partition: 0,
          offset: '0',
          headers: {},
          attempt: 1,
        });
      }
      const deadline = Date.now() + 5_000;
      while ((statuses.length < 1 || dispatched.length < 1) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }

      expect(statuses).toEqual([
        expect.objectContaining({
          messageId: late.messageId,
          kind: StatusEventKind.Expired,
          errorCode: 'VALIDITY_EXPIRED',
          attempt: 2,
        }),
      ]);
      expect(dispatched).toEqual([
        expect.objectContaining({ messageId: inTime.messageId, expiresAt: inTime.expiresAt }),
      ]);
    } finally {
      await consumer.stop();
      await bus.close();
    }
  });
});
