/**
 * A throwaway single-node KRaft broker whose only client listener is SASL_PLAINTEXT with SCRAM-SHA-256 and
 * SCRAM-SHA-512, for the integration test of the bus's SASL settings. It runs from the jars test/kafka/up.sh
 * resolves (test/kafka/libs, or KAFKA_LIBS_DIR), on free ports, in a temporary directory removed on stop.
 * The users exist from the start: `kafka-storage format --add-scram` writes their credentials.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.join(__dirname, '..', '..', '..', '..', '..');
const KAFKA_DIR = path.join(ROOT, 'test', 'kafka');

export interface ScramUser {
  readonly name: string;
  readonly password: string;
}

export interface SaslBroker {
  readonly bootstrap: string;
  stop(): Promise<void>;
}

/** Where the broker jars are, or null (with the reason) when they have not been resolved on this machine. */
export function kafkaLibsDir(): { dir: string } | { missing: string } {
  const dir = process.env['KAFKA_LIBS_DIR'] ?? path.join(KAFKA_DIR, 'libs');

  return existsSync(dir) ? { dir } : { missing: `no Kafka jars in ${dir}: run \`bash test/kafka/up.sh --fetch-only\`` };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Starts the broker with these SCRAM users (each under both SCRAM mechanisms); resolves once it serves. */
export async function startSaslBroker(users: readonly ScramUser[], timeoutMs = 90_000): Promise<SaslBroker> {
  const libs = kafkaLibsDir();
  if ('missing' in libs) {
    throw new Error(libs.missing);
  }
  const [port, controllerPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(path.join(tmpdir(), 'sasl-broker-'));
  const inter = { name: 'broker', password: 'broker-secret-0123' };
  const jaas = (extra: string) => `org.apache.kafka.common.security.scram.ScramLoginModule required${extra};`;
  const properties = [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    'controller.listener.names=CONTROLLER',
    `listeners=SASL_PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=SASL_PLAINTEXT://127.0.0.1:${port}`,
    'inter.broker.listener.name=SASL_PLAINTEXT',
    'listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT',
    'sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512',
    'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512',
    `listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=${jaas('')}`,
    `listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=${jaas(
      ` username="${inter.name}" password="${inter.password}"`,
    )}`,
    `log.dirs=${path.join(dir, 'data')}`,
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'num.network.threads=2',
    'num.io.threads=2',
  ];
  const config = path.join(dir, 'server.properties');
  writeFileSync(config, `${properties.join('\n')}\n`);
  const jvm = [
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    `-Dlog4j.configuration=file:${path.join(KAFKA_DIR, 'log4j.properties')}`,
    `-Dkafka.logs.dir=${path.join(dir, 'logs')}`,
    '-cp',
    `${libs.dir}/*`,
  ];
  const scram = [inter, ...users].flatMap((user) =>
    ['SCRAM-SHA-256', 'SCRAM-SHA-512'].flatMap((mechanism) => [
      '--add-scram',
      `${mechanism}=[name=${user.name},password=${user.password}]`,
    ]),
  );
  const java = process.env['JAVA_HOME'] ? path.join(process.env['JAVA_HOME'], 'bin', 'java') : 'java';
  await promisify(execFile)(java, [
    '-Xmx256m',
    ...jvm,
    'kafka.tools.StorageTool',
    'format',
    '-t',
    'c2FzbC1icm9rZXItdGVzdA',
    '-c',
    config,
    ...scram,
  ]);
  const child: ChildProcess = spawn(java, ['-Xms128m', '-Xmx384m', ...jvm, 'kafka.Kafka', config], {
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const log = path.join(dir, 'logs', 'server.log');
  const deadline = Date.now() + timeoutMs;
  while (!(existsSync(log) && readFileSync(log, 'utf8').includes('Kafka Server started'))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`the SASL broker did not start within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  return { bootstrap: `127.0.0.1:${port}`, stop };
}
