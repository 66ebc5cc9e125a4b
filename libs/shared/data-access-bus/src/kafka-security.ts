import { readFileSync } from 'node:fs';
import type { KafkaConfig, SASLOptions } from 'kafkajs';

/** The SASL mechanisms kafkajs speaks without a plugin (the names its `sasl.mechanism` takes). */
export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/** How every Kafka client of a process reaches the brokers: TLS, and SASL credentials. */
export interface KafkaSecurity {
  /** TLS to every broker, the broker's certificate verified (never switched off). */
  readonly ssl: boolean;
  /** PEM file of the CA that signed the brokers' certificates (a private CA); absent: Node's trusted roots. */
  readonly caFile?: string;
  readonly sasl?: {
    readonly mechanism: KafkaSaslMechanism;
    readonly username: string;
    readonly password: string;
  };
}

/** No TLS, no SASL: a broker on a trusted network (local runs, the tests' broker). */
export const PLAINTEXT_KAFKA: KafkaSecurity = { ssl: false };

/** The settings as configured (KAFKA_SSL, KAFKA_SSL_CA_FILE, KAFKA_SASL_*), before they are checked. */
export interface KafkaSecuritySettings {
  readonly KAFKA_SSL: boolean;
  readonly KAFKA_SSL_CA_FILE: string;
  readonly KAFKA_SASL_MECHANISM: string;
  readonly KAFKA_SASL_USERNAME: string;
  readonly KAFKA_SASL_PASSWORD: string;
}

/** A setting that cannot work, or contradicts another: the process must not start on it. */
export class KafkaSecurityError extends Error {
  override readonly name = 'KafkaSecurityError';
}

const TRUE_WORDS = ['1', 'true', 'yes', 'on'];
const FALSE_WORDS = ['0', 'false', 'no', 'off', ''];

/**
 * Every problem of a set of Kafka security settings, one sentence each naming the variables (never a
 * password). Empty when the settings describe one coherent connection.
 */
export function kafkaSecurityProblems(settings: KafkaSecuritySettings): string[] {
  const problems: string[] = [];
  const mechanism = settings.KAFKA_SASL_MECHANISM.trim().toLowerCase();
  const username = settings.KAFKA_SASL_USERNAME;
  const password = settings.KAFKA_SASL_PASSWORD;
  if (settings.KAFKA_SSL_CA_FILE.trim() !== '' && !settings.KAFKA_SSL) {
    // A CA without TLS would be silently unused, and the operator would believe the link encrypted.
    problems.push('KAFKA_SSL_CA_FILE is set but KAFKA_SSL is not true: the connection would be plaintext');
  }
  if (mechanism === '') {
    if (username !== '' || password !== '') {
      problems.push('KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is set without KAFKA_SASL_MECHANISM');
    }

    return problems;
  }
  if (!(KAFKA_SASL_MECHANISMS as readonly string[]).includes(mechanism)) {
    problems.push(`KAFKA_SASL_MECHANISM must be one of ${KAFKA_SASL_MECHANISMS.join(', ')}`);
  }
  if (username === '') {
    problems.push(`KAFKA_SASL_MECHANISM=${mechanism} needs KAFKA_SASL_USERNAME`);
  }
  if (password === '') {
    problems.push(`KAFKA_SASL_MECHANISM=${mechanism} needs KAFKA_SASL_PASSWORD`);
  }
  if (mechanism === 'plain' && !settings.KAFKA_SSL) {
    // PLAIN sends the password itself; SCRAM proves it without sending it, so only PLAIN needs TLS under it.
    problems.push('KAFKA_SASL_MECHANISM=plain sends the password in clear text: set KAFKA_SSL=true or use SCRAM');
  }

  return problems;
}

/** The checked settings as a {@link KafkaSecurity}; throws {@link KafkaSecurityError} listing every problem. */
export function kafkaSecurityOf(settings: KafkaSecuritySettings): KafkaSecurity {
  const problems = kafkaSecurityProblems(settings);
  if (problems.length > 0) {
    throw new KafkaSecurityError(`Invalid Kafka connection settings: ${problems.join('; ')}`);
  }
  const caFile = settings.KAFKA_SSL_CA_FILE.trim();
  const mechanism = settings.KAFKA_SASL_MECHANISM.trim().toLowerCase() as KafkaSaslMechanism | '';

  return {
    ssl: settings.KAFKA_SSL,
    ...(caFile !== '' ? { caFile } : {}),
    ...(mechanism !== ''
      ? { sasl: { mechanism, username: settings.KAFKA_SASL_USERNAME, password: settings.KAFKA_SASL_PASSWORD } }
      : {}),
  };
}

/**
 * The same from raw environment variables, for the command-line tools that do not load the whole service
 * configuration (create-topics, dlq-replay). KAFKA_SSL must be a clear yes or no: a typo must not mean plaintext.
 */
export function kafkaSecurityFromEnv(env: Readonly<Record<string, string | undefined>>): KafkaSecurity {
  const ssl = (env['KAFKA_SSL'] ?? '').trim().toLowerCase();
  if (!TRUE_WORDS.includes(ssl) && !FALSE_WORDS.includes(ssl)) {
    throw new KafkaSecurityError('Invalid Kafka connection settings: KAFKA_SSL must be true or false');
  }

  return kafkaSecurityOf({
    KAFKA_SSL: TRUE_WORDS.includes(ssl),
    KAFKA_SSL_CA_FILE: env['KAFKA_SSL_CA_FILE'] ?? '',
    KAFKA_SASL_MECHANISM: env['KAFKA_SASL_MECHANISM'] ?? '',
    KAFKA_SASL_USERNAME: env['KAFKA_SASL_USERNAME'] ?? '',
    KAFKA_SASL_PASSWORD: env['KAFKA_SASL_PASSWORD'] ?? '',
  });
}

/** Reads the CA file; a missing or non-PEM file is a {@link KafkaSecurityError} naming the path. */
export type ReadCaFile = (path: string) => string;

const readPem: ReadCaFile = (path) => readFileSync(path, 'utf8');

/**
 * The kafkajs client options for a {@link KafkaSecurity}: `ssl` and `sasl`, or neither for plaintext. Every
 * client the bus creates (producer, consumers, admin, the readiness probe) is built with them.
 */
export function kafkajsSecurityOptions(
  security: KafkaSecurity,
  readCaFile: ReadCaFile = readPem,
): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const sasl: SASLOptions | undefined = security.sasl
    ? { mechanism: security.sasl.mechanism, username: security.sasl.username, password: security.sasl.password }
    : undefined;
  if (!security.ssl) {
    return sasl ? { sasl } : {};
  }
  const ssl = security.caFile ? { ca: [readCa(security.caFile, readCaFile)], rejectUnauthorized: true } : true;

  return sasl ? { ssl, sasl } : { ssl };
}

function readCa(path: string, readCaFile: ReadCaFile): string {
  let pem: string;
  try {
    pem = readCaFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
    throw new KafkaSecurityError(`KAFKA_SSL_CA_FILE ${path} cannot be read (${code})`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new KafkaSecurityError(`KAFKA_SSL_CA_FILE ${path} holds no PEM certificate`);
  }

  return pem;
}
