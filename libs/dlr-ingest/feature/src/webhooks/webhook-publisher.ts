import type { BusRecord } from '@sms/bus';
import type { WebhookStoredV1 } from '@sms/contracts';
import { metrics } from '@sms/metrics';
import { dbValue, GroupCommitter, inTransaction, isMysql, withTransactionRetry } from '@sms/persistence';
import { outsideAnyTrace } from '@sms/tracing';
import type { DataSource, EntityManager } from 'typeorm';
import { WebhookState } from '../database/entities/inbound-webhook.entity';
import { busRecordOf, STORED_EVENT_COLUMNS, storedEventOf, type StoredWebhookRow } from './stored-webhook';

export interface WebhookPublisherOptions {
  /** False only to reproduce a crash between commit and publish (OUTBOX_RELAY_ENABLED). */
  readonly enabled?: boolean;
  /** How often the sweep looks for accepted rows nobody published. */
  readonly sweepIntervalMs?: number;
  /** A row younger than this may still be on its way through this or another replica: the sweep leaves it. */
  readonly graceMs?: number;
  /** Events held in memory at most; beyond that (a broker outage) new ones are left to the sweep. */
  readonly maxPending?: number;
  /** Events per publish. */
  readonly batchSize?: number;
  /**
   * How long the first event of a batch waits for company. Off the acknowledgement path, and a Kafka
   * request or a statement costs ~0.2 ms of CPU on a small VM whatever it carries: 3,000 receipts/s in
   * 10 ms batches is ~100 publishes and stamps a second instead of thousands.
   */
  readonly lingerMs?: number;
  readonly onError?: (error: unknown) => void;
}

/** An accepted webhook, and the trace context of the request that brought it. */
export interface PendingPublication {
  readonly event: WebhookStoredV1;
  readonly traceHeaders?: Readonly<Record<string, string>>;
}

/**
 * Publishes accepted webhooks to dlr-processor. The stored row is its own outbox (ADR 0009): ingest
 * commits one INSERT and answers the provider, then hands the events, already in memory, to this
 * publisher, which publishes them and stamps `published_at`. Nothing is lost when that fails or the
 * process dies in between: the row stays unpublished and the sweep publishes it after a grace period.
 * A row published twice (a crash after the publish, before the stamp) is harmless: dlr-processor derives
 * event ids from the row, so the second copy changes nothing.
 *
 * Why not the shared transactional outbox: it stored every receipt twice (raw row plus outbox row)
 * and read it back before publishing, five round trips on the acknowledgement path instead of one,
 * which on a 2-core box put a receipt storm's p99 acknowledgement in the seconds (docs/benchmarks.md).
 */
export class WebhookPublisher {
  private readonly pending: PendingPublication[] = [];
  private inFlight = 0;
  private pumping: Promise<void> | null = null;
  private lingering: NodeJS.Timeout | null = null;
  private sweeping: Promise<unknown> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly stamps: GroupCommitter<readonly string[], void>;
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
      lingerMs: 10,
      ...options,
    };
    // Stamps of consecutive publishes share one UPDATE; one at a time, the rows are the publisher's alone.
    this.stamps = new GroupCommitter((idLists) => this.stamp(idLists), { maxBatch: 50, maxConcurrent: 1 });
  }

  /** After a commit: publish soon. Never waits and never throws; what it cannot take, the sweep will. */
  enqueue(publications: readonly PendingPublication[]): void {
    if (!this.options.enabled || publications.length === 0) {
      return;
    }
    if (this.pending.length + this.inFlight + publications.length > this.options.maxPending) {
      metrics.dlrPublishDeferred.inc(publications.length);

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

  /** Resolves once everything enqueued so far was published (or failed, left to the sweep) and stamped. */
  async drain(): Promise<void> {
    if (this.lingering) {
      this.startPump();
    }
    while (this.pumping) {
      await this.pumping;
    }
    await this.stamps.drain();
  }

  /** Accepted rows waiting to be published (the outbox backlog gauge). */
  async backlog(): Promise<number> {
    const rows: { n: number | string }[] = await this.dataSource.query(
      'SELECT COUNT(*) AS n FROM inbound_webhooks WHERE state = ? AND published_at IS NULL',
      [WebhookState.Accepted],
    );

    return Number(rows[0]?.n ?? 0);
  }

  /**
   * Publishes accepted rows older than the grace period that nobody published (a failed publish, a
   * crash, a full queue), oldest first; returns how many. Locked rows are skipped, so replicas sweeping
   * at once take different rows.
   */
  async sweepOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const published = await this.sweepBatch();
      total += published;
      if (published < this.options.batchSize) {
        return total;
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
        // Stamped in the background: the next batch need not wait for it, and a lost stamp only means a
        // harmless second publish by the sweep.
        this.stamps
          .submit(batch.map((p) => p.event.webhookId))
          .catch((error: unknown) => this.options.onError?.(error));
      } catch (error) {
        metrics.dlrPublishDeferred.inc(batch.length);
        this.options.onError?.(error);
      } finally {
        this.inFlight -= batch.length;
      }
    }
  }

  private async stamp(idLists: readonly (readonly string[])[]): Promise<void[]> {
    const ids = idLists.flat();
    await this.markPublished(this.dataSource.manager, ids);

    return idLists.map(() => undefined);
  }

  private async markPublished(manager: EntityManager, ids: readonly string[]): Promise<void> {
    if (ids.length > 0) {
      await manager.query(
        `UPDATE inbound_webhooks SET published_at = ? WHERE id IN (${ids.map(() => '?').join(',')})`,
        [dbValue(this.dataSource, this.now()), ...ids],
      );
    }
  }

  private sweepBatch(): Promise<number> {
    const cutoff = new Date(this.now().getTime() - this.options.graceMs);
    const lock = isMysql(this.dataSource) ? ' FOR UPDATE SKIP LOCKED' : '';
    const work = async (manager: EntityManager): Promise<number> => {
      const rows: StoredWebhookRow[] = await manager.query(
        `SELECT ${STORED_EVENT_COLUMNS} FROM inbound_webhooks
         WHERE state = ? AND published_at IS NULL AND received_at < ?
         ORDER BY received_at LIMIT ${Number(this.options.batchSize)}${lock}`,
        [WebhookState.Accepted, dbValue(this.dataSource, cutoff)],
      );
      if (rows.length === 0) {
        return 0;
      }
      await outsideAnyTrace(() => this.publish(rows.map((row) => busRecordOf(storedEventOf(row)))));
      await this.markPublished(
        manager,
        rows.map((row) => row.id),
      );
      metrics.dlrPublishSwept.inc(rows.length);

      return rows.length;
    };

    // READ COMMITTED: no gap lock after the last row, so ingest's INSERTs never wait for a sweep's publish.
    return isMysql(this.dataSource)
      ? withTransactionRetry(() => this.dataSource.transaction('READ COMMITTED', work))
      : inTransaction(this.dataSource, work);
  }
}
