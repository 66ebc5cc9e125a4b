/**
 * Starts the distributed mode on one machine: the provider simulator and the seven services, each its
 * own process against Kafka, MySQL and Redis (`npm run dev`). Also used by the distributed end-to-end
 * test and the benchmark, so all three run exactly the same topology.
 */
import { randomBytes } from 'node:crypto';
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { generateSimulatorAccounts, generateSimulatorToken, type SimulatorAccounts } from '@sms/simulator';
import { simulatorAccountEnv } from '../apps/simulator/src/config/simulator.config';
import { SERVICE_NODE_FLAGS } from './node-flags';

export const SERVICE_PORTS = {
  intake: 3001,
  router: 3002,
  'send-worker': 3003,
  'dlr-ingest': 3004,
  'dlr-processor': 3005,
  masking: 3006,
  'opt-out': 3007,
} as const;

export type ServiceName = keyof typeof SERVICE_PORTS;

export interface DistributedOptions {
  readonly mysqlUrl: string;
  readonly redisUrl: string;
  readonly kafkaBrokers: string;
  readonly simulatorPort?: number;
  /** Added to every service port, so a test can run beside a developer's `npm run dev`. */
  readonly portOffset?: number;
  readonly services?: readonly ServiceName[];
  readonly extraEnv?: Record<string, string>;
  /** Per service env overrides. */
  readonly serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  /** Extra node flags per service, e.g. `['--cpu-prof']` to profile one service under load. */
  readonly nodeArgs?: Partial<Record<ServiceName, string[]>>;
  /** Node flags of every service in place of SERVICE_NODE_FLAGS (a bench comparing GC settings). */
  readonly nodeFlags?: readonly string[];
  readonly logLevel?: string;
  readonly onOutput?: (name: string, line: string) => void;
  /** How long each process may take to answer its readiness probe (default 60 s; a busy machine needs more). */
  readonly startTimeoutMs?: number;
}

export interface RunningProcess {
  readonly name: string;
  readonly port: number;
  readonly child: ChildProcess;
}

export interface DistributedTopology {
  readonly processes: RunningProcess[];
  readonly intakeUrl: string;
  readonly simulatorUrl: string;
  /** Headers that open the simulator's control routes (knobs, reset, inbound, message logs). */
  readonly simulatorAuth: Readonly<Record<string, string>>;
  /** The provider accounts of this run, generated for it: the simulator's, and the services' too. */
  readonly accounts: SimulatorAccounts;
  /** SIGTERM every process and wait for each to exit (SIGKILL after the grace period). */
  stop(graceMs?: number): Promise<void>;
  /** Starts one service again (after a kill), with the same environment. */
  restart(name: ServiceName): Promise<RunningProcess>;
  /**
   * Starts one more process of a service (a replica, or a rolling restart's replacement) on `port`, with
   * the topology's environment plus `env`, and waits until it is ready. The caller stops it.
   */
  launchReplica(name: ServiceName, port: number, env?: Record<string, string>): Promise<RunningProcess>;
}

const ROOT = path.join(__dirname, '..');

/**
 * The provider settings of a process that sends through the simulator at `simulatorPort` (its SMSC on
 * `smppPort`), with `receiverUrl` the process that takes the receipts: every provider's account of this
 * run, pointed at the simulator's routes.
 */
export function simulatedProviderEnv(
  accounts: SimulatorAccounts,
  simulatorPort: number,
  smppPort: number,
  receiverUrl: string,
): Record<string, string> {
  return {
    TWILIO_BASE_URL: `http://127.0.0.1:${simulatorPort}/sim/twilio`,
    TWILIO_ACCOUNT_SID: accounts.twilio.accountSid,
    TWILIO_AUTH_TOKEN: accounts.twilio.authToken,
    VONAGE_API_KEY: accounts.vonage.apiKey,
    VONAGE_API_SECRET: accounts.vonage.apiSecret,
    VONAGE_SIGNATURE_SECRET: accounts.vonage.signatureSecret,
    VONAGE_SIGNATURE_METHOD: 'md5hash',
    SINCH_SERVICE_PLAN_ID: accounts.sinch.servicePlanId,
    SINCH_API_TOKEN: accounts.sinch.apiToken,
    SINCH_CALLBACK_SECRET: accounts.sinch.callbackSecret,
    AWS_ACCESS_KEY_ID: accounts.aws.accessKeyId,
    AWS_SECRET_ACCESS_KEY: accounts.aws.secretAccessKey,
    SMPP_SYSTEM_ID: accounts.smpp.systemId,
    SMPP_PASSWORD: accounts.smpp.password,
    VONAGE_BASE_URL: `http://127.0.0.1:${simulatorPort}/sim/vonage`,
    SINCH_BASE_URL: `http://127.0.0.1:${simulatorPort}/sim/sinch`,
    // The simulator's SMSC: the sender binds to transmit, the receiver binds to receive receipts and MO.
    SMPP_HOST: '127.0.0.1',
    SMPP_PORT: String(smppPort),
    SMPP_SIM_PORT: String(smppPort),
    // AWS: the simulator's endpoint, its SNS certificate URL allowed (the simulator names itself `localhost`
    // unless SIM_PUBLIC_BASE_URL says otherwise), and its topics delivering to the receiver.
    AWS_SMS_ENDPOINT: `http://127.0.0.1:${simulatorPort}/sim/aws`,
    AWS_SNS_CERT_URL_ALLOW: `^https://sns\\.[a-zA-Z0-9-]{3,}\\.amazonaws\\.com(\\.cn)?/|^http://(127\\.0\\.0\\.1|localhost):${simulatorPort}/sim/aws/`,
    SIM_AWS_EVENTS_URL: `${receiverUrl}/webhooks/aws/status`,
    SIM_AWS_INBOUND_URL: `${receiverUrl}/webhooks/aws/inbound`,
  };
}

