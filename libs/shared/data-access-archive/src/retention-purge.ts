import type { MonthArchive, MonthlyTable } from '@sms/persistence';
import type { DataSource } from 'typeorm';
import { lastRetiredMonth, monthOf } from './month';
import { MonthRows } from './month-rows';

export interface RetentionPurgeOptions {
  /** RETENTION_HOT_DAYS (more than 0). */
  readonly hotDays: number;
  readonly intervalMs?: number;
  /** Rows deleted per transaction: a purge never holds the single SQLite writer for long. */
  readonly deleteBatch?: number;
  readonly now?: () => Date;
  readonly onError?: (error: unknown) => void;
  readonly onPurged?: (purged: PurgedMonth) => void;
}

export interface PurgedMonth {
  readonly table: string;
  readonly month: string;
  readonly archived: number;
  readonly deleted: number;
  readonly location: string;
}

const HOUR_MS = 3_600_000;

/**
 * The embedded mode's retention (SQLite has no partitions): every month of a table that ended more than
 * RETENTION_HOT_DAYS ago is archived through the MonthArchive, and only once that resolved are its rows
 * deleted, in bounded batches. The rule is the partition maintenance's, so both modes keep the same months.
 */
export class RetentionPurge {
  private readonly intervalMs: number;
  private readonly deleteBatch: number;
  private readonly now: () => Date;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<PurgedMonth[]> | null = null;
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly tables: readonly MonthlyTable[],
    private readonly archive: MonthArchive,
    private readonly options: RetentionPurgeOptions,
  ) {
    this.intervalMs = options.intervalMs ?? HOUR_MS;
    this.deleteBatch = options.deleteBatch ?? 1_000;
    this.now = options.now ?? (() => new Date());
  }

  /** Runs now, then every interval. */
  start(): void {
    if (this.stopping) {
      return;
    }
    const tick = (): void => {
      void this.runOnce()
        .catch((error: unknown) => this.options.onError?.(error))
        .finally(() => {
          if (!this.stopping) {
            this.timer = setTimeout(tick, this.intervalMs);
            this.timer.unref();
          }
        });
    };
    tick();
  }

  /** Waits for a run in progress (it stops between months). */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) {
      clearTimeout(this.timer);
    }
    await this.running?.catch(() => undefined);
  }

  /** One pass over every table; a second call while one runs joins it. */
  runOnce(): Promise<PurgedMonth[]> {
    this.running ??= this.pass().finally(() => {
      this.running = null;
    });

    return this.running;
  }

  private async pass(): Promise<PurgedMonth[]> {
    const retiredUpTo = lastRetiredMonth(this.now(), this.options.hotDays);
    const purged: PurgedMonth[] = [];
    for (const table of this.tables) {
      // The oldest month left moves forward as each is purged; months without rows are never visited.
      for (;;) {
        const oldest = await MonthRows.oldest(this.dataSource, table.table, table.createdColumn);
        const month = oldest ? monthOf(oldest) : null;
        if (month === null || month > retiredUpTo || this.stopping) {
          break;
        }
        const archived = await this.archive.archiveMonth(this.dataSource, table, month);
        const rows = await MonthRows.forTable(this.dataSource, table, month);
        const deleted = await rows.deleteAll(this.deleteBatch);
        const result = { table: table.table, month, archived: archived.rows, deleted, location: archived.location };
        purged.push(result);
        this.options.onPurged?.(result);
        if (deleted === 0) {
          throw new Error(`retention: ${table.table} ${month} archived but no row deleted; stopping to avoid a loop`);
        }
      }
    }

    return purged;
  }
}
