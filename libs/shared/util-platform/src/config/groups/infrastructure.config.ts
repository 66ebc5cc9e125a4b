import { type KafkaSecurity, kafkaSecurityOf, kafkaSecurityProblems, PLAINTEXT_KAFKA } from '@sms/bus';
import type { SettingsReader } from '@sms/config-kit';
import type { RunMode } from '../run-mode';

/** `config.database`: where the services' slices live (SQLite files embedded, MySQL/MariaDB distributed). */
export interface DatabaseGroup {
  /** Embedded mode: SQLite files (and the generated secrets) live here; the folder survives restarts. */
  readonly dataDir: string;
  /** Distributed mode: the MySQL/MariaDB URL (a secret: it may hold a password). Empty embedded. */
  readonly mysqlUrl: string;
  /** Connections per service in the distributed mode. */
  readonly poolSize: number;
}

/** `config.kafka`: the brokers and how every Kafka client of the process reaches them (distributed mode). */
export interface KafkaGroup {
  readonly brokers: readonly string[];
  /** Prefix of every topic and consumer group on a shared cluster; empty = the plain names. */
  readonly topicPrefix: string;
  /** Longest an idle consumer's fetch waits on the broker: what an idle consumer costs, not the latency. */
  readonly fetchMaxWaitMs: number;
  /**
   * Upgrade from a release that put every status event on `sms.status.v1` (ADR 0027): dlr-processor and
   * opt-out also read that topic, as they used to, until the records older producers left there are read.
   */
  readonly legacyStatusReads: boolean;
  readonly security: KafkaSecurity;
}

/** `config.redis`: the shared state of the distributed mode (health windows, limit counters, caches). */
export interface RedisGroup {
  /** Empty in the embedded mode, where the state is in memory. A secret: it may hold a password. */
  readonly url: string;
  /** Namespace of every key: two gateways (or test runs) sharing one Redis need different prefixes. */
  readonly keyPrefix: string;
}

export function readDatabaseGroup(read: SettingsReader, mode: RunMode): DatabaseGroup {
  const mysqlUrl = read.secret('MYSQL_URL', { default: '' });
  if (mode === 'distributed' && !/^mysql:\/\//.test(mysqlUrl)) {
    read.fail('MYSQL_URL', 'must be a mysql:// URL (MODE=distributed)');
  }

  return {
    dataDir: read.string('DATA_DIR', { default: './data' }),
    mysqlUrl,
    poolSize: read.int('DB_POOL_SIZE', { default: 10, min: 1, max: 200 }),
  };
}

const BROKER = /^[^,\s]+:\d+$/;

export function readKafkaGroup(read: SettingsReader, mode: RunMode): KafkaGroup {
  const brokers = read.list('KAFKA_BROKERS', { item: BROKER, problem: 'must be host:port[,host:port]' });
  if (mode === 'distributed' && brokers.length === 0) {
    read.fail('KAFKA_BROKERS', 'is required (MODE=distributed): host:port[,host:port]');
  }
  const settings = {
    KAFKA_SSL: read.bool('KAFKA_SSL', { default: false }),
    KAFKA_SSL_CA_FILE: read.text('KAFKA_SSL_CA_FILE') ?? '',
    KAFKA_SASL_MECHANISM: read.text('KAFKA_SASL_MECHANISM') ?? '',
    KAFKA_SASL_USERNAME: read.text('KAFKA_SASL_USERNAME') ?? '',
    KAFKA_SASL_PASSWORD: read.secret('KAFKA_SASL_PASSWORD', { default: '' }),
  };
  // Settings that are each valid but contradict one another (a CA without TLS, SASL without credentials).
  const problems = kafkaSecurityProblems(settings);
  problems.forEach((problem) => read.report('KAFKA_SSL', problem));

  return {
    brokers,
    topicPrefix: read.string('KAFKA_TOPIC_PREFIX', {
      default: '',
      pattern: /^[a-zA-Z0-9._-]{0,64}$/,
      problem: 'must be 0-64 of a-z A-Z 0-9 . _ -',
    }),
    fetchMaxWaitMs: read.int('KAFKA_FETCH_MAX_WAIT_MS', { default: 5_000, min: 100, max: 30_000, unit: 'ms' }),
    legacyStatusReads: read.bool('KAFKA_LEGACY_STATUS_READS', { default: false }),
    security: problems.length > 0 ? PLAINTEXT_KAFKA : kafkaSecurityOf(settings),
  };
}

export function readRedisGroup(read: SettingsReader, mode: RunMode): RedisGroup {
  const url = read.secret('REDIS_URL', { default: '' });
  if (mode === 'distributed' && !/^rediss?:\/\//.test(url)) {
    read.fail('REDIS_URL', 'must be a redis:// URL (MODE=distributed)');
  }

  return {
    url,
    keyPrefix: read.string('REDIS_KEY_PREFIX', {
      default: 'sms:router:',
      pattern: /^[A-Za-z0-9:_.-]{1,64}$/,
      problem: 'must be 1-64 of A-Z a-z 0-9 : _ . -',
    }),
  };
}
