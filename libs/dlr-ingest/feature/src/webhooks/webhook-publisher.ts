import type { BusRecord } from '@sms/bus';
import type { WebhookStoredV1 } from '@sms/contracts';
import { metrics } from '@sms/metrics';
import {
  dbValue,
  GroupCommitter,
  inTransaction,
  isDuplicateKeyError,
  isMysql,
  withTransactionRetry,
} from '@sms/persistence';
import { outsideAnyTrace } from '@sms/tracing';
import type { DataSource, EntityManager } from 'typeorm';
import { WebhookState } from '../database/entities/inbound-webhook.entity';
import { asDate, busRecordOf, STORED_EVENT_COLUMNS, storedEventOf, type StoredWebhookRow } from './stored-webhook';

export interface WebhookPublisherOptions {
  /** False only to reproduce a crash between commit and publish (OUTBOX_RELAY_ENABLED). */
  readonly enabled?: boolean;
  /** How often the sweep looks for accepted rows nobody published (it moves its horizon up to now − grace). */
  readonly sweepIntervalMs?: number;
  /** A row younger than this may still be on its way through this or another replica: the sweep leaves it. */
  readonly graceMs?: number;
  /** Events held in memory at most; beyond that (a broker outage) new ones are left to the sweep. */
  readonly maxPending?: number;
  /** Events per publish. */
  readonly batchSize?: number;
  /** The longest stretch of `received_at` one sweep transaction checks (a long broker outage is caught up in steps). */
  readonly sweepStretchMs?: number;
  /**
   * How long the first event of a batch waits for company. Off the acknowledgement path, and a Kafka
   * produce request costs the process and the broker about the same CPU whatever it carries: at a few
   * hundred receipts a second, where batches do not form by themselves, a longer wait is what shares
   * it (docs/performance.md, Receipts). The receipt reaches dlr-processor that much later.
   */
  readonly lingerMs?: number;
  /**
   * How long publication records gather before one INSERT writes them. Nothing waits for a record (the
   * sweep reads them only after `graceMs`), so a storm's ~100 publishes a second cost a few statements
   * a second instead of one each; a record lost to a crash in between means a harmless second publish.
   */
  readonly recordLingerMs?: number;
  readonly onError?: (error: unknown) => void;
}

/** An accepted webhook, and the trace context of the request that brought it. */
export interface PendingPublication {
  readonly event: WebhookStoredV1;
  readonly traceHeaders?: Readonly<Record<string, string>>;
}

/** A published row as its publication record lists it. */
interface PublishedRow {
  readonly id: string;
  readonly receivedAt: string;
}

/** Ids per publication row: a record stays a few tens of KB however many publishes share its INSERT. */
const IDS_PER_RECORD = 2_000;
const HORIZON_ID = 1;
const DEFERRED_TRACKED = 100_000;

/**
 * The sweep's horizon as stored (null before the first sweep of a fresh store): every accepted row
 * received before it is known to be published. `lock` (MySQL) holds it for the caller's transaction,
 * skipping it when another replica holds it.
 */
export async function storedSweepHorizon(manager: EntityManager, lock = false): Promise<Date | null> {
  const rows: { checked_until: Date | string }[] = await manager.query(
    `SELECT checked_until FROM inbound_webhook_sweep_horizon WHERE id = ${HORIZON_ID}${lock ? ' FOR UPDATE SKIP LOCKED' : ''}`,
  );

  return rows[0] ? asDate(rows[0].checked_until) : null;
}

/**
 * Publishes accepted webhooks to dlr-processor. The stored row is its own outbox (ADR 0009): ingest
 * commits one INSERT and answers the provider, then hands the events, already in memory, to this
 * publisher, which publishes them and records the publish: one row in `inbound_webhook_publications` per
 * publish, listing the rows it carried (ADR 0013). Nothing is lost when the publish fails or the process
 * dies in between: no record lists the row, and the sweep publishes it after a grace period. A row
 * published twice (a crash after the publish, before the record) is harmless: dlr-processor derives event
 * ids from the row, so the second copy changes nothing.
 *
 * The sweep keeps a horizon: every accepted row received before it is known to be published. Each
 * sweep reads the accepted rows between the horizon and now − grace (an index-only range), drops those
 * the records list, publishes the rest, moves the horizon and forgets records that end behind it. Every
 * row is thus read once by a sweep, where a stamp wrote every row a second time (an UPDATE that also
 * moved an index entry: a third of MariaDB's work on the receipt path, docs/benchmarks.md at ed64d78). The grace
 * covers the time between a row's `received_at` and its commit: an INSERT committing later than that,
 * whose publish also failed, would be missed.
 *
 * Why not the shared transactional outbox: it stored every receipt twice (raw row plus outbox row)
 * and read it back before publishing, five round trips on the acknowledgement path instead of one,
 * which on a 2-core box put a receipt storm's p99 acknowledgement in the seconds (docs/benchmarks.md at ed64d78).
 */
