import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { ALL_SCOPES, ApiScope, openApiKeyService } from '@sms/auth';
import { createTestDatabase, GatewayClient, type TestDatabase } from '@sms/testing';
import { describeErasureScenario, type StoredHit } from '../../apps/gateway/test/erasure.scenario';
import { SERVICE_PORTS, startDistributed, type DistributedTopology } from '../../scripts/distributed';
import { migrate } from '../../scripts/migrate';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const KAFKA_BROKERS = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';
const PORT_OFFSET = 4700;

jest.setTimeout(120_000);

/**
 * Erasure in the distributed mode: intake takes the request on MariaDB and publishes the command on Kafka,
 * each service erases in its own tables (and Redis) and reports back; the same scenario as the embedded suite,
 * scanning every string column of every table of the run's database.
 */
describe('distributed gateway: erasure of a person (issue #22 part 3)', () => {
  let database: TestDatabase;
  let topology: DistributedTopology;
  let admin: GatewayClient;
  let nonAdmin: GatewayClient;
  let sim: GatewayClient;
  let masking: GatewayClient;
  const logs: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    await migrate(database.url);
    const store = await openApiKeyService({ kind: 'mysql', url: database.url });
    const { key } = await store.keys.create('e2e', ALL_SCOPES);
    const limited = await store.keys.create('e2e send-read', [ApiScope.Send, ApiScope.Read]);
    await store.close();
    topology = await startDistributed({
      mysqlUrl: database.url,
      redisUrl: REDIS_URL,
      kafkaBrokers: KAFKA_BROKERS,
      portOffset: PORT_OFFSET,
      logLevel: 'warn',
      // Topics and groups of this run only: another run's erasure commands (another salt) never reach it.
      extraEnv: { CALLBACK_ALLOW_INSECURE: 'true', KAFKA_TOPIC_PREFIX: `erasure-${randomBytes(4).toString('hex')}.` },
      onOutput: (name, line) => logs.push(`[${name}] ${line}`),
      startTimeoutMs: 150_000,
    });
    admin = new GatewayClient(topology.intakeUrl, { authorization: `Bearer ${key}` });
    nonAdmin = new GatewayClient(topology.intakeUrl, { authorization: `Bearer ${limited.key}` });
    masking = new GatewayClient(`http://127.0.0.1:${SERVICE_PORTS.masking + PORT_OFFSET}`, {
      authorization: `Bearer ${key}`,
    });
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
  }, 60_000);

  /** Every char/varchar/text column of every table of the run's database that holds a needle. */
  const scan = async (needles: readonly string[]): Promise<StoredHit[]> => {
    const columns = await database.query<{ table_name: string; column_name: string }[]>(
      'SELECT TABLE_NAME AS table_name, COLUMN_NAME AS column_name FROM information_schema.COLUMNS ' +
        "WHERE TABLE_SCHEMA = ? AND DATA_TYPE IN ('char', 'varchar', 'text', 'mediumtext', 'longtext')",
      [database.name],
    );
    const hits: StoredHit[] = [];
    for (const { table_name: table, column_name: column } of columns) {
      for (const needle of needles) {
        const [row] = await database.query<{ n: number }[]>(
          `SELECT COUNT(*) AS n FROM \`${table}\` WHERE \`${column}\` LIKE ?`,
          [`%${needle}%`],
        );
        if (Number(row?.n) > 0) {
          hits.push({ store: database.name, table, column, needle });
        }
      }
    }

    return hits;
  };

  describeErasureScenario(() => ({
    admin,
    nonAdmin,
    masking,
    sim,
    webhookBase: `http://127.0.0.1:${SERVICE_PORTS['dlr-ingest'] + PORT_OFFSET}`,
    scan,
    // The processes that check sends against opt-out replicas, started again: their replicas are rebuilt.
    restart: async () => {
      for (const name of ['intake', 'send-worker'] as const) {
        const running = topology.processes.find((p) => p.name === name && p.child.exitCode === null);
        const exited = new Promise<void>((resolve) => running?.child.once('exit', () => resolve()));
        running?.child.kill('SIGTERM');
        await exited;
        await topology.restart(name);
      }
    },
  }));
});
