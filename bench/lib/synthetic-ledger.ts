import { randomUUID } from 'node:crypto';
import mysql from 'mysql2/promise';
import { migrateSlice } from '@sms/persistence';
import { INTAKE_MIGRATIONS } from '../../libs/intake/feature/src/database/intake.schema';
import { v7 as uuidv7 } from 'uuid';

/** One seeded message and its stored events' ids. */
export interface SeededMessage {
  readonly id: string;
  readonly events: string[];
}

/**
 * `count` ledger messages in `status` (at `rank`), four stored `sent` events each, written 500 at a time with
 * `created_at` `at`, then the tables analysed: the data the status applier's batch benches read and move.
 */
export async function seedLedger(
  connection: mysql.Connection,
  count: number,
  state: { readonly status: string; readonly rank: number; readonly at: Date },
): Promise<SeededMessage[]> {
  const messages: SeededMessage[] = [];
  for (let start = 0; start < count; start += 500) {
    const chunk = Array.from({ length: Math.min(500, count - start) }, () => ({
      id: uuidv7(),
      events: Array.from({ length: 4 }, () => uuidv7()),
    }));
    const { status, rank, at } = state;
    await connection.query(
      `INSERT INTO sms_messages (id, status, status_rank, to_number, country, body, encoding, segments,
       message_class, attempt, created_at, updated_at) VALUES ?`,
      [
        chunk.map((m) => [
          m.id,
          status,
          rank,
          '+447400123400',
          'GB',
          'Your code is 123456',
          'GSM7',
          1,
          'transactional',
          1,
          at,
          at,
        ]),
      ],
    );
    await connection.query(
      'INSERT INTO message_events (event_id, message_id, status, source, applied, occurred_at) VALUES ?',
      [chunk.flatMap((m) => m.events.map((e) => [e, m.id, 'sent', 'send-worker', 1, at]))],
    );
    messages.push(...chunk);
  }
  await connection.query('ANALYZE TABLE sms_messages, message_events');

  return messages;
}

/**
 * Runs `use` against a database of its own on the server of `serverUrl` (any path ignored), with intake's
 * migrations applied (the ledger partitioned by month on MySQL), and drops the database afterwards.
 */
export async function withIntakeBenchDatabase(
  serverUrl: string,
  prefix: string,
  use: (databaseUrl: string) => Promise<void>,
): Promise<void> {
  const database = `${prefix}_${randomUUID().slice(0, 8)}`;
  const url = new URL(serverUrl);
  url.pathname = '';
  const root = await mysql.createConnection(url.toString());
  await root.query(`CREATE DATABASE ${database}`);
  url.pathname = `/${database}`;
  try {
    await migrateSlice(url.toString(), 'intake', INTAKE_MIGRATIONS);
    await use(url.toString());
  } finally {
    await root.query(`DROP DATABASE IF EXISTS ${database}`);
    await root.end();
  }
}
