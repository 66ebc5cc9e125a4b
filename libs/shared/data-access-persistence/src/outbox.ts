import { outsideAnyTrace, withTraceHeaders } from '@sms/tracing';
import { EntitySchema, type DataSource, type EntityManager } from 'typeorm';
import { insertRows } from './bulk-insert';
import { isMysql } from './data-source.factory';
import { inPackedSqlTransaction, packsStatements } from './packed-transaction';
import { inTransaction } from './transaction';
import { withTransactionRetry } from './transient-db-error';
import { type SqlRunner, sqlRunnerOf } from './sql-runner';

/**
 * Transactional outbox (reliability.md "Outbox"): a service writes its state change and the records
 * it must publish in one transaction; the relay publishes them at least once and deletes them. A
 * crash between commit and publish only delays the publish.
 */
export interface OutboxRow {
  id: string;
  topic: string;
  msgKey: string;
  payload: string;
  headers: string | null;
  createdAt: Date;
}

export interface OutboxRecord {
  readonly topic: string;
  readonly key: string;
  readonly value: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** One outbox table per service (`<service>_outbox`), so the one-writer-per-table rule holds. */
export const createOutboxSchema = (tableName: string): EntitySchema<OutboxRow> =>
  new EntitySchema<OutboxRow>({
    name: tableName,
    tableName,
    columns: {
      // 'integer' so SQLite makes it a rowid alias; the MySQL migrations declare bigint.
      id: { type: 'integer', primary: true, generated: 'increment' },
      topic: { type: 'varchar', length: 128 },
      msgKey: { name: 'msg_key', type: 'varchar', length: 255 },
      payload: { type: 'text' },
      headers: { type: 'text', nullable: true },
      createdAt: { name: 'created_at', type: 'datetime', precision: 3 },
    },
  });

const OUTBOX_COLUMNS = ['topic', 'msg_key', 'payload', 'headers', 'created_at'] as const;

const tableOf = (schema: EntitySchema<OutboxRow>): string => schema.options.tableName ?? schema.options.name;

function outboxRows(records: readonly OutboxRecord[], now: Date): unknown[][] {
  return records.map((r) => {
    // The publish happens later in the relay's context: the row keeps the writer's trace context. A
    // caller that passes headers (even {}) decides alone, e.g. a group commit running in another's context.
    const headers = r.headers ?? withTraceHeaders(undefined);

    return [
      r.topic,
      r.key,
      JSON.stringify(r.value),
      headers && Object.keys(headers).length > 0 ? JSON.stringify(headers) : null,
      now,
    ];
  });
}

/** Adds records to the outbox inside the caller's transaction. */
export async function enqueueOutbox(
  manager: EntityManager,
  schema: EntitySchema<OutboxRow>,
  records: readonly OutboxRecord[],
  now: Date,
): Promise<void> {
  if (records.length === 0) {
    return;
  }
  await insertRows(manager, tableOf(schema), OUTBOX_COLUMNS, outboxRows(records, now));
}

/** enqueueOutbox inside a transaction of inSqlTransaction. */
export async function enqueueOutboxWith(
  sql: SqlRunner,
  schema: EntitySchema<OutboxRow>,
  records: readonly OutboxRecord[],
  now: Date,
): Promise<void> {
  if (records.length === 0) {
    return;
  }
  await sql.insert(tableOf(schema), OUTBOX_COLUMNS, outboxRows(records, now));
}

/** An outbox row as a drain takes it. */
interface OutboxDrainRow {
  readonly id: string | number;
  readonly topic: string;
  readonly msg_key: string;
  readonly payload: string;
  readonly headers: string | null;
}

export interface OutboxRelayOptions {
  readonly dataSource: DataSource;
  readonly schema: EntitySchema<OutboxRow>;
  readonly publish: (records: OutboxRecord[]) => Promise<void>;
  /** Poll interval when nothing wakes the relay; a commit in this process wakes it at once. */
  readonly pollIntervalMs?: number;
  /**
   * When set, each poll that finds nothing doubles the interval up to this (a publish or a wake starts
   * again from pollIntervalMs): the poll only finds rows no wake announced (another process's, or a
   * failed publish's), so an idle service need not query its outbox several times a second.
   */
  readonly maxPollIntervalMs?: number;
  readonly batchSize?: number;
  readonly onError?: (error: unknown) => void;
  /**
   * Waits, before each batch, until the bus can take more (Bus.awaitCapacity): the in-process bus holds what
   * it carries in memory, so a backlog its consumers have not read makes the relay wait and the rows wait in
   * the outbox, on disk. Resolves at once when `signal` aborts (the relay stops).
   */
  readonly awaitCapacity?: (signal: AbortSignal) => Promise<void>;
}

export class OutboxRelay {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private wakeRequested = false;
  private stopped = true;
  /** Aborted by stop(): ends a wait for the bus's capacity. */
  private stopping = new AbortController();
  /** The next poll's delay: pollIntervalMs, doubled by each empty poll up to maxPollIntervalMs. */
  private idleDelayMs: number;
  private readonly table: string;

  constructor(private readonly options: OutboxRelayOptions) {
    this.table = options.schema.options.tableName ?? options.schema.options.name;
    this.idleDelayMs = this.basePollMs;
  }

  private get basePollMs(): number {
    return this.options.pollIntervalMs ?? 200;
  }

  start(): void {
    this.stopped = false;
    this.stopping = new AbortController();
    this.schedule(0);
  }

