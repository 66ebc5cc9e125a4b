import { isNonRetriable } from './bus.errors';

/**
 * Tells an outage of something a handler depends on (its database, Redis, the Kafka producer) from a
 * failure caused by the record itself. The bus retries the first kind for as long as it lasts and never
 * dead-letters a record for it: the record is fine, and a DLQ copy would only need replaying by hand once
 * the dependency is back. Everything not recognised here is treated as a failure of the record's content
 * (the bounded attempts, then the DLQ), so an unknown error can never stall a partition forever.
 *
 * The shapes matched are what the libraries really throw (infrastructure-error.spec.ts produces most of
 * them from the libraries themselves): mysql2 (through TypeORM's QueryFailedError, which copies the driver
 * error's `code` and keeps it as `driverError`), better-sqlite3's SqliteError, ioredis, and kafkajs.
 */

/** Node socket errors and mysql2's client-side codes: the connection is gone or never came up. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'PROTOCOL_ENQUEUE_AFTER_QUIT',
  'POOL_CLOSED',
  'POOL_ENQUEUELIMIT',
]);

/**
 * MySQL/MariaDB server errors that say the server cannot take the statement now, not that the statement is
 * wrong: too many connections, lock wait timeout and deadlock (the manual: re-issue the transaction), a
 * read-only server (failover in progress), shutdown, and connections or statements killed by the server.
 */
const MYSQL_SERVER_CODES = new Set([
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_LOCK_DEADLOCK',
  'ER_OPTION_PREVENTS_STATEMENT',
  'ER_READ_ONLY_MODE',
  'ER_SERVER_SHUTDOWN',
  'ER_NET_READ_ERROR',
  'ER_NET_READ_INTERRUPTED',
  'ER_NET_ERROR_ON_WRITE',
  'ER_NET_WRITE_INTERRUPTED',
  'ER_QUERY_INTERRUPTED',
  'ER_CONNECTION_KILLED',
  'ER_STATEMENT_TIMEOUT',
  'ER_CLIENT_INTERACTION_TIMEOUT',
]);

/** The same conditions by MySQL error number, for wrappers that keep `errno` but not the code name. */
const MYSQL_ERRNOS = new Set([
  1040, // ER_CON_COUNT_ERROR
  1053, // ER_SERVER_SHUTDOWN
  1158, // ER_NET_READ_ERROR
  1159, // ER_NET_READ_INTERRUPTED
  1160, // ER_NET_ERROR_ON_WRITE
  1161, // ER_NET_WRITE_INTERRUPTED
  1203, // ER_TOO_MANY_USER_CONNECTIONS
  1205, // ER_LOCK_WAIT_TIMEOUT
  1213, // ER_LOCK_DEADLOCK
  1290, // ER_OPTION_PREVENTS_STATEMENT (--read-only, --super-read-only)
  1317, // ER_QUERY_INTERRUPTED
  1836, // ER_READ_ONLY_MODE
  1927, // ER_CONNECTION_KILLED (MariaDB)
  1969, // ER_STATEMENT_TIMEOUT (MariaDB)
  2002, // CR_CONNECTION_ERROR
  2003, // CR_CONN_HOST_ERROR
  2006, // CR_SERVER_GONE_ERROR
  2013, // CR_SERVER_LOST
  4031, // ER_CLIENT_INTERACTION_TIMEOUT
]);

/**
 * SQLite extended codes start with their primary code: SQLITE_BUSY_SNAPSHOT, SQLITE_IOERR_WRITE, ... Busy
 * and locked mean another connection holds the lock; I/O, full disk and out-of-memory are the host's.
 */
const SQLITE_PREFIXES = [
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_IOERR',
  'SQLITE_FULL',
  'SQLITE_NOMEM',
  'SQLITE_PROTOCOL',
];

/** Redis replies that mean "not now" (a loading replica, a failover, a full server), not a bad command. */
const REDIS_REPLY = /^(LOADING|READONLY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|BUSY|NOREPLICAS|OOM)\b/;

