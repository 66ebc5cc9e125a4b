import type { DataSource, QueryRunner } from 'typeorm';
import type { ArchivedMonth, MonthArchive, MonthlyTable } from '../retention/archive.ports';
import { addMonths, monthEnd, monthOf, monthStart, monthsBetween, partitionNameOf } from './calendar-month';
import { addPartitionsSql, dropPartitionSql, readPartitionLayout } from './monthly-partitions';

export interface PartitionMaintenanceOptions {
  readonly dataSource: DataSource;
  /** The partitioned tables of this service's slice (each service maintains only its own). */
  readonly tables: readonly MonthlyTable[];
  /** Months after the current one that must have a partition of their own. */
  readonly monthsAhead: number;
  /** A month is retired once all of it is older than this many days; 0 keeps every month. */
  readonly hotDays: number;
  /** Where a month goes before it is dropped; absent when no archive is configured. */
  readonly archive?: MonthArchive | null;
  /** Without an archive, drop old months anyway (their rows are lost); otherwise they are kept. */
  readonly dropUnarchived: boolean;
  /** How long a DDL statement waits for the table's metadata lock before giving up until the next run. */
  readonly lockWaitSeconds?: number;
  readonly now?: () => Date;
  readonly logger?: { log(message: string): void; warn(message: string): void; error(message: string): void };
}

export interface TableMonth {
  readonly table: string;
  readonly month: string;
}

export interface MaintenanceReport {
  /** False when another replica held the maintenance lock: it does this run's work. */
  readonly ran: boolean;
  readonly created: readonly TableMonth[];
  readonly retired: readonly (TableMonth & { readonly archived: readonly ArchivedMonth[] })[];
  readonly kept: readonly (TableMonth & { readonly reason: string })[];
}

