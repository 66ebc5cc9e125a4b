/**
 * One distributed gateway for the fault suite: scripts/distributed.ts's processes (the simulator and the
 * seven services) on a database, a Redis key prefix and a Kafka topic prefix of their own, with intake and
 * dlr-ingest behind small TCP balancers (as a Kubernetes Service would be) and two dlr-ingest replicas, so
 * that receipts reach whichever replica is up. Processes are killed and started by pid.
 */
import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { ALL_SCOPES, openApiKeyService } from '@sms/auth';
import { SIMULATED_PROVIDERS } from '@sms/simulator';
import { Kafka, logLevel } from 'kafkajs';
import { createConnection } from 'mysql2/promise';
import {
  type DistributedTopology,
  type RunningProcess,
  SERVICE_PORTS,
  type ServiceName,
  startDistributed,
  stopProcess,
} from '../../scripts/distributed';
import { createTopics, readTopicSpecs } from '../../scripts/create-topics';
import { migrate } from '../../scripts/migrate';

const ROOT = path.join(__dirname, '..', '..');
export const SERVICES = Object.keys(SERVICE_PORTS) as ServiceName[];

export interface ChaosEnvironmentOptions {
  /** Names the database (`sms_chaos_<runId>`), the topic prefix and the Redis key prefix. */
  readonly runId: string;
  /** MySQL server URL without a database (the suite's own server, or the shared one for the short form). */
  readonly mysqlServerUrl: string;
  readonly redisUrl: string;
  readonly kafkaBrokers: string;
  readonly portOffset: number;
  /** Spools and logs of this run. */
  readonly dir: string;
  readonly onOutput?: (name: string, line: string) => void;
  /** Extra node flags per service (e.g. `--cpu-prof`), passed to scripts/distributed.ts. */
  readonly nodeArgs?: Partial<Record<ServiceName, string[]>>;
}

