/**
 * Network rules end to end in the router, in both modes: MariaDB (router migrations) with Redis routing
 * state and the Redis lookup cache, as the distributed router runs; SQLite (schema from the entities) with
 * in-memory state and the LRU cache, as the embedded one does. Rules are written through the operator
 * service; numbers are placed on networks by the simulator's Twilio Lookup v2 read by the real adapter. A
 * rule on the network a number was ported to refuses or reroutes it, while a number of another network in
 * the same country follows the country's rule.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { RedisKeyValueStore } from '@sms/counters';
import { createServiceDataSource, migrateSlice } from '@sms/persistence';
import { TwilioNumberLookup } from '@sms/provider-twilio';
import { createTestDatabase } from '@sms/testing';
import { type SimulatorServer, startSimulatorServer } from '@sms/testing-receipts';
import Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import { ROUTER_ENTITIES, ROUTER_MIGRATIONS } from '../database/router.schema';
import { ExplainService } from '../operator/explain.service';
import { OperatorService } from '../operator/operator.service';
import { RoutingEngine, type RoutingOutcome } from '../routing/routing-engine';
import { routeRequest } from '../routing/routing.fixtures';
import { SqlRoutePool } from '../routing/snapshot/sql-route-pool';
import { MemoryRoutingState } from '../state/memory-routing-state';
import { RedisRoutingState } from '../state/redis-routing-state';
import type { RoutingState } from '../state/routing-state';
import { KvLookupCache, type LookupCache, LruLookupCache } from './lookup-cache';
import { LookupSettings } from './lookup-settings';
import { LookupSettingsService } from './lookup-settings.service';
import { NetworkResolver } from './network-resolver';

jest.setTimeout(180_000);

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const RUN = randomUUID().slice(0, 8);
const TWILIO = { accountSid: 'ACsimulator00000000000000000000000', authToken: 'sim-auth-token' };
/** Ported from the home network 234-10 to 234-30; HOME stays on 234-10. */
const PORTED = '+447400666001';
const HOME = '+447400666002';

interface Opened {
  dataSource: DataSource;
  state: RoutingState;
  cache: LookupCache;
  close(): Promise<void>;
}

interface Backend {
  readonly name: string;
  open(): Promise<Opened>;
}

const backends: Backend[] = [
  {
    name: 'MariaDB and Redis (distributed)',
    open: async () => {
      const db = await createTestDatabase();
      await migrateSlice(db.url, 'router', ROUTER_MIGRATIONS);
      const dataSource = await createServiceDataSource({
        service: 'router',
        database: { kind: 'mysql', url: db.url, poolSize: 2 },
        entities: ROUTER_ENTITIES,
        migrations: ROUTER_MIGRATIONS,
      }).initialize();
      const keyPrefix = `sms-it:netrules:${RUN}:`;
      const state = new RedisRoutingState({ url: REDIS_URL, keyPrefix });
      const kv = new RedisKeyValueStore({ url: REDIS_URL, keyPrefix });

      return {
        dataSource,
        state,
        cache: new KvLookupCache(kv, ''),
        close: async () => {
          await state.close();
          await kv.close();
          await dataSource.destroy();
          await db.drop();
          const redis = new Redis(REDIS_URL);
          const keys = await redis.keys(`${keyPrefix}*`);
          if (keys.length > 0) {
            await redis.del(...keys);
          }
          await redis.quit();
        },
      };
    },
  },
  {
    name: 'SQLite and memory (embedded)',
    open: async () => {
      const directory = mkdtempSync(path.join(tmpdir(), 'network-rules-'));
      const dataSource = await createServiceDataSource({
        service: 'router',
        database: { kind: 'sqlite', directory },
        entities: ROUTER_ENTITIES,
        migrations: ROUTER_MIGRATIONS,
      }).initialize();

      return {
        dataSource,
        state: new MemoryRoutingState(),
        cache: new LruLookupCache(),
        close: async () => {
          await dataSource.destroy();
          rmSync(directory, { recursive: true, force: true });
        },
      };
    },
  },
];

let sim: SimulatorServer;

