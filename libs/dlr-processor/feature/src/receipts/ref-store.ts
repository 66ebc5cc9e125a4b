import { dbValue, GroupCommitter, isMysql, MAX_BOUND_PARAMETERS } from '@sms/persistence';
import type { DataSource } from 'typeorm';
import type { PartRef } from './part-rollup';

/** One provider id a `sent` event teaches: which message (and part) it stands for. */
export interface LearnedRef extends PartRef {
  readonly provider: string;
  /** Normalised (normaliseProviderMessageId). */
  readonly providerMessageId: string;
}

/** A receipt parked under a provider id before that id was known. */
export interface ParkedRow {
  readonly id: string;
  readonly event: string;
}

interface ParkedQueryRow {
  id: number | string;
  provider: string;
  provider_message_id: string;
  event: string;
}

const REF_COLUMNS = [
  'provider',
  'provider_message_id',
  'message_id',
  'part_index',
  'part_count',
  'trace_parent',
  'created_at',
] as const;

const keyOf = (provider: string, providerMessageId: string): string => `${provider}\u0000${providerMessageId}`;

/**
 * Stores the provider ids `sent` events teach and finds the receipts parked under them, for all the
 * send results a consumer handles at once: one multi-row INSERT and one SELECT per batch instead of an
 * ORM insert and an ORM find per id (each costs more CPU to build than the database spends on it).
 *
 * The first writer of an id wins and a repeated one is skipped by the key itself (a redelivered `sent`
 * event, or a replica racing), as the one-row inserts that ignored duplicate keys did. Writing first and
 * looking for parked receipts second keeps the correlation rule of ReceiptProcessor: a receipt parks
 * first and looks for the ref second, so one of the two sides always sees the pair.
 */
export class RefStore {
  private readonly learning: GroupCommitter<readonly LearnedRef[], ParkedRow[][]>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.learning = new GroupCommitter((batches) => this.learnBatch(batches), { maxBatch: 500, maxConcurrent: 1 });
  }

  /** Stores `refs` (one event's ids) and returns, per ref in order, the receipts parked under it, oldest first. */
  learn(refs: readonly LearnedRef[]): Promise<ParkedRow[][]> {
    return refs.length === 0 ? Promise.resolve([]) : this.learning.submit(refs);
  }

  /** Resolves once every submitted batch is written. */
  drain(): Promise<void> {
    return this.learning.drain();
  }

  private async learnBatch(batches: readonly (readonly LearnedRef[])[]): Promise<ParkedRow[][][]> {
    const refs = batches.flat();
    await this.insertIgnoringDuplicates(refs);
    const parked = await this.parkedUnder(refs);

    return batches.map((batch) => batch.map((ref) => parked.get(keyOf(ref.provider, ref.providerMessageId)) ?? []));
  }

  private async insertIgnoringDuplicates(refs: readonly LearnedRef[]): Promise<void> {
    const createdAt = dbValue(this.dataSource, this.now());
    const rowsPerStatement = Math.floor(MAX_BOUND_PARAMETERS / REF_COLUMNS.length);
    const placeholder = `(${REF_COLUMNS.map(() => '?').join(',')})`;
    // Only a duplicate key is skipped, unlike INSERT IGNORE, which would also swallow truncations.
    const onDuplicate = isMysql(this.dataSource)
      ? 'ON DUPLICATE KEY UPDATE provider = provider'
      : 'ON CONFLICT (provider, provider_message_id) DO NOTHING';
    for (let from = 0; from < refs.length; from += rowsPerStatement) {
      const chunk = refs.slice(from, from + rowsPerStatement);
      const parameters: unknown[] = [];
      for (const ref of chunk) {
        parameters.push(
          ref.provider,
          ref.providerMessageId,
          ref.messageId,
          ref.partIndex,
          ref.partCount,
          ref.traceParent ?? null,
          createdAt,
        );
      }
      await this.dataSource.query(
        `INSERT INTO provider_message_refs (${REF_COLUMNS.join(',')}) VALUES ${chunk.map(() => placeholder).join(',')} ${onDuplicate}`,
        parameters,
      );
    }
  }

  /** Unmatched receipts parked under any of `refs`' ids, by provider and id, oldest first. */
  private async parkedUnder(refs: readonly LearnedRef[]): Promise<Map<string, ParkedRow[]>> {
    const idsByProvider = new Map<string, Set<string>>();
    for (const ref of refs) {
      const ids = idsByProvider.get(ref.provider) ?? new Set<string>();
      ids.add(ref.providerMessageId);
      idsByProvider.set(ref.provider, ids);
    }
    const found = new Map<string, ParkedRow[]>();
    for (const [provider, idSet] of idsByProvider) {
      const ids = [...idSet];
      for (let from = 0; from < ids.length; from += MAX_BOUND_PARAMETERS - 1) {
        const chunk = ids.slice(from, from + MAX_BOUND_PARAMETERS - 1);
        const rows: ParkedQueryRow[] = await this.dataSource.query(
          `SELECT id, provider, provider_message_id, event FROM parked_receipts
           WHERE reason = 'unmatched' AND provider = ? AND provider_message_id IN (${chunk.map(() => '?').join(',')})
           ORDER BY id`,
          [provider, ...chunk],
        );
        for (const row of rows) {
          const key = keyOf(row.provider, row.provider_message_id);
          const list = found.get(key) ?? [];
          list.push({ id: String(row.id), event: row.event });
          found.set(key, list);
        }
      }
    }

    return found;
  }
}
