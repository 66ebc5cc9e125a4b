import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { ApiScope } from '@sms/auth';
import { type GatewayClient } from '@sms/testing';
import { distributedStack, type DistributedStack } from '@sms/testing-distributed';
import { describeErasureScenario, type StoredHit } from '@sms/testing-scenarios';

const PORT_OFFSET = 4700;

jest.setTimeout(120_000);

/**
 * Erasure in the distributed mode: intake takes the request on MariaDB and publishes the command on Kafka,
 * each service erases in its own tables (and Redis) and reports back; the same scenario as the embedded suite,
 * scanning every string column of every table of the run's database.
 */
describe('distributed gateway: erasure of a person (issue #22 part 3)', () => {
  let stack: DistributedStack<string>;
  let admin: GatewayClient;
  let nonAdmin: GatewayClient;
  let sim: GatewayClient;
  let masking: GatewayClient;

  beforeAll(async () => {
    stack = await distributedStack({
      seed: async (store) => (await store.keys.create('e2e send-read', [ApiScope.Send, ApiScope.Read])).key,
      portOffset: PORT_OFFSET,
      // Topics and groups of this run only: another run's erasure commands (another salt) never reach it.
      extraEnv: { CALLBACK_ALLOW_INSECURE: 'true', KAFKA_TOPIC_PREFIX: `erasure-${randomBytes(4).toString('hex')}.` },
      startTimeoutMs: 150_000,
    });
    admin = stack.client;
    nonAdmin = stack.clientWith(stack.seeded);
    masking = stack.serviceClient('masking');
    sim = stack.simulator;
    await stack.knobs('twilio', { dlrDelayMs: 10 });
  }, 300_000);

  afterAll(() => stack?.stop(), 60_000);

  /** Every char/varchar/text column of every table of the run's database that holds a needle. */
  const scan = async (needles: readonly string[]): Promise<StoredHit[]> => {
    const columns = await stack.database.query<{ table_name: string; column_name: string }[]>(
      'SELECT TABLE_NAME AS table_name, COLUMN_NAME AS column_name FROM information_schema.COLUMNS ' +
        "WHERE TABLE_SCHEMA = ? AND DATA_TYPE IN ('char', 'varchar', 'text', 'mediumtext', 'longtext')",
      [stack.database.name],
    );
    const hits: StoredHit[] = [];
    for (const { table_name: table, column_name: column } of columns) {
      for (const needle of needles) {
        const [row] = await stack.database.query<{ n: number }[]>(
          `SELECT COUNT(*) AS n FROM \`${table}\` WHERE \`${column}\` LIKE ?`,
          [`%${needle}%`],
        );
        if (Number(row?.n) > 0) {
          hits.push({ store: stack.database.name, table, column, needle });
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
    webhookBase: stack.serviceUrl('dlr-ingest'),
    scan,
    // The processes that check sends against opt-out replicas, started again: their replicas are rebuilt.
    restart: async () => {
      for (const name of ['intake', 'send-worker'] as const) {
        const running = stack.topology.processes.find((p) => p.name === name && p.child.exitCode === null);
        const exited = new Promise<void>((resolve) => running?.child.once('exit', () => resolve()));
        running?.child.kill('SIGTERM');
        await exited;
        await stack.topology.restart(name);
      }
    },
  }));
});
