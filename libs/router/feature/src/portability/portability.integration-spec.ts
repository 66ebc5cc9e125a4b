/**
 * Number portability end to end in the router against the real MariaDB (router migrations, pool and lookup
 * settings written through the operator services), the real Redis (the shared lookup cache) and the
 * simulator's Twilio Lookup v2 read by the real adapter: a ported number is routed by its network's rate where
 * lookups are on; by prefix where they are off; a cached answer costs no second lookup, even on another replica.
 */
import { randomUUID } from 'node:crypto';
import { RedisKeyValueStore } from '@sms/counters';
import { createServiceDataSource, erasureTargetOf, migrateSlice } from '@sms/persistence';
import { TwilioNumberLookup } from '@sms/provider-twilio';
import { createTestDatabase, type TestDatabase } from '@sms/testing';
import { type SimulatorServer, startSimulatorServer } from '@sms/testing-receipts';
import Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import { ROUTER_ENTITIES, ROUTER_MIGRATIONS } from '../database/router.schema';
import { ExplainService } from '../operator/explain.service';
import { OperatorService } from '../operator/operator.service';
import { RouterEraser } from '../privacy/router-erasure';
import { RoutingEngine, type RoutingOutcome } from '../routing/routing-engine';
import { routeRequest } from '../routing/routing.fixtures';
import { SqlRoutePool } from '../routing/snapshot/sql-route-pool';
import { RedisRoutingState } from '../state/redis-routing-state';
import { KvLookupCache } from './lookup-cache';
import { LookupSettings } from './lookup-settings';
import { LookupSettingsService } from './lookup-settings.service';
import { NetworkResolver } from './network-resolver';

jest.setTimeout(120_000);

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const PREFIX = `sms-it:portability:${randomUUID().slice(0, 8)}:`;
const TWILIO = { accountSid: 'ACsimulator00000000000000000000000', authToken: 'sim-auth-token' };
const PORTED = '+447400555001';
const NOT_PORTED = '+447400555002';

interface Replica {
  dataSource: DataSource;
  state: RedisRoutingState;
  kv: RedisKeyValueStore;
  engine: RoutingEngine;
  resolver: NetworkResolver;
  operator: OperatorService;
  lookups: LookupSettingsService;
}

let db: TestDatabase;
let sim: SimulatorServer;
let simBase: string;
let a: Replica;
let b: Replica;

async function replica(): Promise<Replica> {
  const dataSource = await createServiceDataSource({
    service: 'router',
    database: { kind: 'mysql', url: db.url, poolSize: 2 },
    entities: ROUTER_ENTITIES,
    migrations: ROUTER_MIGRATIONS,
  }).initialize();
  const state = new RedisRoutingState({ url: REDIS_URL, keyPrefix: PREFIX });
  const kv = new RedisKeyValueStore({ url: REDIS_URL, keyPrefix: PREFIX });
  const lookup = new TwilioNumberLookup({ ...TWILIO, baseUrl: `${simBase}/sim/twilio-lookups`, timeoutMs: 5_000 });
  const resolver = new NetworkResolver(
    new LookupSettings(dataSource),
    new KvLookupCache(kv, ''),
    new Map([['twilio', lookup]]),
    {
      // Generous on a loaded box: the timeout case sets the simulator's latency far above it.
      timeoutMs: 3_000,
      failureTtlMs: 1_000,
      salt: 'integration-salt',
    },
  );
  const engine = new RoutingEngine(new SqlRoutePool(dataSource), state, { healthTtlMs: 0, network: resolver });
  const changed = async () => {
    engine.invalidate();
    await state.bumpPoolVersion();
  };

  return {
    dataSource,
    state,
    kv,
    engine,
    resolver,
    operator: new OperatorService(dataSource, changed),
    lookups: new LookupSettingsService(dataSource, changed, () => resolver.sources()),
  };
}

