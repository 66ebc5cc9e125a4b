/**
 * What folding a transaction's statements into one packet would save, on MariaDB: a transaction of three
 * multi-row INSERTs (BENCH_ROWS rows each, as intake's accept path writes sms_messages, message_events and
 * the outbox) sent as five round trips (START TRANSACTION, the INSERTs, COMMIT), against one query holding
 * all five (mysql2 `multipleStatements`). CPU per transaction of this process (process.cpuUsage) and of
 * mariadbd (BENCH_MARIADB_PID, utime+stime from /proc: use a server of the bench's own, the shared one
 * serves other work). Three alternating rounds of BENCH_TXNS transactions each, after 200 of warm-up.
 * BENCH_WAYS (comma-separated, default `separate,one packet`) picks the ways: also `prepared` (the five
 * round trips with each INSERT a prepared statement) and `select text` / `select prepared` (a read of
 * BENCH_ROWS primary keys, as text and as a prepared statement).
 *
 *   MYSQL_URL=mysql://root@127.0.0.1:3417/ BENCH_MARIADB_PID=<pid> \
 *     node -r ./scripts/register.js bench/mysql-round-trips.bench.ts
 */
import { randomUUID } from 'node:crypto';
import mysql from 'mysql2/promise';
import { cpuMsOf } from './lib/process-cpu';

const URL_TEXT = process.env['MYSQL_URL'] ?? 'mysql://root@127.0.0.1:3306/';
const PID = Number(process.env['BENCH_MARIADB_PID'] ?? 0);
const ROWS = Number(process.env['BENCH_ROWS'] ?? 2);
const TXNS = Number(process.env['BENCH_TXNS'] ?? 3000);
const TABLES = ['bench_a', 'bench_b', 'bench_c'] as const;

const ownMs = (): number => {
  const usage = process.cpuUsage();

  return (usage.user + usage.system) / 1000;
};

async function main(): Promise<void> {
  const database = `bench_rt_${randomUUID().slice(0, 8)}`;
  const url = new URL(URL_TEXT);
  url.pathname = '';
  const root = await mysql.createConnection(url.toString());
  await root.query(`CREATE DATABASE ${database}`);
  await root.end();
  url.pathname = `/${database}`;
  const connection = await mysql.createConnection({ uri: url.toString(), multipleStatements: true });
  try {
    for (const table of TABLES) {
      await connection.query(`CREATE TABLE ${table} (id CHAR(36) PRIMARY KEY, v VARCHAR(200))`);
    }
    const rows = (): string[][] => Array.from({ length: ROWS }, () => [randomUUID(), 'x'.repeat(100)]);
    const placeholders = Array.from({ length: ROWS }, () => '(?,?)').join(',');
    const ids = (): string[] => Array.from({ length: ROWS }, () => randomUUID());
    const inList = Array.from({ length: ROWS }, () => '?').join(',');
    const all: Record<string, () => Promise<unknown>> = {
      separate: async () => {
        await connection.query('START TRANSACTION');
        for (const table of TABLES) {
          await connection.query(`INSERT INTO ${table} (id, v) VALUES ?`, [rows()]);
        }
        await connection.query('COMMIT');
      },
      // The same round trips, each INSERT a prepared statement (binary protocol, mysql2's statement cache).
      prepared: async () => {
        await connection.query('START TRANSACTION');
        for (const table of TABLES) {
          await connection.execute(`INSERT INTO ${table} (id, v) VALUES ${placeholders}`, rows().flat());
        }
        await connection.query('COMMIT');
      },
      // A read of ROWS ids by primary key, as text and as a prepared statement.
      'select text': () => connection.query(`SELECT id, v FROM bench_a WHERE id IN (${inList})`, ids()),
      'select prepared': () => connection.execute(`SELECT id, v FROM bench_a WHERE id IN (${inList})`, ids()),
      'one packet': () =>
        connection.query(
          `START TRANSACTION; ${TABLES.map((table) => `INSERT INTO ${table} (id, v) VALUES ?;`).join(' ')} COMMIT`,
          TABLES.map(() => rows()),
        ),
    };
    const chosen = (process.env['BENCH_WAYS'] ?? 'separate,one packet').split(',');
    const ways = Object.fromEntries(Object.entries(all).filter(([name]) => chosen.includes(name)));
    for (let round = 1; round <= 3; round++) {
      for (const [name, run] of Object.entries(ways)) {
        for (let i = 0; i < 200; i++) {
          await run();
        }
        const [server, own] = [PID ? cpuMsOf(PID) : 0, ownMs()];
        for (let i = 0; i < TXNS; i++) {
          await run();
        }
        const perTxn = (ms: number): string => ((ms * 1000) / TXNS).toFixed(1);
        console.log(
          `round ${round} ${name}: ${ROWS} rows per table, client ${perTxn(ownMs() - own)} µs/transaction` +
            (PID ? `, mariadbd ${perTxn(cpuMsOf(PID) - server)} µs/transaction` : ''),
        );
      }
    }
  } finally {
    await connection.query(`DROP DATABASE ${database}`);
    await connection.end();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
