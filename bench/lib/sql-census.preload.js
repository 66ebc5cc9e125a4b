/**
 * Which SQLite statements a process runs, by SQL text and by transaction (the embedded gateway's statements
 * per message, stage by stage). Loaded with `-r` into a process that uses better-sqlite3, it counts:
 *
 *  - every statement run (`run`/`get`/`all`/`iterate`, and `exec`), keyed by its SQL text: calls, failures,
 *    rows changed, runs that changed none, wall time inside the driver, and the first frames of our code
 *    that issued it (one stack in 100 is read);
 *  - every transaction, keyed by the database file and its first statement (BEGIN … COMMIT on one
 *    connection), with the statements it held, and every statement run outside one (an autocommit).
 *
 * Written to `$SQL_CENSUS_DIR/<pid>.json` every 2 s and at exit. Summarise with
 * `node -r ./scripts/register.js bench/lib/sql-census-summary.ts <file>`. Measurement only: the wrappers
 * and stacks cost CPU, so read CPU in runs without it. Example (embedded e2e bench):
 *
 *   SQL_CENSUS_DIR=tmp/sql-census NODE_OPTIONS="-r ./bench/lib/sql-census.preload.js" \
 *     npm run bench -- --only=e2e --mode=embedded --kannel=false --runs=1 --duration=10
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const dir = process.env.SQL_CENSUS_DIR;
const STACK_EVERY = 100;
/** Statements whose changed rows are counted (BEGIN, COMMIT and DDL change none by nature). */
const WRITES = /^\s*(INSERT|UPDATE|DELETE|REPLACE)\b/i;

if (dir) {
  install();
}

function install() {
  // Resolved from the process's working directory, as the services resolve it.
  const Database = require(require.resolve('better-sqlite3', { paths: [process.cwd()] }));
  const statements = new Map();
  const transactions = new Map();
  const open = new WeakMap();
  const names = new WeakMap();

  const nameOf = (db) => {
    let name = names.get(db);
    if (name === undefined) {
      name = path.basename(String(db.name || 'memory'));
      names.set(db, name);
    }
    return name;
  };
  const short = (sql) => sql.replace(/\s+/g, ' ').trim();

  /** Our frames (libs/, apps/) of the current stack, outermost last, at most four. */
  function callers() {
    return (new Error().stack || '')
      .split('\n')
      .filter((frame) => /\/(libs|apps)\//.test(frame) && !frame.includes('statement-counter'))
      .slice(0, 4)
      .map((frame) => frame.replace(/^\s*at\s+/, '').replace(/\(?\/.*?\/((?:libs|apps)\/)/, '$1'))
      .join(' < ');
  }

  function count(sql, method, changes, micros, failed) {
    let entry = statements.get(sql);
    if (!entry) {
      entry = { sql, calls: 0, failures: 0, changes: 0, unchanged: 0, micros: 0, methods: {}, callers: {} };
      statements.set(sql, entry);
    }
    entry.calls++;
    entry.micros += micros;
    entry.methods[method] = (entry.methods[method] || 0) + 1;
    if (failed) entry.failures++;
    if (changes !== undefined) {
      entry.changes += changes;
      if (changes === 0) entry.unchanged++;
    }
    if (entry.calls === 1 || entry.calls % STACK_EVERY === 0) {
      const at = callers();
      entry.callers[at] = (entry.callers[at] || 0) + 1;
    }
  }

  function track(db, sql) {
    const text = short(sql);
    if (/^BEGIN/i.test(text)) {
      open.set(db, { first: null, statements: 0 });
      return;
    }
    const transaction = open.get(db);
    if (/^(COMMIT|ROLLBACK|END)/i.test(text)) {
      if (transaction) {
        const key = `${nameOf(db)} transaction: ${transaction.first || '(empty)'}`;
        const entry = transactions.get(key) || { key, count: 0, statements: 0 };
        entry.count++;
        entry.statements += transaction.statements;
        transactions.set(key, entry);
        open.delete(db);
      }
      return;
    }
    if (transaction) {
      transaction.first = transaction.first || text.slice(0, 100);
      transaction.statements++;
      return;
    }
    const key = `${nameOf(db)} autocommit: ${text.slice(0, 100)}`;
    const entry = transactions.get(key) || { key, count: 0, statements: 0 };
    entry.count++;
    entry.statements++;
    transactions.set(key, entry);
  }

  const scratch = new Database(':memory:');
  const statementProto = Object.getPrototypeOf(scratch.prepare('SELECT 1'));
  scratch.close();
  for (const method of ['run', 'get', 'all', 'iterate']) {
    const original = statementProto[method];
    statementProto[method] = function censusStatement(...args) {
      const started = process.hrtime.bigint();
      let result;
      try {
        result = original.apply(this, args);
      } catch (error) {
        count(this.source, method, undefined, Number(process.hrtime.bigint() - started) / 1000, true);
        throw error;
      }
      count(
        this.source,
        method,
        method === 'run' && WRITES.test(this.source) ? result.changes : undefined,
        Number(process.hrtime.bigint() - started) / 1000,
        false,
      );
      track(this.database, this.source);
      return result;
    };
  }
  const exec = Database.prototype.exec;
  Database.prototype.exec = function censusExec(sql) {
    const started = process.hrtime.bigint();
    const result = exec.call(this, sql);
    count(sql, 'exec', undefined, Number(process.hrtime.bigint() - started) / 1000, false);
    track(this, sql);
    return result;
  };

  const file = path.join(dir, `${process.pid}.json`);
  const write = () => {
    try {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(
        file,
        JSON.stringify({ statements: [...statements.values()], transactions: [...transactions.values()] }),
      );
    } catch {
      // A census is best effort: never fail the process it measures.
    }
  };
  setInterval(write, 2_000).unref();
  process.on('exit', write);
}
