/**
 * MariaDB's CPU for the status applier's read of a batch's messages (batch-messages-read.ts), the statement
 * as the applier sends it against the same statement without its IGNORE INDEX (the optimizer left to weigh
 * the event-id key). A database of its own with intake's migrations (the ledger partitioned by month),
 * BENCH_MESSAGES messages with four events each; each read takes BENCH_BATCH random messages and three event
 * ids per message (two already stored, one new). mariadbd's CPU from /proc (BENCH_MARIADB_PID: use a server
 * of the bench's own, the shared one serves other work) per read, three alternating rounds of BENCH_READS
 * reads each, after 100 of warm-up; medians printed.
 *
 *   MYSQL_URL=mysql://root@127.0.0.1:3427/ BENCH_MARIADB_PID=<pid> \
 *     node -r ./scripts/register.js bench/status-read.bench.ts
 */
import mysql from 'mysql2/promise';
import { v7 as uuidv7 } from 'uuid';
import { batchMessagesRead } from '../libs/intake/feature/src/status/batch-messages-read';
import { cpuMsOf } from './lib/process-cpu';
import { seedLedger, withIntakeBenchDatabase } from './lib/synthetic-ledger';

const URL_TEXT = process.env['MYSQL_URL'] ?? 'mysql://root@127.0.0.1:3306/';
const PID = Number(process.env['BENCH_MARIADB_PID'] ?? 0);
const MESSAGES = Number(process.env['BENCH_MESSAGES'] ?? 20_000);
const BATCH = Number(process.env['BENCH_BATCH'] ?? 26);
const READS = Number(process.env['BENCH_READS'] ?? 1_500);

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function main(): Promise<void> {
  if (!PID) {
    throw new Error("BENCH_MARIADB_PID is required (the pid of a mariadbd of the bench's own)");
  }
  await withIntakeBenchDatabase(URL_TEXT, 'bench_sr', async (databaseUrl) => {
    const connection = await mysql.createConnection(databaseUrl);
    const messages = await seedLedger(connection, MESSAGES, { status: 'delivered', rank: 5, at: new Date() });
    const ways: Record<string, (sql: string) => string> = {
      'as the applier sends it': (sql) => sql,
      'event-id key weighed (before)': (sql) => sql.replace(' IGNORE INDEX (uq_message_events_event)', ''),
    };
    const read = async (way: (sql: string) => string): Promise<void> => {
      const batch = Array.from({ length: BATCH }, () => messages[Math.floor(Math.random() * messages.length)]!);
      const eventIds = batch.flatMap((m) => [m.events[0]!, m.events[1]!, uuidv7()]);
      const statement = batchMessagesRead(
        batch.map((m) => m.id),
        eventIds,
        true,
      );
      await connection.query('START TRANSACTION');
      await connection.query(way(statement.sql), statement.parameters);
      await connection.query('COMMIT');
    };
    const perRead: Record<string, number[]> = {};
    for (const way of Object.values(ways)) {
      for (let i = 0; i < 100; i++) {
        await read(way);
      }
    }
    for (let round = 0; round < 3; round++) {
      for (const [name, way] of Object.entries(ways)) {
        const before = cpuMsOf(PID);
        for (let i = 0; i < READS; i++) {
          await read(way);
        }
        (perRead[name] ??= []).push(((cpuMsOf(PID) - before) * 1000) / READS);
      }
    }
    await connection.end();
    console.log(`status applier's batch read: ${MESSAGES} messages, ${BATCH} per read, ${BATCH * 3} event ids`);
    for (const [name, values] of Object.entries(perRead)) {
      console.log(
        `  ${name.padEnd(32)} mariadbd ${median(values).toFixed(0)} us per read (rounds ${values.map((v) => v.toFixed(0)).join(', ')}), transaction included`,
      );
    }
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
