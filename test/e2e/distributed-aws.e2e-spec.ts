import 'reflect-metadata';
import { ALL_SCOPES, openApiKeyService } from '@sms/auth';
import { createTestDatabase, GatewayClient, isFinalMessage, type TestDatabase } from '@sms/testing';
import { startDistributed, type DistributedTopology } from '../../scripts/distributed';
import { migrate } from '../../scripts/migrate';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const KAFKA_BROKERS = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';
/** Finland is seeded onto AWS only (router.seed.ts). */
const TO = '+358401234569';

/**
 * AWS in the distributed mode: send-worker signs SendTextMessage for the stand-alone simulator, whose SNS
 * topics deliver signed events to dlr-ingest, which fetches the simulator's certificate to verify them.
 * Ports 5201..5207 and 5290 (services offset 2200, simulator 3090 + 2200).
 */
describe('distributed gateway: a message routed to AWS', () => {
  let database: TestDatabase;
  let topology: DistributedTopology;
  let client: GatewayClient;
  const logs: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    await migrate(database.url);
    const store = await openApiKeyService({ kind: 'mysql', url: database.url });
    const { key } = await store.keys.create('e2e-aws', ALL_SCOPES);
    await store.close();
    topology = await startDistributed({
      mysqlUrl: database.url,
      redisUrl: REDIS_URL,
      kafkaBrokers: KAFKA_BROKERS,
      portOffset: 2200,
      simulatorPort: 3090,
      logLevel: 'warn',
      extraEnv: { RETRY_BASE_DELAY_MS: '100', MAX_SEND_ATTEMPTS: '3' },
      onOutput: (name, line) => logs.push(`[${name}] ${line}`),
    });
    client = new GatewayClient(topology.intakeUrl, { authorization: `Bearer ${key}` });
    await fetch(`${topology.simulatorUrl}/knobs/aws`, {
      method: 'PUT',
      headers: { ...topology.simulatorAuth, 'content-type': 'application/json' },
      body: JSON.stringify({ dlrDelayMs: 50 }),
    });
  }, 180_000);

  afterAll(async () => {
    await topology?.stop();
    await database?.drop();
    if (logs.some((line) => /"level":"(error|fatal)"/.test(line))) {
      process.stdout.write(`service errors:\n${logs.filter((l) => /"level":"(error|fatal)"/.test(l)).join('\n')}\n`);
    }
  }, 60_000);

  it('takes a REST request to AWS and back to delivered through signed SNS events', async () => {
    const accepted = await client.post('/v1/messages', { to: TO, body: 'Hej från den distribuerade gatewayen' });
    expect(accepted.status).toBe(202);

    const message = await client.waitForMessage(accepted.body['id'], isFinalMessage, 30_000);

    expect(message).toMatchObject({ status: 'delivered', provider: 'aws', attempts: 1, country: 'FI' });
    expect(message.events.filter((e) => e.applied !== false).map((e) => e.status)).toEqual([
      'queued',
      'sent',
      'delivered',
    ]);
  }, 45_000);
});
