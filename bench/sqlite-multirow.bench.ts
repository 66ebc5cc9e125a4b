/**
 * better-sqlite3 alone: B rows per transaction inserted as B runs of one cached single-row statement, or as
 * one run of a cached B-row statement, into a table shaped like `message_events` (7 columns, a primary key
 * and one index). Prints the CPU milliseconds per row of each way, medians of 7 alternating runs of T
 * transactions. What joining rows into one statement saves in-process, where there is no round trip.
 *
 *   node -r ./scripts/register.js bench/sqlite-multirow.bench.ts
 *
 * Env (defaults): B 16, T 600.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';

const B = Number(process.env['B'] ?? 16);
const T = Number(process.env['T'] ?? 600);
const COLUMNS = 7;

const directory = mkdtempSync(path.join(tmpdir(), 'sqlite-multirow-'));
const db = new Database(path.join(directory, 'bench.sqlite'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec(
  'CREATE TABLE ev (event_id varchar PRIMARY KEY, message_id varchar NOT NULL, status varchar, source varchar, ' +
    'applied int, occurred_at datetime, detail text)',
);
db.exec('CREATE INDEX ev_message ON ev (message_id, occurred_at)');
const tuple = `(${Array.from({ length: COLUMNS }, () => '?').join(',')})`;
const single = db.prepare(`INSERT INTO ev VALUES ${tuple}`);
const joined = db.prepare(`INSERT INTO ev VALUES ${Array.from({ length: B }, () => tuple).join(',')}`);
const begin = db.prepare('BEGIN');
const commit = db.prepare('COMMIT');
const row = (): unknown[] => [randomUUID(), randomUUID(), 'delivered', 'dlr', 1, '2026-12-07 10:00:00.000', null];

function run(way: 'single' | 'joined'): number {
  const batches = Array.from({ length: T }, () => Array.from({ length: B }, row));
  const start = process.cpuUsage();
  for (const rows of batches) {
    begin.run();
    if (way === 'single') {
      for (const values of rows) {
        single.run(...values);
      }
    } else {
      joined.run(...rows.flat());
    }
    commit.run();
  }
  const used = process.cpuUsage(start);

  return (used.user + used.system) / 1000 / (T * B);
}

const results = { single: [] as number[], joined: [] as number[] };
for (let i = 0; i < 7; i++) {
  results.single.push(run('single'));
  results.joined.push(run('joined'));
}
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1] ?? 0;
console.log(
  JSON.stringify({
    rowsPerTransaction: B,
    cpuMsPerRow: {
      single: Number(median(results.single).toFixed(4)),
      joined: Number(median(results.joined).toFixed(4)),
    },
  }),
);
db.close();
rmSync(directory, { recursive: true, force: true });
