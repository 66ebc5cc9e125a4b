import 'reflect-metadata';
import { ALL_SCOPES, openApiKeyService } from '@sms/auth';
import { createTestDatabase, GatewayClient, type TestDatabase } from '@sms/testing';
import { startDistributed, type DistributedTopology } from '../../scripts/distributed';
import { migrate } from '../../scripts/migrate';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const KAFKA_BROKERS = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';

/**
 * Vonage and Sinch in the distributed mode: the stand-alone simulator and the seven services, with the
 * seeded routes that only Vonage (Sweden) and only Sinch (Norway) serve. Ports 4101-4107, simulator 5110.
 */
describe('distributed gateway: Vonage and Sinch through the stand-alone simulator', () => {
  let database: TestDatabase;
  let topology: DistributedTopology;
  let client: GatewayClient;
  const logs: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    await migrate(database.url);
    const store = await openApiKeyService({ kind: 'mysql', url: database.url });
    const { key } = await store.keys.create('e2e-vonage-sinch', ALL_SCOPES);
    await store.close();

    topology = await startDistributed({
      mysqlUrl: database.url,
      redisUrl: REDIS_URL,
      kafkaBrokers: KAFKA_BROKERS,
      portOffset: 1100,
      logLevel: 'warn',
      extraEnv: { RETRY_BASE_DELAY_MS: '100', MAX_SEND_ATTEMPTS: '3' },
      onOutput: (name, line) => logs.push(`[${name}] ${line}`),
    });
    client = new GatewayClient(topology.intakeUrl, { authorization: `Bearer ${key}` });
    for (const provider of ['vonage', 'sinch']) {
      await fetch(`${topology.simulatorUrl}/knobs/${provider}`, {
        method: 'PUT',
        headers: { ...topology.simulatorAuth, 'content-type': 'application/json' },
        body: JSON.stringify({ dlrDelayMs: 50 }),
      });
    }
  }, 180_000);

  afterAll(async () => {
    await topology?.stop();
    await database?.drop();
    if (logs.some((line) => /"level":"(error|fatal)"/.test(line))) {
      process.stdout.write(`service errors:\n${logs.filter((l) => /"level":"(error|fatal)"/.test(l)).join('\n')}\n`);
    }
  }, 60_000);

  it.each([
    ['vonage', '+46701740605', /^[0-9A-F]{16}$/],
    ['sinch', '+4741234567', /^[0-9A-HJKMNP-TV-Z]{26}$/],
  ])(
    'takes a message routed to %s through every service to delivered',
    async (provider, to, idPattern) => {
      const accepted = await client.post('/v1/messages', { to, body: `Hello via ${provider}` });
      expect(accepted.status).toBe(202);

      const message = await client.waitForMessage(accepted.body['id'], (m) => m.status === 'delivered', 30_000);

      expect(message).toMatchObject({ provider, attempts: 1 });
      expect(message['providerMessageId']).toMatch(idPattern);
      expect(message.events.filter((e) => e.applied !== false).map((e) => e.status)).toEqual([
        'queued',
        'sent',
        'delivered',
      ]);
    },
    60_000,
  );
});
