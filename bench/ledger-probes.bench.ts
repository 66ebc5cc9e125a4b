/**
 * MariaDB's work for one status batch on the partitioned ledger: the status applier's batch read (under row
 * locks) and its one joined UPDATE, as one transaction, with and without naming the partitions (the
 * created_at window of the ids' UUIDv7 times and the events' occurred_at span in the read, the rows'
 * created_at span in the UPDATE). A database of its own with intake's migrations (the ledger partitioned by
 * month: the current month, three ahead and the catch-all), BENCH_PAST_MONTHS more months before the
 * current one (a ledger that keeps history), BENCH_MESSAGES messages of four events; each batch takes
 * BENCH_BATCH random messages and three event ids per message (two stored, one new) and moves every
 * message's rank by one. Per batch: mariadbd's CPU from /proc (BENCH_MARIADB_PID: a server of the bench's
 * own) and the handler calls from the session's status counters, which do not depend on the box's load;
 * three alternating rounds of BENCH_BATCHES batches after 100 of warm-up, medians printed.
 *
 *   MYSQL_URL=mysql://root@127.0.0.1:3437/ BENCH_MARIADB_PID=<pid> \
 *     node -r ./scripts/register.js bench/ledger-probes.bench.ts
 */
import mysql from 'mysql2/promise';
import { v7 as uuidv7 } from 'uuid';
import { addMonths, monthOf, partitionDefinitions, partitionNameOf, type SqlRunner } from '@sms/persistence';
import { createdWindowOfIds, windowAround } from '../libs/intake/feature/src/ledger/partition-window';
import { BatchLedger, type LedgerRow } from '../libs/intake/feature/src/status/batch-ledger';
import { batchMessagesRead } from '../libs/intake/feature/src/status/batch-messages-read';
import { cpuMsOf } from './lib/process-cpu';
import { seedLedger, withIntakeBenchDatabase } from './lib/synthetic-ledger';

const URL_TEXT = process.env['MYSQL_URL'] ?? 'mysql://root@127.0.0.1:3306/';
const PID = Number(process.env['BENCH_MARIADB_PID'] ?? 0);
const MESSAGES = Number(process.env['BENCH_MESSAGES'] ?? 20_000);
const BATCH = Number(process.env['BENCH_BATCH'] ?? 26);
const BATCHES = Number(process.env['BENCH_BATCHES'] ?? 1_000);
const PAST_MONTHS = Number(process.env['BENCH_PAST_MONTHS'] ?? 0);

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** The SqlRunner the BatchLedger writes through, over one mysql2 connection. */
function runnerOf(connection: mysql.Connection): SqlRunner {
  return {
    mysql: true,
    query: async <T>(sql: string, parameters?: readonly unknown[]) =>
      (await connection.query(sql, parameters as unknown[]))[0] as T[],
    execute: async (sql, parameters) =>
      ((await connection.query(sql, parameters as unknown[]))[0] as mysql.ResultSetHeader).affectedRows,
    write: async (sql, parameters) => {
      await connection.query(sql, parameters as unknown[]);
    },
    insert: () => Promise.reject(new Error('not used')),
    value: (value) => value,
  };
}

async function handlerCalls(connection: mysql.Connection): Promise<number> {
  const [rows] = await connection.query("SHOW SESSION STATUS LIKE 'Handler_read%'");

  return (rows as { Value: string }[]).reduce((sum, row) => sum + Number(row.Value), 0);
}

async function main(): Promise<void> {
  if (!PID) {
    throw new Error("BENCH_MARIADB_PID is required (the pid of a mariadbd of the bench's own)");
  }
  await withIntakeBenchDatabase(URL_TEXT, 'bench_lp', async (databaseUrl) => {
    const connection = await mysql.createConnection({ uri: databaseUrl, timezone: 'Z' });
    if (PAST_MONTHS > 0) {
      const current = monthOf(new Date());
      const months = Array.from({ length: PAST_MONTHS + 1 }, (_, i) => addMonths(current, i - PAST_MONTHS));
      for (const table of ['sms_messages', 'message_events']) {
        await connection.query(
          `ALTER TABLE ${table} REORGANIZE PARTITION ${partitionNameOf(current)} INTO (${partitionDefinitions(months, false)})`,
        );
      }
    }
    const now = new Date();
    const messages = await seedLedger(connection, MESSAGES, { status: 'sent', rank: 3, at: now });
    const sql = runnerOf(connection);
    const batch = async (named: boolean): Promise<void> => {
      const picked = new Map<string, { id: string; events: string[] }>();
      while (picked.size < BATCH) {
        const message = messages[Math.floor(Math.random() * messages.length)]!;
        picked.set(message.id, message);
      }
      const ids = [...picked.keys()];
      const eventIds = [...picked.values()].flatMap((m) => [m.events[0]!, m.events[1]!, uuidv7()]);
      const read = batchMessagesRead(
        ids,
        eventIds,
        true,
        named ? { created: createdWindowOfIds(ids), occurred: windowAround([now, new Date()]) } : {},
      );
      await connection.query('START TRANSACTION');
      const [rows] = await connection.query(read.sql, read.parameters);
      const ledger = new BatchLedger(
        new Map(
          (rows as { id: string; status_rank: number; created_at: Date }[]).map((row): [string, LedgerRow] => [
            row.id,
            {
              statusRank: row.status_rank,
              providerMessageId: null,
              dlrFallbacks: 0,
              ...(named && { createdAt: row.created_at }),
            },
          ]),
        ),
      );
      const at = new Date();
      for (const row of rows as { id: string; status_rank: number }[]) {
        ledger.move(row.id, row.status_rank + 1, { status_rank: row.status_rank + 1, updated_at: at });
      }
      await ledger.flush(sql);
      await connection.query('COMMIT');
    };
    const ways: Record<string, boolean> = { 'by id alone (before)': false, 'partitions named': true };
    for (const named of Object.values(ways)) {
      for (let i = 0; i < 100; i++) {
        await batch(named);
      }
    }
    const cpu: Record<string, number[]> = {};
    const handlers: Record<string, number[]> = {};
    for (let round = 0; round < 3; round++) {
      for (const [name, named] of Object.entries(ways)) {
        const calls = await handlerCalls(connection);
        const before = cpuMsOf(PID);
        for (let i = 0; i < BATCHES; i++) {
          await batch(named);
        }
        (cpu[name] ??= []).push(((cpuMsOf(PID) - before) * 1000) / BATCHES);
        (handlers[name] ??= []).push(((await handlerCalls(connection)) - calls) / BATCHES);
      }
    }
    const [partitions] = await connection.query(
      "SELECT COUNT(*) AS n FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'sms_messages'",
    );
    await connection.end();
    console.log(
      `status batch (read + joined UPDATE): ${MESSAGES} messages, ${(partitions as { n: number }[])[0]?.n} partitions, ${BATCH} per batch, ${BATCH * 3} event ids`,
    );
    for (const name of Object.keys(ways)) {
      const values = cpu[name]!;
      console.log(
        `  ${name.padEnd(22)} mariadbd ${median(values).toFixed(0)} us per batch (rounds ${values.map((v) => v.toFixed(0)).join(', ')}), ` +
          `handler reads ${median(handlers[name]!).toFixed(0)} per batch; transaction included`,
      );
    }
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
