/**
 * A throwaway single-node KRaft broker whose client listeners both require SCRAM (SHA-256 and SHA-512): one
 * SASL_PLAINTEXT, one SASL_SSL with a certificate for 127.0.0.1 signed by a CA of its own, for the integration
 * test of the bus's TLS and SASL settings. It runs from the jars test/kafka/up.sh resolves (test/kafka/libs, or
 * KAFKA_LIBS_DIR), on free ports, in a temporary directory removed on stop. The users exist from the start:
 * `kafka-storage format --add-scram` writes their credentials. The certificates come from the JDK's keytool,
 * which the broker's Java brings anyway.
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
  /** The SASL_PLAINTEXT listener. */
  readonly bootstrap: string;
  /** The SASL_SSL listener, its certificate signed by the CA in `caFile` (PEM). */
  readonly tlsBootstrap: string;
  readonly caFile: string;
  stop(): Promise<void>;
}

/** A CA, and a PKCS#12 keystore for the broker with a certificate for 127.0.0.1 signed by it. */
async function makeCertificates(java: string, dir: string): Promise<{ caFile: string; keystore: string }> {
  // keytool sits beside the java binary (JAVA_HOME/bin), or on the PATH with it.
  const tool = java === 'java' ? 'keytool' : path.join(path.dirname(java), 'keytool');
  const run = (args: string[]) => promisify(execFile)(tool, args);
  const ca = path.join(dir, 'ca.p12');
  const caFile = path.join(dir, 'ca.crt');
  const keystore = path.join(dir, 'broker.p12');
  const csr = path.join(dir, 'broker.csr');
  const signed = path.join(dir, 'broker.crt');
  const store = (file: string) => ['-keystore', file, '-storetype', 'PKCS12', '-storepass', KEYSTORE_PASSWORD];
  await run(
    ['-genkeypair', '-alias', 'ca', '-keyalg', 'RSA', '-keysize', '2048', '-dname', 'CN=sasl-broker-test-ca'].concat([
      '-ext',
      'bc:c',
      '-validity',
      '2',
      ...store(ca),
    ]),
  );
  await run(['-exportcert', '-rfc', '-alias', 'ca', '-file', caFile, ...store(ca)]);
  await run(
    ['-genkeypair', '-alias', 'broker', '-keyalg', 'RSA', '-keysize', '2048', '-dname', 'CN=127.0.0.1'].concat([
      '-validity',
      '2',
      ...store(keystore),
    ]),
  );
  await run(['-certreq', '-alias', 'broker', '-file', csr, ...store(keystore)]);
  await run(
    ['-gencert', '-alias', 'ca', '-infile', csr, '-outfile', signed, '-rfc', '-validity', '2'].concat([
      '-ext',
      'SAN=IP:127.0.0.1',
      ...store(ca),
    ]),
  );
  await run(['-importcert', '-noprompt', '-alias', 'ca', '-file', caFile, ...store(keystore)]);
  await run(['-importcert', '-noprompt', '-alias', 'broker', '-file', signed, ...store(keystore)]);

  return { caFile, keystore };
}

const KEYSTORE_PASSWORD = 'sasl-broker-keystore';

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
  const [port, tlsPort, controllerPort] = [await freePort(), await freePort(), await freePort()];
  const dir = mkdtempSync(path.join(tmpdir(), 'sasl-broker-'));
  const java = process.env['JAVA_HOME'] ? path.join(process.env['JAVA_HOME'], 'bin', 'java') : 'java';
  const { caFile, keystore } = await makeCertificates(java, dir);
  const inter = { name: 'broker', password: 'broker-secret-0123' };
  const jaas = (extra: string) => `org.apache.kafka.common.security.scram.ScramLoginModule required${extra};`;
  const properties = [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    'controller.listener.names=CONTROLLER',
    `listeners=SASL_PLAINTEXT://127.0.0.1:${port},SASL_SSL://127.0.0.1:${tlsPort},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=SASL_PLAINTEXT://127.0.0.1:${port},SASL_SSL://127.0.0.1:${tlsPort}`,
    'inter.broker.listener.name=SASL_PLAINTEXT',
    'listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT',
    'sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512',
    'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512',
    `listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=${jaas('')}`,
    `listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=${jaas(
      ` username="${inter.name}" password="${inter.password}"`,
    )}`,
    `listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=${jaas('')}`,
    `listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=${jaas('')}`,
    `ssl.keystore.location=${keystore}`,
    'ssl.keystore.type=PKCS12',
    `ssl.keystore.password=${KEYSTORE_PASSWORD}`,
    `ssl.key.password=${KEYSTORE_PASSWORD}`,
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

  return { bootstrap: `127.0.0.1:${port}`, tlsBootstrap: `127.0.0.1:${tlsPort}`, caFile, stop };
}
