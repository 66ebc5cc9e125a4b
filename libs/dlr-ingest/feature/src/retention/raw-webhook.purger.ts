import { dbValue } from '@sms/persistence';
import type { DataSource } from 'typeorm';
import { storedSweepHorizon } from '../webhooks/webhook-publisher';

export interface PurgerOptions {
  /** Raw rows older than this are deleted (replay reaches back this far). */
  readonly retentionMs: number;
  readonly intervalMs?: number;
  /** Rows deleted per statement: short transactions, no long lock on the table. */
  readonly batchSize?: number;
  readonly onError?: (error: unknown) => void;
}

/**
 * Keeps `inbound_webhooks` bounded: a receipt storm adds rows at thousands per second, and every row
 * is published (within milliseconds, or by the publisher's sweep after a failure) long before it
 * ages out. Nothing after the sweep's horizon is deleted, so a row the sweep has not yet seen published
 * is kept, whatever its age; with no horizon yet (a fresh store before its first sweep), nothing is.
 * Deleting by primary key in small batches keeps each transaction short; the retention is the replay
 * window.
 */
export class RawWebhookPurger {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: PurgerOptions,
    private readonly now: () => Date = () => new Date(),
  ) {}

  start(): void {
    const every = this.options.intervalMs ?? 60_000;
    this.timer = setInterval(() => {
      if (!this.running) {
        this.running = this.purgeOnce()
          .catch((error: unknown) => this.options.onError?.(error))
          .finally(() => {
            this.running = null;
          });
      }
    }, every);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
    await this.running;
  }

  /** Deletes every row past the retention; returns how many. */
  async purgeOnce(): Promise<number> {
    const horizon = await storedSweepHorizon(this.dataSource.manager);
    if (!horizon) {
      return 0;
    }
    const cutoff = new Date(Math.min(this.now().getTime() - this.options.retentionMs, horizon.getTime()));
    const batchSize = this.options.batchSize ?? 2_000;
    let total = 0;
    for (;;) {
      const rows: { id: string }[] = await this.dataSource.query(
        `SELECT id FROM inbound_webhooks WHERE received_at < ? ORDER BY received_at LIMIT ${Number(batchSize)}`,
        [dbValue(this.dataSource, cutoff)],
      );
      if (rows.length === 0) {
        return total;
      }
      await this.dataSource.query(
        `DELETE FROM inbound_webhooks WHERE id IN (${rows.map(() => '?').join(',')})`,
        rows.map((row) => row.id),
      );
      total += rows.length;
      if (rows.length < batchSize) {
        return total;
      }
    }
  }
}