async function simulator(pathname: string, method = 'GET', body?: unknown): Promise<void> {
  const response = await fetch(`${sim.base}/sim/twilio-lookups${pathname}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(response.status).toBe(200);
}

const routed = (outcome: RoutingOutcome) => {
  if (outcome.kind !== 'route') {
    throw new Error(`expected a route, got ${outcome.kind} ${outcome.code}: ${outcome.reason}`);
  }

  return outcome;
};

beforeAll(async () => {
  sim = await startSimulatorServer(TWILIO);
  await simulator('/knobs', 'PUT', {
    homeNetworks: { '447400': { mcc: '234', mnc: '10', carrierName: 'Home network' } },
    ported: { [PORTED]: { mcc: '234', mnc: '30', carrierName: 'Ported to network' } },
  });
});

afterAll(async () => {
  await sim?.close();
});

describe.each(backends)('network rules ($name)', (backend) => {
  let opened: Opened;
  let engine: RoutingEngine;
  let operator: OperatorService;
  let explainer: ExplainService;

  beforeAll(async () => {
    opened = await backend.open();
    const { dataSource, state, cache } = opened;
    const lookup = new TwilioNumberLookup({ ...TWILIO, baseUrl: `${sim.base}/sim/twilio-lookups`, timeoutMs: 5_000 });
    const resolver = new NetworkResolver(new LookupSettings(dataSource), cache, new Map([['twilio', lookup]]), {
      timeoutMs: 5_000,
      failureTtlMs: 1_000,
      salt: 'integration-salt',
    });
    engine = new RoutingEngine(new SqlRoutePool(dataSource), state, { healthTtlMs: 0, network: resolver });
    explainer = new ExplainService(engine);
    const changed = () => {
      engine.invalidate();

      return Promise.resolve();
    };
    operator = new OperatorService(dataSource, changed);
    // alpha is cheaper but sends to GB only from a French number; bravo has a GB number and a sender ID.
    for (const id of ['alpha', 'bravo']) {
      await operator.createProvider({ id, kind: 'twilio' });
    }
    await operator.createNumber({ number: '+33700900001', provider: 'alpha', country: 'FR', type: 'longcode' });
    await operator.createNumber({ number: '+447700900002', provider: 'bravo', country: 'GB', type: 'longcode' });
    await operator.createNumber({ number: 'ACME', provider: 'bravo', country: 'GB', type: 'alphanumeric' });
    await operator.createRate({ provider: 'alpha', country: 'GB', price: '0.0300' });
    await operator.createRate({ provider: 'bravo', country: 'GB', price: '0.0400' });
    await new LookupSettingsService(dataSource, changed, () => resolver.sources()).put('GB', {
      enabled: true,
      ttlSeconds: 3_600,
    });
  });

  afterAll(async () => {
    await opened?.close();
  });

  it("reroutes a ported number when its network's rule requires a local number; its old network's numbers are not", async () => {
    await operator.putRule('GB', { senderIdPolicy: 'allowed' });
    const rule = await operator.putNetworkRule('GB', '234-30', { localNumberRequired: true });

    const ported = routed(await engine.route(routeRequest({ to: PORTED }), true));
    const home = routed(await engine.route(routeRequest({ to: HOME }), true));
    const explained = await explainer.explain({ to: PORTED });
    const explainedHome = await explainer.explain({ to: HOME });

    expect(rule).toMatchObject({ country: 'GB', network: '234-30', mcc: '234', mnc: '30', localNumberRequired: true });
    expect([ported.providerId, ported.sender, ported.rule]).toEqual([
      'bravo',
      '+447700900002',
      { level: 'network', network: '234-30' },
    ]);
    expect([home.providerId, home.rule]).toEqual(['alpha', { level: 'country', network: null }]);
    expect(explained).toMatchObject({
      network: { mcc: '234', mnc: '30', source: 'cache' },
      rule: { level: 'network', network: '234-30' },
      chosen: { provider: 'bravo' },
    });
    expect(explained.reason).toContain('(rule of network 234-30)');
    expect(explainedHome).toMatchObject({
      network: { mcc: '234', mnc: '10' },
      rule: { level: 'country', network: null },
      chosen: { provider: 'alpha' },
    });
  });

  it('refuses a sender ID, or everything, on the network whose rule says so; the country is not refused', async () => {
    await operator.putNetworkRule('GB', '234-30', { senderIdPolicy: 'forbidden' });
    const senderId = await engine.route(routeRequest({ to: PORTED, from: 'ACME' }), true);
    const senderIdHome = routed(await engine.route(routeRequest({ to: HOME, from: 'ACME' }), true));
    await operator.putNetworkRule('GB', '234-30', { blocked: true });
    const blocked = await engine.route(routeRequest({ to: PORTED }), true);
    const notBlocked = routed(await engine.route(routeRequest({ to: HOME }), true));

    expect(senderId).toMatchObject({
      kind: 'refused',
      code: 'SENDER_ID_NOT_ALLOWED',
      rule: { level: 'network', network: '234-30' },
    });
    expect([senderIdHome.providerId, senderIdHome.sender]).toEqual(['bravo', 'ACME']);
    expect(blocked).toMatchObject({
      kind: 'refused',
      code: 'COUNTRY_NOT_ALLOWED',
      reason: 'sending to GB network 234-30 is blocked',
    });
    expect(notBlocked.providerId).toBe('alpha');
  });

  it('lists network rules with the routes, and dropping one gives its numbers back to the country rule', async () => {
    const listed = await operator.listRoutes();
    await operator.deleteNetworkRule('GB', '234-30');
    const after = routed(await engine.route(routeRequest({ to: PORTED }), true));

    expect(listed.networkRules).toEqual([
      expect.objectContaining({ country: 'GB', network: '234-30', blocked: true, senderIdPolicy: 'allowed' }),
    ]);
    expect([after.providerId, after.rule]).toEqual(['alpha', { level: 'country', network: null }]);
    expect((await operator.listRoutes()).networkRules).toEqual([]);
    await expect(operator.deleteNetworkRule('GB', '234-30')).rejects.toMatchObject({ status: 404 });
  });

  it('refuses bad networks and fields with stable codes', async () => {
    const cases: [string, string, unknown, string][] = [
      ['GB', '234', {}, 'INVALID_NETWORK'],
      ['GB', '23430', {}, 'INVALID_NETWORK'],
      ['GB', '234-3', {}, 'INVALID_NETWORK'],
      ['GB', '234-3000', {}, 'INVALID_NETWORK'],
      ['GB', '208-01', {}, 'NETWORK_NOT_IN_COUNTRY'],
      ['ZZ', '234-30', {}, 'INVALID_COUNTRY'],
      ['GB', '234-30', { blocked: 'yes' }, 'INVALID_FIELD'],
      ['GB', '234-30', { senderIdPolicy: 'sometimes' }, 'INVALID_SENDER_ID_POLICY'],
      ['GB', '234-30', { mcc: '234' }, 'UNKNOWN_FIELD'],
    ];
    for (const [country, network, body, code] of cases) {
      await expect(operator.putNetworkRule(country, network, body)).rejects.toMatchObject({ status: 422, code });
    }
    expect((await operator.listRoutes()).networkRules).toEqual([]);
  });
});