/** ioredis rejects these without a code once the connection is down or its retries are spent. */
const REDIS_MESSAGES = new Set([
  'Connection is closed.',
  "Stream isn't writeable and enableOfflineQueue options is false",
  'None of startup nodes is available',
]);

/** Class names thrown by the clients when they cannot reach their server. */
const INFRASTRUCTURE_NAMES = new Set([
  // ioredis
  'MaxRetriesPerRequestError',
  'ClusterAllFailedError',
  // kafkajs: retries spent (its cause is the retriable error), or no broker to talk to
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSTimeout',
  'KafkaJSLockTimeout',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSBrokerNotFound',
  'KafkaJSMetadataNotLoaded',
  // TypeORM: the DataSource is not (or no longer) connected
  'CannotExecuteNotConnectedError',
  'ConnectionIsNotSetError',
  // this bus: closing (the record is left for the next owner) or the DLQ write failed
  'BusClosedError',
  'DeadLetterPublishError',
]);

/** mysql2's pool rejects with plain Errors once it is closed or its queue is full. */
const MYSQL_POOL_MESSAGES = new Set(['Pool is closed.', 'Queue limit reached.']);

/** How deep to follow `cause`, `driverError` and aggregate members; wrappers rarely nest more. */
const MAX_DEPTH = 6;

interface ErrorLike {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
  readonly errno?: unknown;
  readonly retriable?: unknown;
  readonly cause?: unknown;
  readonly driverError?: unknown;
  readonly originalError?: unknown;
  readonly errors?: unknown;
}

function isInfrastructureNode(node: ErrorLike): boolean {
  const name = typeof node.name === 'string' ? node.name : '';
  const message = typeof node.message === 'string' ? node.message : '';
  const code = typeof node.code === 'string' ? node.code : undefined;
  if (code !== undefined) {
    if (CONNECTION_CODES.has(code) || MYSQL_SERVER_CODES.has(code)) {
      return true;
    }
    if (SQLITE_PREFIXES.some((prefix) => code === prefix || code.startsWith(`${prefix}_`))) {
      return true;
    }
  }
  if (typeof node.errno === 'number' && MYSQL_ERRNOS.has(node.errno) && code?.startsWith('SQLITE') !== true) {
    return true;
  }
  if (INFRASTRUCTURE_NAMES.has(name)) {
    return true;
  }
  // Any other kafkajs error the client itself marks retriable (leader moved, not enough replicas, ...).
  if (name.startsWith('KafkaJS') && node.retriable === true) {
    return true;
  }
  if (name === 'ReplyError' && REDIS_REPLY.test(message)) {
    return true;
  }

  return REDIS_MESSAGES.has(message) || MYSQL_POOL_MESSAGES.has(message);
}

/**
 * True when `error` (or anything it wraps: `cause`, TypeORM's `driverError`, kafkajs' `originalError`, the
 * members of an AggregateError) is an infrastructure error as described above.
 */
export function isInfrastructureError(error: unknown): boolean {
  const seen = new Set<unknown>();
  const visit = (node: unknown, depth: number): boolean => {
    if (typeof node !== 'object' || node === null || depth > MAX_DEPTH || seen.has(node)) {
      return false;
    }
    seen.add(node);
    const candidate = node as ErrorLike;
    if (isInfrastructureNode(candidate)) {
      return true;
    }
    const members = Array.isArray(candidate.errors) ? (candidate.errors as unknown[]) : [];

    return [candidate.cause, candidate.driverError, candidate.originalError, ...members].some((inner) =>
      visit(inner, depth + 1),
    );
  };

  return visit(error, 0);
}

/** What the bus does with a handler's error. */
export type HandlerErrorClass = 'infrastructure' | 'record';

/**
 * An error that says it is about the record (NonRetriableError, `nonRetriable: true`) is about the record
 * even when it wraps a connection error; everything else is an outage when {@link isInfrastructureError}.
 */
export function classifyHandlerError(error: unknown): HandlerErrorClass {
  if (isNonRetriable(error)) {
    return 'record';
  }

  return isInfrastructureError(error) ? 'infrastructure' : 'record';
}