const SILENT = { log: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Keeps a slice's monthly partitions (MySQL/MariaDB only): creates the months ahead and retires the months
 * older than the hot window, each archived through the MonthArchive before its DROP PARTITION. One replica at
 * a time: the work runs under a named lock (GET_LOCK, per database), and the others skip that run. Every
 * step reads the partitions as they are now, so a run after a crash or a lost race redoes only what is
 * missing.
 */
export class PartitionMaintenance {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private readonly now: () => Date;
  private readonly logger: NonNullable<PartitionMaintenanceOptions['logger']>;

  constructor(private readonly options: PartitionMaintenanceOptions) {
    if (!Number.isInteger(options.monthsAhead) || options.monthsAhead < 1) {
      throw new Error(`monthsAhead must be a positive integer, got ${options.monthsAhead}`);
    }
    if (!Number.isInteger(options.hotDays) || options.hotDays < 0) {
      throw new Error(`hotDays must be a non-negative integer, got ${options.hotDays}`);
    }
    this.now = options.now ?? (() => new Date());
    this.logger = options.logger ?? SILENT;
  }

  /** Runs now, then every `intervalMs`; a failed run is logged and tried again at the next tick. */
  start(intervalMs: number): void {
    const tick = (): void => {
      if (this.running) {
        return;
      }
      this.running = this.runOnce()
        .catch((error: unknown) => this.logger.error(`partition maintenance failed: ${String(error)}`))
        .finally(() => {
          this.running = null;
        });
    };
    tick();
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
    await this.running;
  }

  async runOnce(): Promise<MaintenanceReport> {
    const runner = this.options.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const lock = await this.lockName(runner);
      const [got] = (await runner.query('SELECT GET_LOCK(?, 0) AS got', [lock])) as { got: number | string | null }[];
      if (Number(got?.got) !== 1) {
        return { ran: false, created: [], retired: [], kept: [] };
      }
      try {
        // A DDL waits behind open transactions on its table, and every later statement on that table waits
        // behind the DDL: give up soon and try again next run rather than stall the traffic.
        await runner.query(`SET SESSION lock_wait_timeout = ${this.options.lockWaitSeconds ?? 10}`);

        return await this.maintain(runner);
      } finally {
        // The connection goes back to the pool: the other statements keep the server's default.
        await runner.query('SET SESSION lock_wait_timeout = DEFAULT');
        await runner.query('SELECT RELEASE_LOCK(?)', [lock]);
      }
    } finally {
      await runner.release();
    }
  }

  private async maintain(runner: QueryRunner): Promise<MaintenanceReport> {
    const report = {
      ran: true,
      created: [] as TableMonth[],
      retired: [] as MaintenanceReport['retired'][number][],
      kept: [] as MaintenanceReport['kept'][number][],
    };
    for (const table of this.options.tables) {
      const layout = await readPartitionLayout(runner, table.table);
      if (!layout.partitioned) {
        this.logger.warn(`${table.table} is not partitioned (its migration has not run): left alone`);
        continue;
      }
      report.created.push(...(await this.createAhead(runner, table)));
      if (this.options.hotDays > 0) {
        await this.retireOld(runner, table, report);
      }
    }

    return report;
  }

  private async createAhead(runner: QueryRunner, table: MonthlyTable): Promise<TableMonth[]> {
    const layout = await readPartitionLayout(runner, table.table);
    const current = monthOf(this.now());
    const last = layout.months[layout.months.length - 1];
    const first = last === undefined ? current : addMonths(last, 1);
    const wanted = addMonths(current, this.options.monthsAhead);
    if (first > wanted) {
      return [];
    }
    const months = monthsBetween(first, wanted);
    await runner.query(addPartitionsSql(table.table, months, layout));
    this.logger.log(`${table.table}: partitions ${months.join(', ')} created`);

    return months.map((month) => ({ table: table.table, month }));
  }

  /** Oldest first, and only whole months older than the hot window; the current month is never one. */
  private async retireOld(
    runner: QueryRunner,
    table: MonthlyTable,
    report: { retired: MaintenanceReport['retired'][number][]; kept: MaintenanceReport['kept'][number][] },
  ): Promise<void> {
    const cutoff = this.now().getTime() - this.options.hotDays * 86_400_000;
    const current = monthOf(this.now());
    const layout = await readPartitionLayout(runner, table.table);
    for (const month of layout.months) {
      if (month >= current || monthEnd(month).getTime() > cutoff) {
        return;
      }
      const outcome = await this.retire(runner, table, month);
      if ('reason' in outcome) {
        report.kept.push({ table: table.table, month, reason: outcome.reason });

        // Later months wait too: months leave in order, so the archive never has a hole.
        return;
      }
      report.retired.push({ table: table.table, month, archived: outcome.archived });
    }
  }

  private async retire(
    runner: QueryRunner,
    table: MonthlyTable,
    month: string,
  ): Promise<{ archived: ArchivedMonth[] } | { reason: string }> {
    const partition = partitionNameOf(month);
    const archive = this.options.archive;
    if (!archive) {
      if (!this.options.dropUnarchived) {
        const reason = 'no archive configured (RETENTION_DROP_UNARCHIVED=true drops it unarchived)';
        this.logger.warn(`${table.table} ${month} kept: ${reason}`);

        return { reason };
      }
      await runner.query(dropPartitionSql(table.table, month));
      this.logger.warn(`${table.table} ${month} dropped without an archive (RETENTION_DROP_UNARCHIVED=true)`);

      return { archived: [] };
    }
    // RANGE puts every row dated before the first bound into the first partition. Such a row belongs to a month
    // that may be archived already, and archiving that month again would replace its file: an operator decides.
    const [stray] = (await runner.query(
      `SELECT 1 AS found FROM ${table.table} PARTITION (${partition}) WHERE ${table.createdColumn} < ? LIMIT 1`,
      [monthStart(month)],
    )) as unknown[];
    if (stray !== undefined) {
      const reason = `rows dated before ${month} in ${partition}: archive their months by hand, then delete them`;
      this.logger.error(`${table.table} ${month} kept: ${reason}`);

      return { reason };
    }
    const archived = [await archive.archiveMonth(this.options.dataSource, table, month)];
    const archivedRows = archived.reduce((sum, a) => sum + a.rows, 0);
    const [after] = (await runner.query(
      `SELECT COUNT(*) AS \`rows\` FROM ${table.table} PARTITION (${partition})`,
    )) as {
      rows: number | string;
    }[];
    // A row written into the month while it was being archived is not in the file: keep the month and archive
    // it again next run (archiving is idempotent) rather than drop a row no archive holds.
    if (Number(after?.rows ?? 0) !== archivedRows) {
      const reason = `archive holds ${archivedRows} rows, the partition ${Number(after?.rows ?? 0)}`;
      this.logger.error(`${table.table} ${month} kept: ${reason}`);

      return { reason };
    }
    await runner.query(dropPartitionSql(table.table, month));
    this.logger.log(
      `${table.table} ${month} archived (${archivedRows} rows, ${archived.map((a) => a.location).join(', ')}) and dropped`,
    );

    return { archived };
  }

  /** Named locks are server-wide: the database's name keeps two gateways on one server apart. */
  private async lockName(runner: QueryRunner): Promise<string> {
    const [row] = (await runner.query('SELECT DATABASE() AS db')) as { db: string }[];

    return `partitions:${row?.db ?? ''}`.slice(0, 64);
  }
}