  /** Publish soon: called after a commit that added outbox rows. */
  wake(): void {
    if (this.stopped) {
      return;
    }
    this.idleDelayMs = this.basePollMs;
    if (this.running) {
      this.wakeRequested = true;

      return;
    }
    this.schedule(0);
  }

  /** Stops polling after publishing what is already committed (bounded by one more drain). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    await this.running;
    try {
      await this.drainOnce();
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  /** Rows waiting to be published (for metrics and tests). */
  async backlog(): Promise<number> {
    const rows: { n: number | string }[] = await this.options.dataSource.query(
      `SELECT COUNT(*) AS n FROM ${this.table}`,
    );

    return Number(rows[0]?.n ?? 0);
  }

  private schedule(delayMs: number): void {
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.loop().finally(() => {
        this.running = null;
      });
    }, delayMs);
  }

  private async loop(): Promise<void> {
    const limit = this.options.batchSize ?? 500;
    let published = 0;
    let total = 0;
    let failed = false;
    try {
      do {
        this.wakeRequested = false;
        await this.options.awaitCapacity?.(this.stopping.signal);
        if (this.stopped) {
          break;
        }
        published = await this.drainOnce();
        total += published;
        // A batch short of the limit took every row committed before it: rows committed since then woke
        // the relay (wakeRequested), so no empty drain is spent to find out.
      } while (!this.stopped && (published >= limit || this.wakeRequested));
    } catch (error) {
      failed = true;
      this.options.onError?.(error);
    }
    if (!this.stopped) {
      const max = this.options.maxPollIntervalMs ?? this.basePollMs;
      this.idleDelayMs = total > 0 || failed ? this.basePollMs : Math.min(max, this.idleDelayMs * 2);
      this.schedule(this.idleDelayMs);
    }
  }

  /** Publishes one batch and deletes it; returns how many rows it published. */
  async drainOnce(): Promise<number> {
    const { dataSource } = this.options;
    const limit = this.options.batchSize ?? 500;

    const drain = async (sql: SqlRunner): Promise<number> => {
      const rows = sql.mysql ? await this.takeMysql(sql, limit) : await this.takeSqlite(sql, limit);
      if (rows.length === 0) {
        return 0;
      }
      await outsideAnyTrace(() =>
        this.options.publish(
          rows.map((row) => ({
            topic: row.topic,
            key: row.msg_key,
            value: JSON.parse(row.payload) as unknown,
            headers: row.headers ? (JSON.parse(row.headers) as Record<string, string>) : undefined,
          })),
        ),
      );

      return rows.length;
    };

    // READ COMMITTED on MySQL: under REPEATABLE READ the locking scan also locks the gap after the last row,
    // so every INSERT into the outbox (each accepted message) would wait for the publish, and a paused
    // broker would stall intake instead of letting the outbox grow (reliability.md R4). A DataSource that
    // packs statements (ADR 0026) sends the isolation level and START TRANSACTION with the read.
    if (packsStatements(dataSource)) {
      return inPackedSqlTransaction(dataSource, drain, { isolation: 'READ COMMITTED' });
    }
    const drainIn = (manager: EntityManager): Promise<number> => drain(sqlRunnerOf(manager));

    return isMysql(dataSource)
      ? withTransactionRetry(() => dataSource.transaction('READ COMMITTED', drainIn))
      : inTransaction(dataSource, drainIn);
  }

  /**
   * The oldest rows, deleted in the drain's transaction. Deleted before publishing: a deadlock (two relays'
   * DELETEs can meet at the edges of their batches) then rolls back and retries a transaction that has
   * published nothing yet, instead of publishing its batch twice. A failed publish rolls the delete back,
   * so the rows stay for the next drain.
   */
  private async takeMysql(sql: SqlRunner, limit: number): Promise<OutboxDrainRow[]> {
    // Several replicas may run a relay: SKIP LOCKED lets each take its own rows (MySQL 8 / MariaDB 10.6).
    const rows = await sql.query<OutboxDrainRow>(
      `SELECT id, topic, msg_key, payload, headers FROM ${this.table} ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED`,
    );
    if (rows.length > 0) {
      const ids = rows.map((row) => String(row.id));
      await sql.execute(`DELETE FROM ${this.table} WHERE id IN (${ids.map(() => '?').join(',')})`, ids);
    }

    return rows;
  }

  /**
   * The same on SQLite in one statement: the transaction is the only writer, so the rows below the id of
   * the (limit + 1)th row (all of them when there are no more) are the batch, and RETURNING hands them
   * back, in no set order: sorted by id here, the order they were committed in. The delete is still rolled
   * back by a failed publish. Not `WHERE id IN (SELECT … LIMIT n) RETURNING …`: SQLite runs that form
   * several times dearer than a SELECT and a DELETE together (docs/performance.md).
   */
  private async takeSqlite(sql: SqlRunner, limit: number): Promise<OutboxDrainRow[]> {
    const rows = await sql.query<OutboxDrainRow>(
      `DELETE FROM ${this.table} WHERE id < COALESCE((SELECT id FROM ${this.table} ORDER BY id LIMIT 1 OFFSET ${limit}),` +
        ` ${Number.MAX_SAFE_INTEGER}) RETURNING id, topic, msg_key, payload, headers`,
    );

    return rows.sort((a, b) => Number(a.id) - Number(b.id));
  }
}