/** A TCP balancer in front of a service's replicas: each connection goes to the next replica that accepts it. */
class Balancer {
  private server: Server | null = null;
  private next = 0;
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly port: number,
    private readonly backends: () => number[],
  ) {}

  async start(): Promise<void> {
    const server = createServer((client) => this.forward(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.server = server;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) {
      socket.destroy();
    }
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private forward(client: Socket): void {
    this.track(client);
    client.pause();
    const ports = this.backends();
    const start = this.next++;
    const attempt = (tried: number): void => {
      if (tried >= ports.length) {
        client.destroy(); // no replica up: the caller sees a reset and retries

        return;
      }
      const upstream = connect(ports[(start + tried) % ports.length] as number, '127.0.0.1');
      let connected = false;
      upstream.once('error', () => {
        if (!connected) {
          attempt(tried + 1); // refused: that replica is down, try the next one
        }
      });
      upstream.once('connect', () => {
        connected = true;
        this.track(upstream);
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
        client.resume();
      });
    };
    attempt(0);
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
  }
}

export class ChaosEnvironment {
  readonly database: string;
  readonly topicPrefix: string;
  private readonly replicas = new Map<ServiceName, { slot: number; process: RunningProcess }[]>();
  private balancers: Balancer[] = [];

  private constructor(
    readonly options: ChaosEnvironmentOptions,
    readonly topology: DistributedTopology,
    readonly apiKey: string,
  ) {
    this.database = databaseOf(options.runId);
    this.topicPrefix = topicPrefixOf(options.runId);
  }

  static async start(options: ChaosEnvironmentOptions): Promise<ChaosEnvironment> {
    mkdirSync(options.dir, { recursive: true });
    const database = databaseOf(options.runId);
    const server = await createConnection({ uri: options.mysqlServerUrl });
    await server.query(
      `CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
    await server.end();
    const mysqlUrl = `${options.mysqlServerUrl.replace(/\/$/, '')}/${database}`;
    await migrate(mysqlUrl);
    const store = await openApiKeyService({ kind: 'mysql', url: mysqlUrl });
    const { key } = await store.keys.create('chaos', ALL_SCOPES);
    await store.close();
    const prefix = topicPrefixOf(options.runId);
    const specs = readTopicSpecs(path.join(ROOT, 'test/kafka/topics.json')).map((spec) => ({
      ...spec,
      topic: prefix + spec.topic,
    }));
    await createTopics(options.kafkaBrokers.split(','), specs);

    const ports = portsOf(options.portOffset);
    const lb = (name: 'intake' | 'dlr-ingest') => `http://127.0.0.1:${ports.balancer[name]}`;
    const topology = await startDistributed({
      mysqlUrl,
      redisUrl: options.redisUrl,
      kafkaBrokers: options.kafkaBrokers,
      portOffset: options.portOffset,
      logLevel: 'warn',
      // Eight processes compiling and connecting at once on a shared 2-core machine.
      startTimeoutMs: 240_000,
      extraEnv: {
        KAFKA_TOPIC_PREFIX: prefix,
        // Receipts come to dlr-ingest's balancer, whichever replica is up.
        PUBLIC_BASE_URL: lb('dlr-ingest'),
        SIM_AWS_EVENTS_URL: `${lb('dlr-ingest')}/webhooks/aws/status`,
        SIM_AWS_INBOUND_URL: `${lb('dlr-ingest')}/webhooks/aws/inbound`,
        // Short clocks, so that a fault's consequences settle within the suite's minutes.
        RETRY_BASE_DELAY_MS: '200',
        MAX_SEND_ATTEMPTS: '5',
        STALE_MESSAGE_AFTER_MS: '5000',
        DLR_SPOOL_DRAIN_INTERVAL_MS: '500',
      },
      serviceEnv: { 'dlr-ingest': { DLR_SPOOL_DIR: path.join(options.dir, 'spool-0') } },
      onOutput: options.onOutput,
      ...(options.nodeArgs ? { nodeArgs: options.nodeArgs } : {}),
    });
    const environment = new ChaosEnvironment(options, topology, key);
    for (const process of topology.processes) {
      if (process.name !== 'simulator') {
        environment.replicas.set(process.name as ServiceName, [{ slot: 0, process }]);
      }
    }
    try {
      await environment.startReplica('dlr-ingest', 1);
      environment.balancers = [
        new Balancer(ports.balancer.intake, () => environment.portsOf('intake')),
        new Balancer(ports.balancer['dlr-ingest'], () => environment.portsOf('dlr-ingest')),
      ];
      await Promise.all(environment.balancers.map((b) => b.start()));
    } catch (error) {
      await environment.stop();
      throw error;
    }

    return environment;
  }

  get mysqlUrl(): string {
    return `${this.options.mysqlServerUrl.replace(/\/$/, '')}/${this.database}`;
  }

  get intakeUrl(): string {
    return `http://127.0.0.1:${portsOf(this.options.portOffset).balancer.intake}`;
  }

  get simulatorUrl(): string {
    return this.topology.simulatorUrl;
  }

  /** The running processes of a service, by slot. */
  processesOf(name: ServiceName): RunningProcess[] {
    return (this.replicas.get(name) ?? []).map((r) => r.process);
  }

  pidOf(name: ServiceName, slot = 0): number {
    const pid = this.replicas.get(name)?.find((r) => r.slot === slot)?.process.child.pid;
    if (!pid) {
      throw new Error(`no ${name} process in slot ${slot}`);
    }

    return pid;
  }

  /** Sends `signal` to the process in `slot` by its pid and waits for it to exit. */
  async signal(name: ServiceName, signal: NodeJS.Signals, slot = 0): Promise<{ pid: number; exitCode: number | null }> {
    const entry = this.replicas.get(name)?.find((r) => r.slot === slot);
    if (!entry) {
      throw new Error(`no ${name} process in slot ${slot}`);
    }
    const child = entry.process.child;
    const pid = child.pid as number;
    const exited = new Promise<void>((resolve) =>
      child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
    );
    process.kill(pid, signal);
    await exited;
    this.replicas.set(
      name,
      (this.replicas.get(name) ?? []).filter((r) => r !== entry),
    );

    return { pid, exitCode: child.exitCode };
  }

  /** Starts a process of `name` in `slot` (0: the service's own port; others: replicas) and waits until it is ready. */
  async startReplica(name: ServiceName, slot: number): Promise<RunningProcess> {
    const port = portsOf(this.options.portOffset).slot(name, slot);
    const env: Record<string, string> =
      name === 'dlr-ingest' ? { DLR_SPOOL_DIR: path.join(this.options.dir, `spool-${slot}`) } : {};
    const process = await this.topology.launchReplica(name, port, env);
    const list = (this.replicas.get(name) ?? []).filter((r) => r.slot !== slot);
    list.push({ slot, process });
    this.replicas.set(name, list);

    return process;
  }

  /** Slots in use by a service. */
  slotsOf(name: ServiceName): number[] {
    return (this.replicas.get(name) ?? []).map((r) => r.slot);
  }

  /** Processes whose /readyz does not answer 200 now. */
  async notReady(): Promise<string[]> {
    const missing: string[] = [];
    for (const [name, list] of this.replicas) {
      for (const { slot, process } of list) {
        const ok = await fetch(`http://127.0.0.1:${process.port}/readyz`, { signal: AbortSignal.timeout(2000) })
          .then((r) => r.ok)
          .catch(() => false);
        if (!ok) {
          missing.push(`${name}#${slot}`);
        }
      }
    }

    return missing;
  }

  /**
   * Sets knobs on every simulated provider (a partial update), or puts them back to their defaults. Knobs are
   * control routes (the run's token); a refused update throws, or a fault would silently inject nothing.
   */
  async knobs(update: object | 'defaults'): Promise<void> {
    await Promise.all(
      SIMULATED_PROVIDERS.map(async (provider) => {
        const response = await fetch(`${this.simulatorUrl}/knobs/${provider}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json', ...this.topology.simulatorAuth },
          body: JSON.stringify(update === 'defaults' ? DEFAULT_KNOBS_UPDATE : update),
        });
        if (!response.ok) {
          throw new Error(`simulator knobs for ${provider} answered ${response.status}: ${await response.text()}`);
        }
      }),
    );
  }

  /** Creates the prefixed topics again (a broker that lost its data). */
  async recreateTopics(): Promise<void> {
    const specs = readTopicSpecs(path.join(ROOT, 'test/kafka/topics.json')).map((spec) => ({
      ...spec,
      topic: this.topicPrefix + spec.topic,
    }));
    await createTopics(this.options.kafkaBrokers.split(','), specs);
  }

  async stop(dropDatabase = true): Promise<void> {
    await Promise.all(this.balancers.map((b) => b.stop()));
    const replicas = [...this.replicas.values()].flat();
    await Promise.all(replicas.map((r) => stopProcess(r.process.child, 15_000)));
    await this.topology.stop();
    if (dropDatabase) {
      const server = await createConnection({ uri: this.options.mysqlServerUrl }).catch(() => null);
      await server?.query(`DROP DATABASE IF EXISTS \`${this.database}\``).catch(() => undefined);
      await server?.end();
    }
    await deleteTopics(this.options.kafkaBrokers, this.topicPrefix).catch(() => undefined);
  }

  private portsOf(name: ServiceName): number[] {
    return this.processesOf(name).map((p) => p.port);
  }
}

const DEFAULT_KNOBS_UPDATE = {
  latencyMs: 0,
  errorRate: { transient: 0, permanent: 0, optedOut: 0, configuration: 0 },
  timeoutAfterAcceptRate: 0,
  dlrDelayMs: 200,
  dlrOutcomes: { delivered: 1, undelivered: 0, failed: 0 },
  duplicateDlrRate: 0,
  outOfOrderDlrRate: 0,
  throttleRatePerSecond: null,
};

const databaseOf = (runId: string): string => `sms_chaos_${runId}`;
const topicPrefixOf = (runId: string): string => `chaos-${runId}.`;

/** Ports of a run: each service's slots (0 = the topology's own port) and the two balancers. */
function portsOf(offset: number) {
  return {
    slot: (name: ServiceName, slot: number): number => SERVICE_PORTS[name] + offset + 20 * slot,
    balancer: { intake: 3090 + offset, 'dlr-ingest': 3091 + offset },
  };
}

async function deleteTopics(brokers: string, prefix: string): Promise<void> {
  const kafka = new Kafka({ clientId: 'chaos-cleanup', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
    if (topics.length > 0) {
      await admin.deleteTopics({ topics, timeout: 10_000 });
    }
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(prefix));
    if (groups.length > 0) {
      await admin.deleteGroups(groups).catch(() => undefined);
    }
  } finally {
    await admin.disconnect();
  }
}
