/**
 * Intake's ledger path alone, in this process, on SQLite or MariaDB: N messages written through the
 * LedgerWriter's group commit, published by the OutboxRelay (to a no-op publisher) and moved to `sent`
 * and `delivered` by the StatusApplier, CONC callers at a time. Prints the CPU milliseconds per message
 * of this process for each stage (and MariaDB's, from /proc, when BENCH_MARIADB_PID is given; the server
 * is shared, so other load shows in it). No HTTP, no bus: what intake's own code and its database cost.
 *
 *   node -r ./scripts/register.js bench/intake-ledger.bench.ts
 *
 * Env (defaults): BENCH_DB sqlite|mysql (sqlite), N 3000, CONC 16, BENCH_MARIADB_PID (none), BENCH_PACKED 1 (0:
 * statements one by one, not packed per ADR 0026); MySQL uses
 * a database of its own (MYSQL_URL's server, created and dropped like the integration specs').
 *
 * Ids as the gateway makes them: message ids UUIDv7, the `sent` event's id from newEventId (the
 * send-worker's), the `delivered` event's from receiptEventId over a UUIDv7 stored receipt (dlr-processor's).
 * STATUS_ORDER=mixed applies each group's `sent` events together with the previous group's `delivered` (one
 * status batch then moves messages to both, as in a running gateway) instead of all `sent`, then all `delivered`.
 *
 * EVENT_IDS=random mints the `sent` id with randomUUID instead, as before newEventId: run it so in a tree
 * without newEventId (the copy of this file in a base checkout) to compare with one that has it.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { newEventId, StatusEventKind, StatusEventSource, type StatusChangedV1 } from '@sms/contracts';
import { createServiceDataSource, OutboxRelay } from '@sms/persistence';
import { createTestDatabase } from '@sms/testing';
import { v7 as uuidv7 } from 'uuid';
import { receiptEventId } from '../libs/dlr-processor/feature/src/receipts/receipt-events';
import { INTAKE_ENTITIES, INTAKE_MIGRATIONS, INTAKE_OUTBOX } from '../libs/intake/feature/src/database/intake.schema';
import { LedgerWriter } from '../libs/intake/feature/src/ledger/ledger.writer';
import { validateMessageRequest } from '../libs/intake/feature/src/messages/message-request.validator';
import { StatusApplier } from '../libs/intake/feature/src/status/status-applier.service';
import { migrate } from '../scripts/migrate';

const N = Number(process.env['N'] ?? 3000);
const CONC = Number(process.env['CONC'] ?? 16);
const MARIADB_PID = process.env['BENCH_MARIADB_PID'];
const WARM_UP = 300;
const RANDOM_SENT_IDS = process.env['EVENT_IDS'] === 'random';
const PACKED = process.env['BENCH_PACKED'] !== '0';
const MIXED = process.env['STATUS_ORDER'] === 'mixed';

const ownCpuMs = (): number => {
  const usage = process.cpuUsage();

  return (usage.user + usage.system) / 1000;
};

/** utime + stime of a process, ms (clock ticks of 10 ms). */
const processCpuMs = (pid: string | undefined): number => {
  if (!pid) {
    return 0;
  }
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];

  return (Number(fields[11]) + Number(fields[12])) * 10;
};

async function inGroups<T>(items: readonly T[], size: number, work: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) {
    await Promise.all(items.slice(i, i + size).map(work));
  }
}

const eventIdOf = (messageId: string, kind: StatusEventKind): string => {
  if (kind === StatusEventKind.Delivered) {
    return receiptEventId(uuidv7(), 0, `delivered|SM${messageId}`);
  }

  return RANDOM_SENT_IDS ? randomUUID() : newEventId();
};

const statusEvent = (messageId: string, kind: StatusEventKind, source: StatusEventSource): StatusChangedV1 => ({
  eventId: eventIdOf(messageId, kind),
  messageId,
  kind,
  source,
  attempt: 1,
  provider: 'twilio',
  providerMessageId: `SM${messageId}`,
  errorCode: null,
  errorMessage: null,
  errorClass: null,
  ambiguous: null,
  cost: null,
  currency: null,
  detail: null,
  occurredAt: new Date().toISOString(),
});

