import 'reflect-metadata';
import { ALL_SCOPES, openApiKeyService } from '@sms/auth';
import { createTestDatabase, GatewayClient, type TestDatabase } from '@sms/testing';
import { describeWebhookScenario, WebhookReceiver } from '../../apps/gateway/test/webhooks.scenario';
import { SERVICE_PORTS, startDistributed, type DistributedTopology } from '../../scripts/distributed';
import { migrate } from '../../scripts/migrate';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const KAFKA_BROKERS = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';
const PORT_OFFSET = 3400;

jest.setTimeout(60_000);

/**
 * Account webhooks in the distributed mode: subscriptions served by intake on MariaDB, status changes
 * from the send-worker and dlr-processor through Kafka, inbound messages through simulator → dlr-ingest
 * → dlr-processor → `sms.inbound.v1` → intake; the same scenario as the embedded suite.
 */
describe('distributed gateway: account webhooks', () => {
  let database: TestDatabase;
  let topology: DistributedTopology;
  let operator: GatewayClient;
  let sim: GatewayClient;
  const receiver = new WebhookReceiver();
  const logs: string[] = [];

  beforeAll(async () => {
    await receiver.start();
    database = await createTestDatabase();
    await migrate(database.url);
    const store = await openApiKeyService({ kind: 'mysql', url: database.url });
    const { key } = await store.keys.create('e2e', ALL_SCOPES);
    await store.close();
    topology = await startDistributed({
      mysqlUrl: database.url,
      redisUrl: REDIS_URL,
      kafkaBrokers: KAFKA_BROKERS,
      portOffset: PORT_OFFSET,
      logLevel: 'warn',
      // The receiver is on loopback over http: only the insecure outbound policy of tests allows it.
      extraEnv: { CALLBACK_ALLOW_INSECURE: 'true' },
      onOutput: (name, line) => logs.push(`[${name}] ${line}`),
      // Eight processes starting at once on a shared two-core host can take longer than the default minute.
      startTimeoutMs: 150_000,
    });
    operator = new GatewayClient(topology.intakeUrl, { authorization: `Bearer ${key}` });
    sim = new GatewayClient(topology.simulatorUrl.replace(/\/sim$/, ''), topology.simulatorAuth);
    await fetch(`${topology.simulatorUrl}/knobs/twilio`, {
      method: 'PUT',
      headers: { ...topology.simulatorAuth, 'content-type': 'application/json' },
      body: JSON.stringify({ dlrDelayMs: 10 }),
    });
  }, 300_000);

  afterAll(async () => {
    const errors = logs.filter((line) => /"level":"(error|fatal)"/.test(line));
    if (errors.length > 0) {
      process.stdout.write(`service errors:\n${errors.join('\n')}\n`);
    }
    await topology?.stop();
    await database?.drop();
    await receiver.close();
  }, 60_000);

  describeWebhookScenario(() => ({
    apiUrl: topology.intakeUrl,
    operator,
    sim,
    webhookBase: `http://127.0.0.1:${SERVICE_PORTS['dlr-ingest'] + PORT_OFFSET}`,
    receiver,
  }));
});
