/**
 * better-sqlite3 alone: what the order of event ids costs the ledger's event table. Transactions of B
 * messages, each with the four events an embedded message records (accepted, sent, and two receipts), into
 * a table shaped like `message_events` (an integer key, a unique index on `event_id`, an index on
 * (message_id, id)), one database per way, after PRE messages of warm-up in each. Ways: `random` (every id
 * random, as before), `minted` (the two ids the gateway mints are UUIDv7, the receipts' ids hashed as
 * before), `ordered` (every id in time order). Prints the CPU milliseconds per message of each way, medians
 * of 7 alternating runs of T transactions.
 *
 *   node -r ./scripts/register.js bench/sqlite-event-ids.bench.ts
 *
 * Env (defaults): B 16, T 200, PRE 20000.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { v7 as uuidv7 } from 'uuid';

const B = Number(process.env['B'] ?? 16);
const T = Number(process.env['T'] ?? 200);
const PRE = Number(process.env['PRE'] ?? 20_000);
const WAYS = ['random', 'minted', 'ordered'] as const;
type Way = (typeof WAYS)[number];

const directory = mkdtempSync(path.join(tmpdir(), 'sqlite-event-ids-'));
const hashed = (name: string): string => {
  const hex = createHash('sha256').update(name).digest('hex');

  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};
const idsOf: Record<Way, (messageId: string) => string[]> = {
  random: () => [randomUUID(), randomUUID(), hashed(`${randomUUID()}:0`), hashed(`${randomUUID()}:0`)],
  minted: (m) => [uuidv7(), uuidv7(), hashed(`${uuidv7()}:0:${m}`), hashed(`${uuidv7()}:0:${m}`)],
  ordered: () => [uuidv7(), uuidv7(), uuidv7(), uuidv7()],
};

function open(way: Way): (batches: number) => number {
  const db = new Database(path.join(directory, `${way}.sqlite`));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(
    'CREATE TABLE message_events (id integer PRIMARY KEY AUTOINCREMENT, event_id varchar(36) NOT NULL, ' +
      'message_id varchar(36) NOT NULL, status varchar(16) NOT NULL, source varchar(16) NOT NULL, ' +
      'applied boolean NOT NULL, occurred_at datetime NOT NULL, detail varchar(512))',
  );
  db.exec('CREATE UNIQUE INDEX uq_message_events_event ON message_events (event_id)');
  db.exec('CREATE INDEX ix_message_events_message ON message_events (message_id, id)');
  const insert = db.prepare(
    'INSERT INTO message_events (event_id, message_id, status, source, applied, occurred_at, detail) VALUES (?,?,?,?,?,?,?)',
  );
  const statuses = ['accepted', 'sent', 'sent', 'delivered'];
  const write = db.transaction((messages: readonly string[][]) => {
    for (const [messageId, ...eventIds] of messages) {
      eventIds.forEach((eventId, index) =>
        insert.run(eventId, messageId, statuses[index], 'dlr', 1, '2026-12-07 10:00:00.000', 'delivered'),
      );
    }
  });
  const batch = (): string[][] =>
    Array.from({ length: B }, () => {
      const messageId = uuidv7();

      return [messageId, ...idsOf[way](messageId)];
    });
  for (let i = 0; i < PRE / B; i++) {
    write(batch());
  }

  return (batches) => {
    const prepared = Array.from({ length: batches }, batch);
    const start = process.cpuUsage();
    for (const messages of prepared) {
      write(messages);
    }
    const used = process.cpuUsage(start);

    return (used.user + used.system) / 1000 / (batches * B);
  };
}

const runs = Object.fromEntries(WAYS.map((way) => [way, open(way)])) as Record<Way, (batches: number) => number>;
const results = Object.fromEntries(WAYS.map((way) => [way, [] as number[]])) as Record<Way, number[]>;
for (let i = 0; i < 7; i++) {
  for (const way of WAYS) {
    results[way].push(runs[way](T));
  }
}
rmSync(directory, { recursive: true, force: true });
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
console.log(`message_events, ${B} messages × 4 events per transaction, ${T} transactions per run, ${PRE} before`);
for (const way of WAYS) {
  console.log(
    `  ${way.padEnd(8)} ${median(results[way]).toFixed(4)} ms CPU per message (runs ${results[way].map((v) => v.toFixed(4)).join(', ')})`,
  );
}
