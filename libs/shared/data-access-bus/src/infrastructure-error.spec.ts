import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import Redis from 'ioredis';
import { Kafka, KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError, logLevel } from 'kafkajs';
import { createConnection, createPool } from 'mysql2/promise';
import { QueryFailedError } from 'typeorm';
import { BusClosedError, DeadLetterPublishError } from './bus.errors';
import { NonRetriableError } from './bus.port';
import { classifyHandlerError, isInfrastructureError } from './infrastructure-error';

/** 127.0.0.1:1 answers nothing: a connection refused like a database or broker that is down. */
const CLOSED_PORT = 1;

/** A server error as mysql2 builds it from an ERR packet (Packet.asError): code name, number, SQL state. */
function mysqlServerError(code: string, errno: number, sqlState: string, message: string): Error {
  return Object.assign(new Error(message), { code, errno, sqlState, sqlMessage: message });
}

/** TypeORM's wrapper around a driver error: QueryFailedError copies `code`/`errno` and keeps `driverError`. */
const viaTypeorm = (driverError: Error): QueryFailedError =>
  new QueryFailedError('UPDATE t SET x = ?', [1], driverError);

/** kafkajs' own error for a protocol error code (protocol/error.js), retriable flag included. */
function kafkaProtocolError(type: string, code: number, retriable: boolean): KafkaJSProtocolError {
  // The constructor takes the protocol error entry ({ type, code, retriable, message }); its typings say Error.
  const entry = { type, code, retriable, message: `${type} from the broker` };

  return new KafkaJSProtocolError(entry as unknown as Error);
}

async function rejectionOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** Errors produced by the real client libraries against nothing listening, a closed pool, a held lock. */
interface RealErrors {
  mysqlRefused: unknown;
  mysqlPoolClosed: unknown;
  redisMaxRetries: unknown;
  redisClosed: unknown;
  kafkaProducerDown: unknown;
  sqliteBusy: unknown;
  sqliteUnique: unknown;
  sqliteSyntax: unknown;
}