export class WebhookPublisher {
  private readonly pending: PendingPublication[] = [];
  private inFlight = 0;
  private pumping: Promise<void> | null = null;
  private lingering: NodeJS.Timeout | null = null;
  private sweeping: Promise<unknown> | null = null;
  private timer: NodeJS.Timeout | null = null;
  /**
   * Rows this process failed to publish or had no room for, by id, with their `received_at`: the sweep's
   * to find. Only the backlog gauge reads them; past DEFERRED_TRACKED (a long broker outage) further ones
   * are counted once they are older than the grace period, by the sweep's own query.
   */
  private readonly deferred = new Map<string, string>();
  private readonly records: GroupCommitter<readonly PublishedRow[], void>;
  /** Published rows whose record waits for `recordLingerMs`, and the timer that will submit them. */
  private unrecorded: PublishedRow[] = [];
  private recordTimer: NodeJS.Timeout | null = null;
  private readonly options: Required<Omit<WebhookPublisherOptions, 'onError'>> & WebhookPublisherOptions;

  constructor(
    private readonly dataSource: DataSource,
    private readonly publish: (records: readonly BusRecord[]) => Promise<void>,
    options: WebhookPublisherOptions = {},
    private readonly now: () => Date = () => new Date(),
  ) {
    this.options = {
      enabled: true,
      sweepIntervalMs: 5_000,
      graceMs: 30_000,
      maxPending: 20_000,
      batchSize: 1_000,
      lingerMs: 50,
      recordLingerMs: 250,
      sweepStretchMs: 60_000,
      ...options,
    };
    // Records of consecutive publishes share one INSERT, one at a time.
    this.records = new GroupCommitter((lists) => this.record(lists), { maxBatch: 50, maxConcurrent: 1 });
  }

  /** After a commit: publish soon. Never waits and never throws; what it cannot take, the sweep will. */
  enqueue(publications: readonly PendingPublication[]): void {
    if (!this.options.enabled || publications.length === 0) {
      return;
    }
    if (this.pending.length + this.inFlight + publications.length > this.options.maxPending) {
      metrics.dlrPublishDeferred.inc(publications.length);
      this.defer(publications);

      return;
    }
    this.pending.push(...publications);
    if (this.pumping) {
      return; // the running pump takes them in its next round
    }
    if (this.pending.length >= this.options.batchSize || this.options.lingerMs <= 0) {
      this.startPump();
    } else {
      this.lingering ??= setTimeout(() => this.startPump(), this.options.lingerMs);
    }
  }

  private startPump(): void {
    if (this.lingering) {
      clearTimeout(this.lingering);
      this.lingering = null;
    }
    this.pumping ??= this.pump().finally(() => {
      this.pumping = null;
      // An enqueue between the pump's last check and this callback saw it running and left its events to it.
      if (this.pending.length > 0) {
        this.startPump();
      }
    });
  }

  /** Publishes now and waits (replay): the caller learns whether it reached the bus. */
  async publishNow(events: readonly WebhookStoredV1[]): Promise<void> {
    await outsideAnyTrace(() => this.publish(events.map((event) => busRecordOf(event))));
  }

  start(): void {
    if (!this.options.enabled || this.timer) {
      return;
    }
    this.timer = setInterval(() => {
      this.sweeping ??= this.sweepOnce()
        .catch((error: unknown) => this.options.onError?.(error))
        .finally(() => {
          this.sweeping = null;
        });
    }, this.options.sweepIntervalMs);
    this.timer.unref();
  }

  /** Stops the sweep and waits for what is being published now. */
  async stop(): Promise<void> {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
    await this.sweeping;
    await this.drain();
  }

  /** Resolves once everything enqueued so far was published (or failed, left to the sweep) and recorded. */
  async drain(): Promise<void> {
    if (this.lingering) {
      this.startPump();
    }
    while (this.pumping) {
      await this.pumping;
    }
    this.submitRecords();
    await this.records.drain();
  }