async function main(): Promise<void> {
  const mysql = process.env['BENCH_DB'] === 'mysql';
  const directory = mkdtempSync(path.join(tmpdir(), 'intake-ledger-bench-'));
  const database = mysql ? await createTestDatabase() : null;
  if (database) {
    await migrate(database.url, ['intake']);
  }
  const dataSource = await createServiceDataSource({
    service: 'intake',
    database: database ? { kind: 'mysql', url: database.url, poolSize: 10 } : { kind: 'sqlite', directory },
    entities: INTAKE_ENTITIES,
    migrations: INTAKE_MIGRATIONS,
    // As intake runs (ADR 0026); BENCH_PACKED=0 sends every statement on its own, as before.
    multipleStatements: PACKED,
  }).initialize();
  try {
    const writer = new LedgerWriter(dataSource);
    const relay = new OutboxRelay({ dataSource, schema: INTAKE_OUTBOX, publish: async () => undefined });
    const applier = new StatusApplier(
      dataSource,
      { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 60_000 },
      undefined,
      undefined,
      { schema: INTAKE_OUTBOX, onCommitted: () => undefined },
    );
    const message = validateMessageRequest({ to: '+447400123456', body: 'Your code is 123456' });
    const write = (id: string): Promise<void> =>
      writer.write({ id, message, apiKeyId: null, accountId: 'bench', createdAt: new Date(), traceHeaders: {} });
    const drain = async (): Promise<void> => {
      while ((await relay.drainOnce()) > 0) {
        // until the outbox is empty
      }
    };
    const warm = Array.from({ length: WARM_UP }, () => uuidv7());
    await inGroups(warm, CONC, write);
    await inGroups(warm, CONC, (id) =>
      applier.apply(statusEvent(id, StatusEventKind.Sent, StatusEventSource.SendWorker)),
    );
    await drain();

    const ids = Array.from({ length: N }, () => uuidv7());
    const db0 = processCpuMs(MARIADB_PID);
    const c0 = ownCpuMs();
    await inGroups(ids, CONC, write);
    const c1 = ownCpuMs();
    await drain();
    const c2 = ownCpuMs();
    const sent = (id: string): Promise<unknown> =>
      applier.apply(statusEvent(id, StatusEventKind.Sent, StatusEventSource.SendWorker));
    const delivered = (id: string): Promise<unknown> =>
      applier.apply(statusEvent(id, StatusEventKind.Delivered, StatusEventSource.Dlr));
    if (MIXED) {
      // Each group's `sent` events with the previous group's receipts, as they arrive in a running gateway.
      for (let i = 0; i < N + CONC; i += CONC) {
        await Promise.all([...ids.slice(i, i + CONC).map(sent), ...ids.slice(Math.max(0, i - CONC), i).map(delivered)]);
      }
    } else {
      await inGroups(ids, CONC, sent);
      await inGroups(ids, CONC, delivered);
    }
    const c3 = ownCpuMs();
    const db3 = processCpuMs(MARIADB_PID);
    const perMessage = (ms: number): number => Number((ms / N).toFixed(3));
    console.log(
      JSON.stringify({
        db: mysql ? 'mysql' : 'sqlite',
        n: N,
        concurrency: CONC,
        sentEventIds: RANDOM_SENT_IDS ? 'random' : 'newEventId',
        statusOrder: MIXED ? 'mixed' : 'phases',
        cpuMsPerMessage: {
          ledger: perMessage(c1 - c0),
          relay: perMessage(c2 - c1),
          sentAndDelivered: perMessage(c3 - c2),
          total: perMessage(c3 - c0),
          ...(MARIADB_PID && { mariadb: perMessage(db3 - db0) }),
        },
      }),
    );
  } finally {
    await dataSource.destroy();
    await database?.drop();
    rmSync(directory, { recursive: true, force: true });
  }
}

void main();