export async function startDistributed(options: DistributedOptions): Promise<DistributedTopology> {
  const offset = options.portOffset ?? 0;
  const simulatorPort = (options.simulatorPort ?? 4010) + offset;
  const port = (name: ServiceName): number => SERVICE_PORTS[name] + offset;
  // Fresh secrets each run, the same on both sides: the services refuse public defaults (security.md), and
  // a simulator holding only throw-away values can never sign for a real account.
  const accounts = generateSimulatorAccounts();
  const simulatorToken = generateSimulatorToken();
  const baseEnv: Record<string, string> = {
    // Children leave with this process: an orphan would keep its ports and its place in the consumer groups.
    EXIT_WITH_PARENT: 'true',
    ...(process.env as Record<string, string>),
    MODE: 'distributed',
    MYSQL_URL: options.mysqlUrl,
    REDIS_URL: options.redisUrl,
    // One namespace per database: test runs sharing a Redis do not steer each other's routing.
    REDIS_KEY_PREFIX: `sms:router:${new URL(options.mysqlUrl).pathname.replace(/^\//, '') || 'default'}:`,
    KAFKA_BROKERS: options.kafkaBrokers,
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    LOG_LEVEL: options.logLevel ?? 'warn',
    // Providers call the simulator; receipts come back to dlr-ingest.
    ...simulatedProviderEnv(accounts, simulatorPort, 2775 + offset, `http://127.0.0.1:${port('dlr-ingest')}`),
    PUBLIC_BASE_URL: `http://127.0.0.1:${port('dlr-ingest')}`,
    // Intake asks the router service for a quote's route (POST /v1/messages/quote).
    ROUTER_URL: `http://127.0.0.1:${port('router')}`,
    // ...and forwards the other services' public paths (one origin for the web console), and reads a message's
    // raw receipts and callbacks from dlr-ingest and dlr-processor with the internal token.
    OPT_OUT_URL: `http://127.0.0.1:${port('opt-out')}`,
    MASKING_URL: `http://127.0.0.1:${port('masking')}`,
    DLR_INGEST_URL: `http://127.0.0.1:${port('dlr-ingest')}`,
    DLR_PROCESSOR_URL: `http://127.0.0.1:${port('dlr-processor')}`,
    INTERNAL_API_TOKEN: process.env['INTERNAL_API_TOKEN'] || randomBytes(24).toString('hex'),
    // Seals account webhook secrets in intake's tables: keep one across runs on the same database by setting it.
    WEBHOOK_SECRETS_KEY: process.env['WEBHOOK_SECRETS_KEY'] || randomBytes(32).toString('hex'),
    // Salt of the erasure tokens (docs/privacy.md): keep one across runs on the same database by setting it.
    PRIVACY_SALT: process.env['PRIVACY_SALT'] || randomBytes(32).toString('hex'),
    ...options.extraEnv,
  };
  const simulatorAuth = { authorization: `Bearer ${simulatorToken}` };
  const processes = new Map<string, RunningProcess>();

  const launch = (
    name: string,
    script: string,
    env: Record<string, string>,
    listenPort: number,
    nodeArgs: string[] = [],
  ): RunningProcess => {
    const child = spawn(
      process.execPath,
      [...nodeArgs, '-r', path.join(ROOT, 'scripts/register.js'), path.join(ROOT, script)],
      {
        cwd: ROOT,
        env,
        // stdin is a pipe we never write to: its end tells the child we died (EXIT_WITH_PARENT).
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    child.stdin?.on('error', () => undefined); // a child that has exited closed it; nothing was to be written
    const forward = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') {
          options.onOutput?.(name, line);
        }
      }
    };
    child.stdout?.on('data', forward);
    child.stderr?.on('data', forward);
    const running = { name, port: listenPort, child };
    // One entry per name and port: a restart replaces the dead process, a replica on another port adds one.
    processes.set(`${name}@${listenPort}`, running);

    return running;
  };

  const launchService = (
    name: ServiceName,
    listenPort = port(name),
    env: Record<string, string> = {},
  ): RunningProcess =>
    launch(
      name,
      `apps/${name}/src/main.ts`,
      { ...baseEnv, PORT: String(listenPort), ...options.serviceEnv?.[name], ...env },
      listenPort,
      [...(options.nodeFlags ?? SERVICE_NODE_FLAGS), ...(options.nodeArgs?.[name] ?? [])],
    );

  launch(
    'simulator',
    'apps/simulator/src/main.ts',
    {
      ...baseEnv,
      ...simulatorAccountEnv(accounts),
      SIM_ENABLED: 'true',
      SIM_CONTROL_TOKEN: simulatorToken,
      // Where the services tell providers to post (dlr-ingest, or a balancer in front of its replicas).
      SIM_WEBHOOK_BASE_URL: baseEnv['PUBLIC_BASE_URL'] ?? `http://127.0.0.1:${port('dlr-ingest')}`,
      SIM_PORT: String(simulatorPort),
      PORT: '',
    },
    simulatorPort,
  );
  const services = options.services ?? (Object.keys(SERVICE_PORTS) as ServiceName[]);
  for (const name of services) {
    launchService(name);
  }
  try {
    await Promise.all(
      [...processes.values()].map((p) =>
        waitForHealth(
          p,
          p.name === 'simulator' ? '/sim/knobs/twilio' : '/readyz',
          options.startTimeoutMs,
          simulatorAuth,
        ),
      ),
    );
  } catch (error) {
    // One process failed to start: stop the others too, or they stay in the consumer groups of the next run.
    await Promise.all([...processes.values()].map((p) => stopProcess(p.child, 5_000)));
    throw error;
  }

  return {
    processes: [...processes.values()],
    intakeUrl: `http://127.0.0.1:${port('intake')}`,
    simulatorUrl: `http://127.0.0.1:${simulatorPort}/sim`,
    simulatorAuth,
    accounts,
    stop: async (graceMs = 15_000) => {
      await Promise.all([...processes.values()].map((p) => stopProcess(p.child, graceMs)));
    },
    restart: async (name) => {
      const running = launchService(name);
      await waitForHealth(running, '/readyz', options.startTimeoutMs);

      return running;
    },
    launchReplica: async (name, listenPort, env = {}) => {
      const running = launchService(name, listenPort, env);
      try {
        await waitForHealth(running, '/readyz', options.startTimeoutMs);
      } catch (error) {
        await stopProcess(running.child, 5_000);
        throw error;
      }

      return running;
    },
  };
}

