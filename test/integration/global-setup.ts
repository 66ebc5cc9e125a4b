/**
 * Jest globalSetup for the integration layer (`integration` project in jest.config.js): makes sure the
 * real MariaDB, Redis and Kafka answer before any spec runs, so a missing service is one clear error
 * instead of a hundred timeouts, and drops databases that crashed earlier runs left behind.
 * Never mocks, never starts anything: scripts/test.sh (scripts/ensure-services.sh, test/kafka/up.sh) does.
 */
import { connect } from 'node:net';
import Redis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { createConnection } from 'mysql2/promise';
import { mysqlUrl, TEST_DATABASE_PREFIX, withDatabase } from '../../libs/shared/util-testing/src/mysql-test-database';

const DEFAULTS = {
  MYSQL_URL: 'mysql://root@127.0.0.1:3306/sms_test',
  REDIS_URL: 'redis://127.0.0.1:6379',
  KAFKA_BROKERS: '127.0.0.1:9092',
} as const;

/** A database of ours whose newest table is older than this belongs to a run that died. */
const STALE_AFTER_HOURS = 6;

export default async function globalSetup(): Promise<void> {
  for (const [key, value] of Object.entries(DEFAULTS)) {
    process.env[key] ??= value;
  }
  const problems = (await Promise.all([checkMysql(), checkRedis(), checkKafka()])).filter((p) => p !== null);
  if (problems.length > 0) {
    throw new Error(
      `integration services are not reachable:\n  ${problems.join('\n  ')}\n` +
        'Start them with `bash scripts/ensure-services.sh` and `bash test/kafka/up.sh` (or run `bash scripts/test.sh`).',
    );
  }
  await dropStaleDatabases();
}

async function checkMysql(): Promise<string | null> {
  try {
    const connection = await createConnection({ uri: withDatabase(mysqlUrl(), ''), connectTimeout: 3000 });
    await connection.query('SELECT 1');
    await connection.end();

    return null;
  } catch (error) {
    return `MariaDB/MySQL at ${redactUrl(mysqlUrl())}: ${String(error)}`;
  }
}

async function checkRedis(): Promise<string | null> {
  const url = process.env['REDIS_URL'] ?? DEFAULTS.REDIS_URL;
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();

    return null;
  } catch (error) {
    return `Redis at ${redactUrl(url)}: ${String(error)}`;
  } finally {
    redis.disconnect();
  }
}

async function checkKafka(): Promise<string | null> {
  const brokers = (process.env['KAFKA_BROKERS'] ?? DEFAULTS.KAFKA_BROKERS).split(',');
  // A plain TCP probe first: kafkajs would retry for half a minute against a closed port.
  const [host = '127.0.0.1', port = '9092'] = (brokers[0] ?? '').split(':');
  const open = await new Promise<boolean>((resolve) => {
    const socket = connect({ host, port: Number(port), timeout: 3000 });
    const done = (result: boolean): void => {
      socket.destroy();
      resolve(result);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
  if (!open) {
    return `Kafka at ${brokers.join(',')}: port closed`;
  }
  const admin = new Kafka({
    clientId: 'integration-setup',
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 2 },
  }).admin();
  try {
    await admin.connect();
    await admin.describeCluster();

    return null;
  } catch (error) {
    return `Kafka at ${brokers.join(',')}: ${String(error)}`;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Drops `sms_it_*` databases whose newest table is hours old: another run's live database is never that old. */
async function dropStaleDatabases(): Promise<void> {
  const connection = await createConnection({ uri: withDatabase(mysqlUrl(), '') });
  try {
    const [rows] = await connection.query(
      `SELECT TABLE_SCHEMA AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA LIKE ?
       GROUP BY TABLE_SCHEMA HAVING MAX(CREATE_TIME) < NOW() - INTERVAL ? HOUR`,
      [`${TEST_DATABASE_PREFIX}%`, STALE_AFTER_HOURS],
    );
    for (const { name } of rows as { name: string }[]) {
      if (/^sms_it_[0-9a-f]+$/.test(name)) {
        await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
      }
    }
  } finally {
    await connection.end();
  }
}

const redactUrl = (url: string): string => url.replace(/\/\/[^@/]*@/, '//<credentials>@');