describe('isInfrastructureError', () => {
  const real = {} as RealErrors;
  let dir: string;

  beforeAll(async () => {
    real.mysqlRefused = await rejectionOf(() =>
      createConnection({ host: '127.0.0.1', port: CLOSED_PORT, connectTimeout: 2_000 }),
    );
    const pool = createPool({ host: '127.0.0.1', port: CLOSED_PORT });
    await pool.end();
    real.mysqlPoolClosed = await rejectionOf(() => pool.query('SELECT 1'));

    const flaky = new Redis({
      host: '127.0.0.1',
      port: CLOSED_PORT,
      maxRetriesPerRequest: 1,
      retryStrategy: (times) => (times > 3 ? null : 10),
    });
    flaky.on('error', () => undefined);
    real.redisMaxRetries = await rejectionOf(() => flaky.get('k'));
    const gone = new Redis({ host: '127.0.0.1', port: CLOSED_PORT, retryStrategy: () => null });
    gone.on('error', () => undefined);
    await new Promise((resolve) => gone.once('end', resolve));
    real.redisClosed = await rejectionOf(() => gone.get('k'));
    flaky.disconnect();
    gone.disconnect();

    const kafka = new Kafka({
      clientId: 'classifier-spec',
      brokers: [`127.0.0.1:${CLOSED_PORT}`],
      connectionTimeout: 500,
      retry: { retries: 1, initialRetryTime: 10, maxRetryTime: 20 },
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    real.kafkaProducerDown = await rejectionOf(() => producer.connect());
    await producer.disconnect();

    dir = mkdtempSync(join(tmpdir(), 'classifier-'));
    const writer = new Database(join(dir, 'db.sqlite'));
    writer.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    const other = new Database(join(dir, 'db.sqlite'), { timeout: 0 });
    writer.exec('BEGIN IMMEDIATE');
    real.sqliteBusy = await rejectionOf(async () => other.exec("INSERT INTO t (v) VALUES ('x')"));
    writer.exec('ROLLBACK');
    writer.exec("INSERT INTO t (id, v) VALUES (1, 'a')");
    real.sqliteUnique = await rejectionOf(async () => writer.exec("INSERT INTO t (id, v) VALUES (1, 'b')"));
    real.sqliteSyntax = await rejectionOf(async () => writer.exec('INSER INTO t VALUES (2)'));
    writer.close();
    other.close();
  }, 30_000);

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  // [what, the error (built lazily: some come from beforeAll), infrastructure?]
  const table: readonly [string, boolean, () => unknown][] = [
    // --- MariaDB / MySQL (mysql2, directly and through TypeORM) ---
    ['mysql2: connection refused (real)', true, () => real.mysqlRefused],
    ['mysql2: query on a closed pool (real)', true, () => real.mysqlPoolClosed],
    [
      'mysql2: connection lost',
      true,
      () => Object.assign(new Error('Connection lost'), { code: 'PROTOCOL_CONNECTION_LOST', fatal: true }),
    ],
    [
      'mysql2: connect timeout',
      true,
      () => Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT', errorno: 'ETIMEDOUT' }),
    ],
    [
      'mysql2: too many connections',
      true,
      () => mysqlServerError('ER_CON_COUNT_ERROR', 1040, '08004', 'Too many connections'),
    ],
    [
      'mysql2: lock wait timeout via TypeORM',
      true,
      () =>
        viaTypeorm(
          mysqlServerError(
            'ER_LOCK_WAIT_TIMEOUT',
            1205,
            'HY000',
            'Lock wait timeout exceeded; try restarting transaction',
          ),
        ),
    ],
    [
      'mysql2: deadlock via TypeORM',
      true,
      () => viaTypeorm(mysqlServerError('ER_LOCK_DEADLOCK', 1213, '40001', 'Deadlock found when trying to get lock')),
    ],
    [
      'mysql2: read-only server via TypeORM',
      true,
      () =>
        viaTypeorm(
          mysqlServerError(
            'ER_OPTION_PREVENTS_STATEMENT',
            1290,
            'HY000',
            'The MariaDB server is running with the --read-only option so it cannot execute this statement',
          ),
        ),
    ],
    [
      'mysql2: server shutting down',
      true,
      () => mysqlServerError('ER_SERVER_SHUTDOWN', 1053, '08S01', 'Server shutdown in progress'),
    ],
    [
      'mysql2: connection killed (MariaDB)',
      true,
      () => mysqlServerError('ER_CONNECTION_KILLED', 1927, '70100', 'Connection was killed'),
    ],
    [
      'mysql2: duplicate key via TypeORM',
      false,
      () => viaTypeorm(mysqlServerError('ER_DUP_ENTRY', 1062, '23000', "Duplicate entry 'x' for key 'PRIMARY'")),
    ],
    [
      'mysql2: data too long',
      false,
      () => mysqlServerError('ER_DATA_TOO_LONG', 1406, '22001', "Data too long for column 'body'"),
    ],
    [
      'mysql2: syntax error',
      false,
      () => mysqlServerError('ER_PARSE_ERROR', 1064, '42000', 'You have an error in your SQL syntax'),
    ],
    [
      'mysql2: unknown column',
      false,
      () => viaTypeorm(mysqlServerError('ER_BAD_FIELD_ERROR', 1054, '42S22', "Unknown column 'x'")),
    ],
    // --- SQLite (better-sqlite3) ---
    ['better-sqlite3: SQLITE_BUSY (real)', true, () => real.sqliteBusy],
    ['better-sqlite3: SQLITE_BUSY via TypeORM (real)', true, () => viaTypeorm(real.sqliteBusy as Error)],
    [
      'better-sqlite3: SQLITE_BUSY_SNAPSHOT',
      true,
      () => Object.assign(new Error('database is locked'), { name: 'SqliteError', code: 'SQLITE_BUSY_SNAPSHOT' }),
    ],
    [
      'better-sqlite3: SQLITE_IOERR_WRITE',
      true,
      () => Object.assign(new Error('disk I/O error'), { name: 'SqliteError', code: 'SQLITE_IOERR_WRITE' }),
    ],
    ['better-sqlite3: unique constraint (real)', false, () => real.sqliteUnique],
    ['better-sqlite3: syntax error (real)', false, () => real.sqliteSyntax],
    // --- Redis (ioredis) ---
    ['ioredis: max retries per request (real)', true, () => real.redisMaxRetries],
    ['ioredis: connection is closed (real)', true, () => real.redisClosed],
    [
      'ioredis: connection refused',
      true,
      () =>
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), {
          code: 'ECONNREFUSED',
          errno: -111,
          syscall: 'connect',
        }),
    ],
    [
      'ioredis: LOADING reply',
      true,
      () => Object.assign(new Error('LOADING Redis is loading the dataset in memory'), { name: 'ReplyError' }),
    ],
    [
      'ioredis: READONLY reply (failover)',
      true,
      () => Object.assign(new Error("READONLY You can't write against a read only replica."), { name: 'ReplyError' }),
    ],
    [
      'ioredis: WRONGTYPE reply',
      false,
      () =>
        Object.assign(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'), {
          name: 'ReplyError',
        }),
    ],
    // --- Kafka (kafkajs) ---
    ['kafkajs: producer against no broker (real)', true, () => real.kafkaProducerDown],
    [
      'kafkajs: connection error',
      true,
      () => new KafkaJSConnectionError('Connection error: connect ECONNREFUSED', { broker: '127.0.0.1:9092' }),
    ],
    [
      'kafkajs: retries exceeded',
      true,
      () =>
        new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('Connection timeout'), {
          retryCount: 5,
          retryTime: 3000,
        }),
    ],
    ['kafkajs: NOT_LEADER_OR_FOLLOWER', true, () => kafkaProtocolError('NOT_LEADER_OR_FOLLOWER', 6, true)],
    ['kafkajs: NOT_ENOUGH_REPLICAS', true, () => kafkaProtocolError('NOT_ENOUGH_REPLICAS', 19, true)],
    ['kafkajs: INVALID_TOPIC_EXCEPTION', false, () => kafkaProtocolError('INVALID_TOPIC_EXCEPTION', 17, false)],
    ['kafkajs: MESSAGE_TOO_LARGE', false, () => kafkaProtocolError('MESSAGE_TOO_LARGE', 10, false)],
    // --- this bus and wrappers ---
    ['bus: closed while the handler publishes', true, () => new BusClosedError()],
    ['bus: DLQ write failed', true, () => new DeadLetterPublishError('t.dlq', new KafkaJSConnectionError('down'))],
    [
      'an Error whose cause is a refused connection',
      true,
      () => new Error('could not save', { cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }) }),
    ],
    [
      'an AggregateError with a refused connection',
      true,
      () => new AggregateError([new TypeError('x'), Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })]),
    ],
    // --- the record's content or the handler's logic ---
    ['plain Error', false, () => new Error('provider said no')],
    ['TypeError in the handler', false, () => new TypeError("Cannot read properties of undefined (reading 'to')")],
    ['JSON SyntaxError', false, () => new SyntaxError('Unexpected token } in JSON at position 4')],
    ['a string thrown', false, () => 'boom'],
    ['undefined thrown', false, () => undefined],
    ['a message that merely mentions a connection', false, () => new Error('connection string is invalid')],
  ];

  it.each(table)('%s → infrastructure: %s', (_what, expected, make) => {
    expect(isInfrastructureError(make())).toBe(expected);
  });

  it('follows a cycle of causes without looping', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(isInfrastructureError(a)).toBe(false);
  });

  it('classifies a record error that wraps an outage as the record (NonRetriable wins)', () => {
    const outage = Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
    expect(classifyHandlerError(new NonRetriableError('invalid payload', { cause: outage }))).toBe('record');
    expect(classifyHandlerError(Object.assign(new Error('contract'), { nonRetriable: true, cause: outage }))).toBe(
      'record',
    );
    expect(classifyHandlerError(outage)).toBe('infrastructure');
    expect(classifyHandlerError(new Error('logic'))).toBe('record');
  });
});