  /**
   * Accepted rows waiting to be published (the outbox backlog gauge): those in memory, those this process
   * left to the sweep, and those the sweep would publish now (another replica's, after a crash).
   */
  async backlog(): Promise<number> {
    const horizon = await this.readHorizon(this.dataSource.manager, false);
    const end = this.sweepEnd();
    if (horizon) {
      this.forgetDeferredBefore(horizon);
    }
    const missing =
      horizon && horizon < end ? await this.unpublishedBetween(this.dataSource.manager, horizon, end) : [];

    return this.pending.length + this.inFlight + new Set([...this.deferred.keys(), ...missing]).size;
  }

  /**
   * Publishes the accepted rows older than the grace period that no record lists (a failed publish, a
   * crash, a full queue), oldest stretch first; returns how many. One replica sweeps at a time: the others
   * find the horizon locked and leave it.
   */
  async sweepOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const stretch = await this.sweepStretch();
      total += stretch.published;
      if (!stretch.more) {
        return total;
      }
    }
  }

  /** Rows received before this may be unpublished only if their publish failed or their process died. */
  private sweepEnd(): Date {
    return new Date(this.now().getTime() - this.options.graceMs);
  }

  private defer(publications: readonly PendingPublication[]): void {
    for (const p of publications) {
      if (this.deferred.size >= DEFERRED_TRACKED) {
        return;
      }
      this.deferred.set(p.event.webhookId, p.event.receivedAt);
    }
  }

  /** Forgets deferred rows behind the horizon: a sweep (this replica's or another's) published them. */
  private forgetDeferredBefore(horizon: Date): void {
    const before = horizon.toISOString();
    for (const [id, receivedAt] of this.deferred) {
      if (receivedAt < before) {
        this.deferred.delete(id);
      }
    }
  }

  private async pump(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.options.batchSize);
      this.inFlight += batch.length;
      try {
        // The record keeps the trace of the request that brought it, not of whichever request started this loop.
        await outsideAnyTrace(() => this.publish(batch.map((p) => busRecordOf(p.event, p.traceHeaders))));
        // Recorded later and in the background: the next batch need not wait for it, and a lost record only
        // means a harmless second publish by the sweep.
        this.recordLater(batch.map((p) => ({ id: p.event.webhookId, receivedAt: p.event.receivedAt })));
      } catch (error) {
        metrics.dlrPublishDeferred.inc(batch.length);
        this.defer(batch);
        this.options.onError?.(error);
      } finally {
        this.inFlight -= batch.length;
      }
    }
  }

  private recordLater(rows: readonly PublishedRow[]): void {
    this.unrecorded.push(...rows);
    if (this.options.recordLingerMs <= 0) {
      this.submitRecords();
    } else {
      // Unref'd: a record lost at exit costs a second publish, not a receipt.
      this.recordTimer ??= setTimeout(() => this.submitRecords(), this.options.recordLingerMs).unref();
    }
  }

  /** Hands the gathered records to the committer (one INSERT per IDS_PER_RECORD rows). */
  private submitRecords(): void {
    if (this.recordTimer) {
      clearTimeout(this.recordTimer);
      this.recordTimer = null;
    }
    if (this.unrecorded.length === 0) {
      return;
    }
    const rows = this.unrecorded;
    this.unrecorded = [];
    this.records.submit(rows).catch((error: unknown) => this.options.onError?.(error));
  }

  /** One publication row per IDS_PER_RECORD published rows, with the span of their `received_at`. */
  private async record(lists: readonly (readonly PublishedRow[])[]): Promise<void[]> {
    const rows = lists.flat();
    const at = dbValue(this.dataSource, this.now());
    for (let from = 0; from < rows.length; from += IDS_PER_RECORD) {
      const chunk = rows.slice(from, from + IDS_PER_RECORD);
      let first = chunk[0]?.receivedAt ?? '';
      let last = first;
      for (const row of chunk) {
        // ISO-8601 UTC strings of one format compare as the instants they name.
        first = row.receivedAt < first ? row.receivedAt : first;
        last = row.receivedAt > last ? row.receivedAt : last;
      }
      await this.dataSource.query(
        `INSERT INTO inbound_webhook_publications (first_received_at, last_received_at, webhook_ids, published_at)
         VALUES (?, ?, ?, ?)`,
        [
          dbValue(this.dataSource, new Date(first)),
          dbValue(this.dataSource, new Date(last)),
          chunk.map((row) => row.id).join(','),
          at,
        ],
      );
    }

    return lists.map(() => undefined);
  }

  /**
   * The horizon; with `lock`, held for this transaction, or null when another replica holds it. A store
   * without one (a fresh SQLite file; MySQL's migration creates it) starts at its oldest accepted row.
   */
  private async readHorizon(manager: EntityManager, lock: boolean): Promise<Date | null> {
    const locking = lock && isMysql(this.dataSource);
    const stored = await storedSweepHorizon(manager, locking);
    if (stored) {
      return stored;
    }
    // Under SKIP LOCKED, no row may mean a row another replica holds.
    if (locking && (await storedSweepHorizon(manager))) {
      return null; // another replica is sweeping
    }
    const oldest: { t: Date | string | null }[] = await manager.query(
      'SELECT MIN(received_at) AS t FROM inbound_webhooks WHERE state = ?',
      [WebhookState.Accepted],
    );
    const start = oldest[0]?.t ? asDate(oldest[0].t) : this.sweepEnd();
    if (!lock) {
      return start;
    }
    try {
      await manager.query('INSERT INTO inbound_webhook_sweep_horizon (id, checked_until) VALUES (?, ?)', [
        HORIZON_ID,
        dbValue(this.dataSource, start),
      ]);
    } catch (error) {
      if (isDuplicateKeyError(error)) {
        return null; // another replica created it first, and sweeps
      }
      throw error;
    }

    return start;
  }

  /** Ids of accepted rows received in [from, until) that no publication record lists, oldest first. */
  private async unpublishedBetween(manager: EntityManager, from: Date, until: Date): Promise<string[]> {
    const range = [dbValue(this.dataSource, from), dbValue(this.dataSource, until)];
    const candidates: { id: string }[] = await manager.query(
      `SELECT id FROM inbound_webhooks WHERE received_at >= ? AND received_at < ? AND state = ?
       ORDER BY received_at, id`,
      [...range, WebhookState.Accepted],
    );
    if (candidates.length === 0) {
      return [];
    }
    const records: { webhook_ids: string }[] = await manager.query(
      'SELECT webhook_ids FROM inbound_webhook_publications WHERE first_received_at < ? AND last_received_at >= ?',
      [range[1], range[0]],
    );
    const published = new Set<string>();
    for (const record of records) {
      for (const id of record.webhook_ids.split(',')) {
        published.add(id);
      }
    }

    return candidates.map((row) => row.id).filter((id) => !published.has(id));
  }

  /** Sweeps one stretch after the horizon in one transaction: what it published, and whether more is due. */
  private sweepStretch(): Promise<{ published: number; more: boolean }> {
    const work = async (manager: EntityManager): Promise<{ published: number; more: boolean }> => {
      const horizon = await this.readHorizon(manager, true);
      const end = this.sweepEnd();
      if (!horizon || horizon >= end) {
        return { published: 0, more: false };
      }
      const until = new Date(Math.min(end.getTime(), horizon.getTime() + this.options.sweepStretchMs));
      const missing = await this.unpublishedBetween(manager, horizon, until);
      for (let from = 0; from < missing.length; from += this.options.batchSize) {
        const ids = missing.slice(from, from + this.options.batchSize);
        const rows: StoredWebhookRow[] = await manager.query(
          `SELECT ${STORED_EVENT_COLUMNS} FROM inbound_webhooks WHERE id IN (${ids.map(() => '?').join(',')})`,
          ids,
        );
        // Not recorded: the horizon moves past these rows in this transaction, so no sweep looks at them again.
        await outsideAnyTrace(() => this.publish(rows.map((row) => busRecordOf(storedEventOf(row)))));
      }
      await manager.query(`UPDATE inbound_webhook_sweep_horizon SET checked_until = ? WHERE id = ${HORIZON_ID}`, [
        dbValue(this.dataSource, until),
      ]);
      // A record that ends behind the horizon lists no row a sweep will look at again.
      await manager.query('DELETE FROM inbound_webhook_publications WHERE last_received_at < ?', [
        dbValue(this.dataSource, until),
      ]);
      this.forgetDeferredBefore(until);
      if (missing.length > 0) {
        metrics.dlrPublishSwept.inc(missing.length);
      }

      return { published: missing.length, more: until < end };
    };

    // READ COMMITTED: no gap locks on inbound_webhooks, so ingest's INSERTs never wait for a sweep's publish.
    return isMysql(this.dataSource)
      ? withTransactionRetry(() => this.dataSource.transaction('READ COMMITTED', work))
      : inTransaction(this.dataSource, work);
  }
}
