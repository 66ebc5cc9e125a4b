import 'reflect-metadata';
import { ALL_SCOPES, openApiKeyService } from '@sms/auth';
import { createTestDatabase, GatewayClient, type TestDatabase } from '@sms/testing';
import { ROUTE_QUALITY_SETTINGS, routeQualityScenario } from '../../apps/gateway/test/route-quality.scenario';
import { startDistributed, type DistributedTopology } from '../../scripts/distributed';
import { migrate } from '../../scripts/migrate';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const KAFKA_BROKERS = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';
/** Services on 9301-9307, the simulator on 10310, its SMSC on 9075. */
const PORT_OFFSET = 6300;

/**
 * Routing by measured route quality in the distributed mode: the stand-alone simulator over HTTP and the
 * seven services over Kafka, MariaDB and Redis (send-worker, dlr-ingest, dlr-processor and the router's
 * health consumer feeding its quality tracker; short buckets in Redis, roll-ups in MariaDB). The scenario
 * of route-quality.scenario.ts, driven through the simulator's knobs.
 */
describe('distributed gateway: routing by measured route quality', () => {
  let database: TestDatabase;
  let topology: DistributedTopology;
  let client: GatewayClient;
  const logs: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    await migrate(database.url);
    const store = await openApiKeyService({ kind: 'mysql', url: database.url });
    const { key } = await store.keys.create('e2e-route-quality', ALL_SCOPES);
    await store.close();

    topology = await startDistributed({
      mysqlUrl: database.url,
      redisUrl: REDIS_URL,
      kafkaBrokers: KAFKA_BROKERS,
      portOffset: PORT_OFFSET,
      logLevel: 'warn',
      extraEnv: ROUTE_QUALITY_SETTINGS,
      onOutput: (name, line) => logs.push(`[${name}] ${line}`),
    });
    client = new GatewayClient(topology.intakeUrl, { authorization: `Bearer ${key}` });
  }, 180_000);

  afterAll(async () => {
    await topology?.stop();
    await database?.drop();
    if (logs.some((line) => /"level":"(error|fatal)"/.test(line))) {
      process.stdout.write(`service errors:\n${logs.filter((l) => /"level":"(error|fatal)"/.test(l)).join('\n')}\n`);
    }
  }, 60_000);

  it('moves GB traffic off a route whose receipts stop, and back once they come again', async () => {
    const scenario = routeQualityScenario({
      api: client,
      knobs: async (provider, update) => {
        const answer = await fetch(`${topology.simulatorUrl}/knobs/${provider}`, {
          method: 'PUT',
          headers: { ...topology.simulatorAuth, 'content-type': 'application/json' },
          body: JSON.stringify(update),
        });
        expect(answer.status).toBe(200);
      },
    });
    await scenario.setUp();
    await scenario.run();
  }, 600_000);
});
