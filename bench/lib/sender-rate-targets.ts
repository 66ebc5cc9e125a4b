/**
 * Where the sender-rate bench sends (bench/sender-rate.bench.ts): the embedded gateway in this process, or
 * the distributed send-worker and simulator as `npm run dev` starts them (scripts/distributed.ts) on the
 * running MariaDB, Redis and Kafka, under a database and a topic prefix of the run's own.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ALL_SCOPES, ApiKeyService } from '@sms/auth';
import type { Bus } from '@sms/bus';
import { KafkaBus, NamespacedBus, silentBusLogger } from '@sms/bus';
import { BUS, loadConfig } from '@sms/platform';
import { buildGateway } from '../../apps/gateway/src/gateway.app';
import { createTopics, readTopicSpecs } from '../../scripts/create-topics';
import { startDistributed } from '../../scripts/distributed';
import { dropDatabase, prepareDatabase } from './infra';
import { KafkaOffsets } from './kafka-offsets';
import { cpuMsOf } from './process-cpu';
import { freePort, onInterrupt, ROOT } from './processes';

export type SenderRateMode = 'embedded' | 'distributed';

export interface SenderRateTarget {
  readonly mode: SenderRateMode;
  /** Publishes dispatches and reads status events, under the names the services use. */
  readonly bus: Bus;
  setKnobs(provider: string, knobs: Record<string, unknown>): Promise<void>;
  /** CPU ms so far of what does the sending: this process (embedded), or the send-worker and simulator. */
  cpuMs(): number;
  stop(): Promise<void>;
}

const API_KEY = 'smsgw_bench_sender_rate_key_000000000000';
/** The bind's window bounds the submits in flight: 100 segments/s at 1 s needs ~100 outstanding. */
const SMPP_ENV = { SMPP_BINDS: '2', SMPP_WINDOW: '100' };

export function startSenderRateTarget(mode: SenderRateMode): Promise<SenderRateTarget> {
  return mode === 'embedded' ? startEmbedded() : startDistributedSender();
}

async function putKnobs(url: string, authorization: string, knobs: Record<string, unknown>): Promise<void> {
  const response = await fetch(url, {
    method: 'PUT',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify(knobs),
  });
  if (response.status >= 300) {
    throw new Error(`PUT ${url}: ${response.status} ${await response.text()}`);
  }
}

async function startEmbedded(): Promise<SenderRateTarget> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'sms-bench-rate-'));
  const config = loadConfig({
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dir,
    LOG_LEVEL: 'error',
    SMPP_SIM_PORT: '0',
    ...SMPP_ENV,
    // Hundreds of recipients in one range within seconds is this bench's load, not SMS pumping.
    PUMPING_SEQUENTIAL_RECIPIENTS: '100000',
    PUMPING_HIGH_COST_RECIPIENTS: '100000',
  });
  const app: NestFastifyApplication = await buildGateway(config);
  try {
    await app.listen({ port, host: '127.0.0.1' });
    await app.get(ApiKeyService).ensure('bench', API_KEY, ALL_SCOPES);
  } catch (error) {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const base = `http://127.0.0.1:${port}`;

  return {
    mode: 'embedded',
    bus: app.get<Bus>(BUS),
    setKnobs: (provider, knobs) => putKnobs(`${base}/sim/knobs/${provider}`, `Bearer ${API_KEY}`, knobs),
    cpuMs: () => {
      const { user, system } = process.cpuUsage();

      return (user + system) / 1_000;
    },
    stop: async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startDistributedSender(): Promise<SenderRateTarget> {
  const mysqlUrl = process.env['BENCH_SENDER_RATE_MYSQL_URL'] ?? 'mysql://root@127.0.0.1:3306/sms_bench_sender_rate';
  const redisUrl = process.env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const brokers = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';
  const prefix = `bench-rate-${randomBytes(3).toString('hex')}.`;
  await prepareDatabase(mysqlUrl);
  const specs = readTopicSpecs(path.join(ROOT, 'test/kafka/topics.json')).map((s) => ({
    ...s,
    topic: prefix + s.topic,
  }));
  await createTopics(brokers.split(','), specs);
  const kafka = new KafkaBus({ brokers: brokers.split(','), clientId: 'bench-sender-rate', logger: silentBusLogger });
  const output: string[] = [];
  const cleanUp = async (): Promise<void> => {
    await kafka.close().catch(() => undefined);
    const topics = new KafkaOffsets(brokers, prefix);
    await topics.deleteTopics().catch(() => undefined);
    await topics.close().catch(() => undefined);
    await dropDatabase(mysqlUrl).catch(() => undefined);
  };
  let topology;
  try {
    topology = await startDistributed({
      mysqlUrl,
      redisUrl,
      kafkaBrokers: brokers,
      portOffset: Number(process.env['BENCH_SENDER_RATE_PORT_OFFSET'] ?? 760),
      services: ['send-worker'],
      logLevel: 'warn',
      startTimeoutMs: 180_000,
      extraEnv: { KAFKA_TOPIC_PREFIX: prefix, ...SMPP_ENV },
      onOutput: (service, line) => {
        output.push(`[${service}] ${line}`);
        if (output.length > 100) {
          output.shift();
        }
      },
    });
  } catch (error) {
    await cleanUp();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${output.slice(-20).join('\n')}`);
  }
  const running = topology;
  const forget = onInterrupt(() => running.stop(2_000));
  const pids = running.processes.map((p) => p.child.pid).filter((pid): pid is number => pid !== undefined);

  return {
    mode: 'distributed',
    bus: new NamespacedBus(kafka, prefix),
    setKnobs: (provider, knobs) =>
      putKnobs(`${running.simulatorUrl}/knobs/${provider}`, running.simulatorAuth['authorization'] ?? '', knobs),
    cpuMs: () => pids.reduce((sum, pid) => sum + cpuMsOf(pid), 0),
    stop: async () => {
      await kafka.close().catch(() => undefined);
      await running.stop();
      forget();
      await cleanUp();
    },
  };
}