async function simulator(path: string, method = 'GET', body?: unknown): Promise<unknown> {
  const response = await fetch(`${simBase}/sim/twilio-lookups${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(response.status).toBe(200);

  return response.json();
}

const lookupsOf = async (number: string): Promise<number> =>
  ((await simulator('/requests')) as { byNumber: Record<string, number> }).byNumber[number] ?? 0;

const routed = (outcome: RoutingOutcome) => {
  if (outcome.kind !== 'route') {
    throw new Error(`expected a route, got ${outcome.kind} ${outcome.code}: ${outcome.reason}`);
  }

  return outcome;
};

beforeAll(async () => {
  sim = await startSimulatorServer(TWILIO);
  simBase = sim.base;
  await simulator('/knobs', 'PUT', {
    homeNetworks: { '447400': { mcc: '234', mnc: '10', carrierName: 'Home network' } },
    ported: { [PORTED]: { mcc: '234', mnc: '30', carrierName: 'Ported to network' } },
  });

  db = await createTestDatabase();
  await migrateSlice(db.url, 'router', ROUTER_MIGRATIONS);
  a = await replica();
  b = await replica();
  for (const id of ['alpha', 'bravo']) {
    await a.operator.createProvider({ id, kind: 'twilio', name: `${id} account` });
  }
  await a.operator.createNumber({ number: '+447700900001', provider: 'alpha', country: 'GB', type: 'longcode' });
  await a.operator.createNumber({ number: '+447700900002', provider: 'bravo', country: 'GB', type: 'longcode' });
  await a.operator.createNumber({ number: '+33700900001', provider: 'alpha', country: 'FR', type: 'longcode' });
  await a.operator.createNumber({ number: '+33700900002', provider: 'bravo', country: 'FR', type: 'longcode' });
  // By prefix alpha is cheaper everywhere; bravo is far cheaper on network 234-30 (the ported number's).
  await a.operator.createRate({ provider: 'alpha', country: 'GB', prefix: '4474', price: '0.0300' });
  await a.operator.createRate({ provider: 'bravo', country: 'GB', price: '0.0400' });
  await a.operator.createRate({ provider: 'bravo', country: 'GB', mcc: '234', mnc: '30', price: '0.0100' });
  await a.operator.createRate({ provider: 'alpha', country: 'FR', price: '0.0300' });
  await a.operator.createRate({ provider: 'bravo', country: 'FR', price: '0.0400' });
  await a.operator.createRate({ provider: 'bravo', country: 'FR', mcc: '208', mnc: '01', price: '0.0010' });
  await a.lookups.put('GB', { enabled: true, provider: 'twilio', ttlSeconds: 3_600 });
});

afterAll(async () => {
  for (const r of [a, b]) {
    await r?.state.close();
    await r?.kv.close();
    await r?.dataSource.destroy();
  }
  await db?.drop();
  await sim?.close();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length > 0) {
    await redis.del(...keys);
  }
  await redis.quit();
});

describe('number portability in routing', () => {
  it("routes a ported number by its new network's rate, and an unported one by prefix", async () => {
    const ported = routed(await a.engine.route(routeRequest({ to: PORTED, country: 'GB' })));
    const home = routed(await a.engine.route(routeRequest({ to: NOT_PORTED, country: 'GB' })));

    expect([ported.providerId, ported.price]).toEqual(['bravo', '0.0100']);
    expect(ported.candidates.find((c) => c.providerId === 'bravo')?.network).toBe('234-30');
    expect([home.providerId, home.price]).toEqual(['alpha', '0.0300']);
  });

  it('asks the source once per number: later messages, and the other replica, read the Redis cache', async () => {
    const before = await lookupsOf(PORTED);
    for (let i = 0; i < 3; i++) {
      routed(await a.engine.route(routeRequest({ to: PORTED, country: 'GB' })));
    }
    const onB = routed(await b.engine.route(routeRequest({ to: PORTED, country: 'GB' })));
    const explained = await new ExplainService(b.engine).explain({ to: PORTED });

    expect(before).toBe(1);
    expect(await lookupsOf(PORTED)).toBe(1);
    expect(onB.providerId).toBe('bravo');
    expect(explained.network).toEqual({
      mcc: '234',
      mnc: '30',
      carrierName: 'Ported to network',
      lineType: 'mobile',
      source: 'cache',
      detail: 'twilio',
    });
    expect(await a.kv.get(`lookup:${PORTED}`)).toBeNull();
  });

  it('does not look up where lookups are off: routed by prefix, explain says why', async () => {
    await simulator('/knobs', 'PUT', { ported: { '+33612555001': { mcc: '208', mnc: '01' } } });
    const outcome = routed(await a.engine.route(routeRequest({ to: '+33612555001', country: 'FR' })));
    const explained = await new ExplainService(a.engine).explain({ to: '+33612555001' });

    expect(outcome.providerId).toBe('alpha');
    expect(explained.network).toMatchObject({ mcc: null, source: 'none', detail: 'lookups off for FR' });
    expect(await lookupsOf('+33612555001')).toBe(0);
  });

  it('routes by prefix when the lookup times out', async () => {
    await simulator('/knobs', 'PUT', { latencyMs: 8_000, ported: { '+447400555003': { mcc: '234', mnc: '30' } } });
    try {
      const outcome = routed(await a.engine.route(routeRequest({ to: '+447400555003', country: 'GB' })));

      expect(outcome.providerId).toBe('alpha');
    } finally {
      await simulator('/knobs', 'PUT', { latencyMs: 0 });
    }
  });

  it('turning lookups off for a country takes effect at once; erasure drops the cached answer', async () => {
    await a.lookups.put('GB', { enabled: false });
    const off = routed(await a.engine.route(routeRequest({ to: PORTED, country: 'GB' })));
    await a.lookups.put('GB', { enabled: true, ttlSeconds: 3_600 });

    const erased = await new RouterEraser(a.state, a.resolver).erase(erasureTargetOf(PORTED, 'token'));
    routed(await a.engine.route(routeRequest({ to: PORTED, country: 'GB' })));

    // The recipient keeps its sticky sender (bravo's), but at bravo's prefix rate: the network is not known.
    expect(off.candidates.map((c) => [c.providerId, c.price, c.network])).toEqual([
      ['alpha', '0.0300', ''],
      ['bravo', '0.0400', ''],
    ]);
    expect(erased['number-lookup:cache']).toBe(1);
    expect(await lookupsOf(PORTED)).toBe(2);
  });

  it('refuses bad settings and rates with stable codes', async () => {
    await expect(a.lookups.put('GB', { enabled: 'yes' })).rejects.toMatchObject({ code: 'INVALID_FIELD' });
    await expect(a.lookups.put('GB', { enabled: true, provider: 'acme' })).rejects.toMatchObject({
      code: 'UNKNOWN_LOOKUP_PROVIDER',
    });
    await expect(a.lookups.put('GB', { enabled: true, ttlSeconds: 5 })).rejects.toMatchObject({
      code: 'INVALID_LOOKUP_TTL',
    });
    await expect(a.lookups.put('ZZ', { enabled: true })).rejects.toMatchObject({ code: 'INVALID_COUNTRY' });
    await expect(a.lookups.remove('DE')).rejects.toMatchObject({ status: 404 });
    await expect(
      a.operator.createRate({ provider: 'alpha', country: 'GB', mcc: '234', price: '0.01' }),
    ).rejects.toMatchObject({ code: 'INVALID_NETWORK' });
    await expect(
      a.operator.createRate({ provider: 'alpha', country: 'GB', mcc: '23', mnc: '30', price: '0.01' }),
    ).rejects.toMatchObject({ code: 'INVALID_NETWORK' });
    await expect(
      a.operator.createRate({ provider: 'bravo', country: 'GB', mcc: '234', mnc: '30', price: '0.02' }),
    ).rejects.toMatchObject({ code: 'ROUTE_EXISTS' });
  });
});
