import { GroupCommitter, isMysql, MAX_BOUND_PARAMETERS, type SqlRunner, sqlRunnerOf } from '@sms/persistence';
import type { DataSource } from 'typeorm';
import type { ParkedRow } from './ref-store';

/** A receipt to park as unmatched: its provider id was not known when it was handled. */
export interface UnmatchedReceipt {
  readonly provider: string;
  /** Normalised (normaliseProviderMessageId). */
  readonly providerMessageId: string;
  /** The status event to publish once the id is known, without its message id, as JSON. */
  readonly event: string;
  readonly webhookId: string;
}

interface UnmatchedRow {
  id: number | string;
  event: string;
}

interface ParkedKeyRow {
  webhook_id: string;
  provider_message_id: string;
}

const PARK_COLUMNS = ['provider', 'provider_message_id', 'event', 'reason', 'webhook_id', 'parked_at'] as const;

const UNMATCHED_SQL =
  "SELECT id, event FROM parked_receipts WHERE provider = ? AND provider_message_id = ? AND reason = 'unmatched' ORDER BY id";

/** Receipts parked (or ids forgotten) in one batch at most. */
const MAX_BATCH = 500;

const keyOf = (webhookId: string, providerMessageId: string): string => `${webhookId}\u0000${providerMessageId}`;

/**
 * The statements of receipts that overtook their send result: park them, find what is parked under an
 * id, and forget what was applied. Hand-written SQL through SqlRunner (the driver's prepared statements on
 * SQLite, plain statements on MySQL) in autocommit, as the repository calls before it.
 *
 * Receipts parked while an earlier batch is being written go together (group commit): one SELECT finds
 * which of them a replay of their webhook parked already, one multi-row INSERT parks the rest. Ids applied
 * meanwhile are deleted by one statement. Under load most receipts of a burst can overtake their send
 * result; one receipt at a time cost two statements to park (TypeORM's insert read the row back: three)
 * and one to forget.
 */
export class ParkedReceiptStore {
  private runner: SqlRunner | undefined;
  private readonly parking: GroupCommitter<UnmatchedReceipt, void>;
  private readonly forgetting: GroupCommitter<readonly string[], void>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly now: () => Date = () => new Date(),
  ) {
    // SQLite answers within the caller's turn: gathering one turn's submissions is what forms a batch there.
    const gather = !isMysql(dataSource);
    this.parking = new GroupCommitter((batch) => this.parkBatch(batch), {
      maxBatch: MAX_BATCH,
      maxConcurrent: 1,
      gather,
    });
    this.forgetting = new GroupCommitter((batch) => this.forgetBatch(batch), {
      maxBatch: MAX_BATCH,
      maxConcurrent: 1,
      gather,
    });
  }

  /** Made on first use: the SQLite handle exists only once the data source is initialised. */
  private get sql(): SqlRunner {
    this.runner ??= sqlRunnerOf(this.dataSource.manager);

    return this.runner;
  }

  /**
   * Parks a receipt as unmatched, once per webhook and id: a replay of a webhook still unmatched finds its
   * first parking, so it is listed and applied once, not per replay. Resolves once the row is stored.
   */
  parkUnmatched(receipt: UnmatchedReceipt): Promise<void> {
    return this.parking.submit(receipt);
  }

  /** The unmatched receipts parked under a provider id, oldest first. */
  async unmatched(provider: string, providerMessageId: string): Promise<ParkedRow[]> {
    const rows = await this.sql.query<UnmatchedRow>(UNMATCHED_SQL, [provider, providerMessageId]);

    return rows.map((row) => ({ id: String(row.id), event: row.event }));
  }

  /** Deletes parked receipts by id. */
  forget(ids: readonly string[]): Promise<void> {
    return ids.length === 0 ? Promise.resolve() : this.forgetting.submit(ids);
  }

  private async parkBatch(batch: readonly UnmatchedReceipt[]): Promise<void[]> {
    const parked = await this.parkedAlready(batch);
    const rows: unknown[][] = [];
    const parkedAt = this.sql.value(this.now());
    for (const receipt of batch) {
      const key = keyOf(receipt.webhookId, receipt.providerMessageId);
      if (!parked.has(key)) {
        parked.add(key);
        rows.push([
          receipt.provider,
          receipt.providerMessageId,
          receipt.event,
          'unmatched',
          receipt.webhookId,
          parkedAt,
        ]);
      }
    }
    const rowsPerStatement = Math.floor(MAX_BOUND_PARAMETERS / PARK_COLUMNS.length);
    const placeholder = `(${PARK_COLUMNS.map(() => '?').join(',')})`;
    for (let from = 0; from < rows.length; from += rowsPerStatement) {
      const chunk = rows.slice(from, from + rowsPerStatement);
      await this.sql.execute(
        `INSERT INTO parked_receipts (${PARK_COLUMNS.join(',')}) VALUES ${chunk.map(() => placeholder).join(',')}`,
        chunk.flat(),
      );
    }

    return batch.map(() => undefined);
  }

  /** (webhook, id) pairs of `batch` parked as unmatched already. */
  private async parkedAlready(batch: readonly UnmatchedReceipt[]): Promise<Set<string>> {
    const webhookIds = [...new Set(batch.map((receipt) => receipt.webhookId))];
    const parked = new Set<string>();
    for (let from = 0; from < webhookIds.length; from += MAX_BOUND_PARAMETERS) {
      const chunk = webhookIds.slice(from, from + MAX_BOUND_PARAMETERS);
      const rows = await this.sql.query<ParkedKeyRow>(
        `SELECT webhook_id, provider_message_id FROM parked_receipts
         WHERE reason = 'unmatched' AND webhook_id IN (${chunk.map(() => '?').join(',')})`,
        chunk,
      );
      for (const row of rows) {
        parked.add(keyOf(row.webhook_id, row.provider_message_id));
      }
    }

    return parked;
  }

  private async forgetBatch(batch: readonly (readonly string[])[]): Promise<void[]> {
    const ids = [...new Set(batch.flat())];
    for (let from = 0; from < ids.length; from += MAX_BOUND_PARAMETERS) {
      const chunk = ids.slice(from, from + MAX_BOUND_PARAMETERS);
      await this.sql.execute(`DELETE FROM parked_receipts WHERE id IN (${chunk.map(() => '?').join(',')})`, chunk);
    }

    return batch.map(() => undefined);
  }
}
