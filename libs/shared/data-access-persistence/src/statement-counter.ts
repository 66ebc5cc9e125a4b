import { Counter } from 'prom-client';
import { metricsRegistry } from '@sms/metrics';

/**
 * SQL statements sent to the drivers, counted where every caller passes (TypeORM, raw prepared statements,
 * migrations): every Query and Execute command a mysql2 connection queues (`query`, `execute`, a prepared
 * statement's `execute`, through pools and the promise API alike) and better-sqlite3's statement
 * `run`/`get`/`all`/`iterate` and database `exec`. The end-to-end bench reads it from /metrics as statements
 * per message, whatever layer above the driver issues them. Opt-in (SQL_STATEMENT_COUNTING=1): wrapping the prototypes adds a call per
 * statement, which a production process should not pay for a figure only the bench reads.
 */
export const STATEMENT_COUNTING_ENV = 'SQL_STATEMENT_COUNTING';

let counter: Counter<'driver' | 'method'> | undefined;

/** The counter once counting is installed; undefined otherwise. */
export function sqlStatementCounter(): Counter<'driver' | 'method'> | undefined {
  return counter;
}

type Method = (...args: unknown[]) => unknown;

/**
 * Replaces `proto[name]` (found up the prototype chain) by a wrapper that calls `count` with the call's
 * arguments before the original, once however often it is installed.
 */
function wrap(proto: object, name: string, count: (args: unknown[]) => void): void {
  let owner: object | null = proto;
  while (owner && !Object.prototype.hasOwnProperty.call(owner, name)) {
    owner = Object.getPrototypeOf(owner) as object | null;
  }
  if (!owner) {
    return;
  }
  const original = (owner as Record<string, Method>)[name] as Method & { count?: (args: unknown[]) => void };
  if (typeof original !== 'function') {
    return;
  }
  if (original.count) {
    // Wrapped by an earlier install: the latest install's counter counts from now on.
    original.count = count;

    return;
  }
  const counted = function (this: unknown, ...args: unknown[]): unknown {
    counted.count?.(args);

    return original.apply(this, args);
  } as Method & { count?: (args: unknown[]) => void; countedStatements?: true };
  counted.count = count;
  counted.countedStatements = true;
  Object.defineProperty(owner, name, { value: counted, writable: true, configurable: true });
}

/** mysql2's command classes that carry a statement to the server (Prepare, Ping, Quit and the like do not). */
const MYSQL_STATEMENT_COMMANDS: Readonly<Record<string, string>> = { Query: 'query', Execute: 'execute' };

/**
 * Installs the counting wrappers (idempotent) and registers `sms_sql_statements_total` on the metrics registry.
 * The drivers are imported here, not at the top, so a process that does not count loads neither for it.
 */
export async function installStatementCounting(): Promise<Counter<'driver' | 'method'>> {
  const [{ default: mysql }, { default: Database }] = await Promise.all([import('mysql2'), import('better-sqlite3')]);
  if (!counter) {
    counter = new Counter({
      name: 'sms_sql_statements_total',
      help: 'SQL statements passed to the database drivers, by driver and call (opt-in: SQL_STATEMENT_COUNTING=1)',
      labelNames: ['driver', 'method'] as const,
      registers: [metricsRegistry],
    });
  }
  const count = counter;
  // Every command a connection runs passes addCommand: a prepared statement's execute does not go through
  // the connection's execute, so counting there would miss it.
  wrap(mysql.Connection.prototype, 'addCommand', ([command]) => {
    const method = MYSQL_STATEMENT_COMMANDS[(command as { constructor?: { name?: string } })?.constructor?.name ?? ''];
    if (method) {
      count.labels('mysql', method).inc();
    }
  });
  // better-sqlite3 does not export its Statement class: one statement of a throw-away database reaches it.
  const scratch = new Database(':memory:');
  try {
    const statementProto = Object.getPrototypeOf(scratch.prepare('SELECT 1')) as object;
    for (const name of ['run', 'get', 'all', 'iterate']) {
      wrap(statementProto, name, () => count.labels('sqlite', name).inc());
    }
    wrap(Database.prototype, 'exec', () => count.labels('sqlite', 'exec').inc());
  } finally {
    scratch.close();
  }

  return counter;
}

if (process.env[STATEMENT_COUNTING_ENV] === '1') {
  // Resolved before any data source connects (a module import, while start-up is still wiring modules).
  void installStatementCounting();
}
