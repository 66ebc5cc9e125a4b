/**
 * Test kit: the distributed mode for one e2e suite. A database of the suite's own (migrated), an API key
 * with every scope, the simulator and the service processes on the shared Kafka and Redis; and, at the end,
 * the processes stopped, the database dropped and the services' errors printed. A library of its own,
 * apart from `@sms/testing-receipts`, so that the in-process harnesses do not load the launcher and every
 * slice's migrations.
 */
import { ALL_SCOPES, openApiKeyService } from '@sms/auth';
import { createTestDatabase, GatewayClient, type TestDatabase } from '@sms/testing';
import {
  type DistributedOptions,
  type DistributedTopology,
  SERVICE_PORTS,
  type ServiceName,
  startDistributed,
} from '../../../../scripts/distributed';
import { migrate } from '../../../../scripts/migrate';

export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
export const KAFKA_BROKERS = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';

/** The key and account store as the set-up sees it, before any service runs. */
export type KeyStore = Awaited<ReturnType<typeof openApiKeyService>>;

export interface DistributedStackOptions<S> extends Omit<
  DistributedOptions,
  'mysqlUrl' | 'redisUrl' | 'kafkaBrokers' | 'onOutput'
> {
  /** The name of the key with every scope that `client` sends with (default `e2e`). */
  readonly keyName?: string;
  /** More accounts and keys, made before the services start; what it returns is the stack's `seeded`. */
  readonly seed?: (store: KeyStore) => Promise<S>;
  /**
   * Whether the services' output is kept in `logs` and their errors printed at `stop()` (default true).
   * A suite that watches the output itself passes false and its own `onOutput`.
   */
  readonly collectLogs?: boolean;
  readonly onOutput?: (name: string, line: string) => void;
}

export interface DistributedStack<S = undefined> {
  readonly database: TestDatabase;
  readonly topology: DistributedTopology;
  /** The key with every scope, and a client of intake that sends with it. */
  readonly key: string;
  readonly client: GatewayClient;
  readonly seeded: S;
  /** Every line the services wrote, `[service] line`. */
  readonly logs: readonly string[];
  /** The simulator's control and message routes (`/sim/...`), with its control token. */
  readonly simulator: GatewayClient;
  /** A client of intake that sends with `key`. */
  clientWith(key: string): GatewayClient;
  /** The base URL of one service's own port. */
  serviceUrl(name: ServiceName): string;
  /** A client of one service's own port, with the stack's key unless told otherwise. */
  serviceClient(name: ServiceName, headers?: Record<string, string>): GatewayClient;
  /** Sets one simulated provider's knobs (`PUT /sim/knobs/:provider`). */
  knobs(provider: string, value: object): Promise<Response>;
  /** Stops every process, drops the database and prints the services' errors. */
  stop(): Promise<void>;
}

const ERROR_LINE = /"level":"(error|fatal)"/;

/** Prints the error and fatal lines among the services' output: a failed suite says what the services saw. */
export function printServiceErrors(logs: readonly string[]): void {
  const errors = logs.filter((line) => ERROR_LINE.test(line));
  if (errors.length > 0) {
    process.stdout.write(`service errors:\n${errors.join('\n')}\n`);
  }
}

const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });

/**
 * Starts the stack for a suite's `beforeAll`. When the start fails, what was made is taken down before the
 * error is thrown again: the suite has no stack to stop, and its database must not outlive it.
 */
export async function distributedStack<S = undefined>(
  options: DistributedStackOptions<S> = {},
): Promise<DistributedStack<S>> {
  const { keyName = 'e2e', seed, collectLogs = true, onOutput, ...launch } = options;
  const logs: string[] = [];
  const database = await createTestDatabase();
  let key: string;
  let seeded: S;
  let topology: DistributedTopology;
  try {
    await migrate(database.url);
    const store = await openApiKeyService({ kind: 'mysql', url: database.url });
    try {
      key = (await store.keys.create(keyName, ALL_SCOPES)).key;
      seeded = seed ? await seed(store) : (undefined as S);
    } finally {
      await store.close();
    }
    topology = await startDistributed({
      logLevel: 'warn',
      ...launch,
      mysqlUrl: database.url,
      redisUrl: REDIS_URL,
      kafkaBrokers: KAFKA_BROKERS,
      onOutput: (name, line) => {
        if (collectLogs) {
          logs.push(`[${name}] ${line}`);
        }
        onOutput?.(name, line);
      },
    });
  } catch (error) {
    // startDistributed stops what it started before it throws.
    await database.drop();
    printServiceErrors(logs);
    throw error;
  }
  const running = topology;
  const offset = launch.portOffset ?? 0;
  const serviceUrl = (name: ServiceName): string => `http://127.0.0.1:${SERVICE_PORTS[name] + offset}`;

  return {
    database,
    topology: running,
    key,
    client: new GatewayClient(running.intakeUrl, bearer(key)),
    seeded,
    logs,
    simulator: new GatewayClient(running.simulatorUrl.replace(/\/sim$/, ''), running.simulatorAuth),
    clientWith: (other) => new GatewayClient(running.intakeUrl, bearer(other)),
    serviceUrl,
    serviceClient: (name, headers = bearer(key)) => new GatewayClient(serviceUrl(name), headers),
    knobs: (provider, value) =>
      fetch(`${running.simulatorUrl}/knobs/${provider}`, {
        method: 'PUT',
        headers: { ...running.simulatorAuth, 'content-type': 'application/json' },
        body: JSON.stringify(value),
      }),
    stop: async () => {
      try {
        await running.stop();
      } finally {
        await database.drop();
        printServiceErrors(logs);
      }
    },
  };
}
