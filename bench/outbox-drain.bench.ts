/**
 * The outbox relay's drain alone on SQLite, in this process: K rows written in a transaction of their own
 * (as intake's group commit does), then one OutboxRelay.drainOnce to a no-op publisher, T times. Prints the
 * CPU microseconds per drain (the writes excluded), medians of ROUNDS runs. The drain's statements and its
 * commit are what it measures; copy the file into another checkout to compare.
 *
 *   node -r ./scripts/register.js bench/outbox-drain.bench.ts
 *
 * Env (defaults): K 3, T 2000, ROUNDS 7.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServiceDataSource, enqueueOutboxWith, inSqlTransaction, OutboxRelay } from '@sms/persistence';
import { INTAKE_ENTITIES, INTAKE_MIGRATIONS, INTAKE_OUTBOX } from '../libs/intake/feature/src/database/intake.schema';

const K = Number(process.env['K'] ?? 3);
const T = Number(process.env['T'] ?? 2000);
const ROUNDS = Number(process.env['ROUNDS'] ?? 7);

/** An accepted event's size, as intake writes it. */
const value = {
  messageId: '019b0000-0000-7000-8000-000000000000',
  accountId: 'acct_bench',
  attempt: 1,
  to: '+4915112345678',
  from: 'Bench',
  country: 'DE',
  body: 'Your code is 123456. It expires in 10 minutes.',
  encoding: 'GSM7',
  segments: 1,
  acceptedAt: new Date().toISOString(),
};

async function main(): Promise<void> {
  const directory = mkdtempSync(path.join(tmpdir(), 'outbox-drain-bench-'));
  const dataSource = await createServiceDataSource({
    service: 'intake',
    database: { kind: 'sqlite', directory },
    entities: INTAKE_ENTITIES,
    migrations: INTAKE_MIGRATIONS,
  }).initialize();
  try {
    let published = 0;
    const relay = new OutboxRelay({
      dataSource,
      schema: INTAKE_OUTBOX,
      publish: async (records) => {
        published += records.length;
      },
    });
    const round = async (): Promise<number> => {
      let cpuUs = 0;
      for (let t = 0; t < T; t++) {
        await inSqlTransaction(dataSource, (sql) =>
          enqueueOutboxWith(
            sql,
            INTAKE_OUTBOX,
            Array.from({ length: K }, (_, i) => ({ topic: 'sms.accepted.v1', key: `m${i}`, value, headers: {} })),
            new Date(),
          ),
        );
        const started = process.cpuUsage();
        await relay.drainOnce();
        const used = process.cpuUsage(started);
        cpuUs += used.user + used.system;
      }

      return cpuUs / T;
    };
    await round();
    const results: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      results.push(await round());
    }
    const median = [...results].sort((a, b) => a - b)[results.length >> 1] ?? 0;
    process.stdout.write(
      `${JSON.stringify({ rowsPerDrain: K, drains: T, published, cpuUsPerDrain: Number(median.toFixed(1)) })}\n`,
    );
  } finally {
    await dataSource.destroy();
    rmSync(directory, { recursive: true, force: true });
  }
}

void main();