async function waitForHealth(
  running: RunningProcess,
  probe: string,
  timeoutMs = 60_000,
  headers: Record<string, string> = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (running.child.exitCode !== null) {
      throw new Error(`${running.name} exited with code ${running.child.exitCode} during start-up`);
    }
    try {
      const response = await fetch(`http://127.0.0.1:${running.port}${probe}`, {
        headers,
        signal: AbortSignal.timeout(1000),
      });
      if (response.ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${running.name} was not ready on port ${running.port} within ${timeoutMs} ms`);
}

export async function stopProcess(
  child: ChildProcess,
  graceMs: number,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

if (require.main === module) {
  const topology = startDistributed({
    mysqlUrl: process.env['MYSQL_URL'] ?? 'mysql://root@127.0.0.1:3306/sms_gateway',
    redisUrl: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    kafkaBrokers: process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092',
    logLevel: process.env['LOG_LEVEL'] ?? 'info',
    onOutput: (name, line) => process.stdout.write(`[${name.padEnd(13)}] ${line}\n`),
  });
  topology
    .then((t) => {
      process.stdout.write(
        `\nDistributed gateway is up: intake ${t.intakeUrl} (POST /v1/messages), simulator ${t.simulatorUrl}\n` +
          `Simulator control routes: -H '${Object.entries(t.simulatorAuth)
            .map(([name, value]) => `${name}: ${value}`)
            .join('')}' (a token generated for this run)\n` +
          `Create an API key: npm run api-key -- create --name me --scopes send,read\n`,
      );
      const stop = (): void => {
        void t.stop().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    })
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
}
