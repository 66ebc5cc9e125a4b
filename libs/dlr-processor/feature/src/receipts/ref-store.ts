import { GroupCommitter, isMysql, MAX_BOUND_PARAMETERS, type SqlRunner, sqlRunnerOf } from '@sms/persistence';
import type { DataSource } from 'typeorm';
import type { PartRef } from './part-rollup';
import type { SendRoute } from './send-route';

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
  'sent_at',
  'country',
  'network',
  'created_at',
] as const;

interface RefRow {
  provider_message_id: string;
  message_id: string;
  part_index: number | string;
  part_count: number | string;
  trace_parent: string | null;
  sent_at: number | string | null;
  country: string | null;
  network: string | null;
}

/** The route columns of a stored ref, or null when the ref predates them (or its send said nothing). */
function routeOf(row: RefRow): SendRoute | null {
  const sentAt = row.sent_at === null ? NaN : Number(row.sent_at);

  return Number.isFinite(sentAt) ? { sentAt, country: row.country, network: row.network } : null;
}

interface RefKey {
  readonly provider: string;
  readonly providerMessageId: string;
}

/** Refs kept in memory at most (oldest dropped first): a receipt usually follows its send within seconds. */
const DEFAULT_CACHED_REFS = 50_000;

const keyOf = (provider: string, providerMessageId: string): string => `${provider}\u0000${providerMessageId}`;

/**
 * Stores the provider ids `sent` events teach, finds the receipts parked under them, and looks ids up
 * for receipts, for all the records a consumer handles at once: one multi-row INSERT and one SELECT per
 * batch instead of an ORM insert and an ORM find per id (each costs more CPU to build than the database
 * spends on it).
 *
 * The first writer of an id wins and a repeated one is skipped by the key itself (a redelivered `sent`
 * event, or a replica racing), as the one-row inserts that ignored duplicate keys did. Writing first and
 * looking for parked receipts second keeps the correlation rule of ReceiptProcessor: a receipt parks
 * first and looks for the ref second, so one of the two sides always sees the pair.
 *
 * A stored ref never changes, so what this process knows to be stored is kept in memory (bounded) and a
 * receipt for it needs no query: the refs a batch inserted, when every one of them was new (a skipped
 * duplicate means the stored ref may be someone else's), and the refs queries returned.
 *
 * A receipt whose id this process is writing at that moment waits for the write and then looks, instead of
 * finding nothing and parking: a consumer handles a `sent` event and its receipts side by side when they
 * come in one fetch, and parking costs a receipt four statements more than matching it.
 *
 * The statements go through a SqlRunner outside any transaction, as `dataSource.query` ran them: on
 * SQLite the driver's cached prepared statements (TypeORM's query path cost more CPU than the statements),
 * on MySQL the data source's manager, unchanged.
 */
export class RefStore {
  private readonly learning: GroupCommitter<readonly LearnedRef[], ParkedRow[][]>;
  private readonly lookups: GroupCommitter<RefKey, PartRef | null>;
  /** provider + id → the stored ref; insertion order is age, the oldest dropped beyond `maxCached`. */
  private readonly known = new Map<string, PartRef>();
  /** provider + id → the write of it in progress (settles once stored, or failed). */
  private readonly writing = new Map<string, Promise<unknown>>();
  private runner: SqlRunner | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly now: () => Date = () => new Date(),
    private readonly maxCached = DEFAULT_CACHED_REFS,
  ) {
    // SQLite answers within the caller's turn, so batches form only by gathering what one turn submits
    // (GroupCommitOptions.gather); MySQL's round trip batches by itself.
    const gather = !isMysql(dataSource);
    this.learning = new GroupCommitter((batches) => this.learnBatch(batches), {
      maxBatch: 500,
      maxConcurrent: 1,
      gather,
    });
    // Lookups of concurrent receipts share one query: the group-commit batcher, used for reads.
    this.lookups = new GroupCommitter((keys) => this.lookUp(keys), { maxBatch: 500, maxConcurrent: 1, gather });
  }

  /** Made on first use: the SQLite handle exists only once the data source is initialised. */
  private get sql(): SqlRunner {
    this.runner ??= sqlRunnerOf(this.dataSource.manager);

    return this.runner;
  }

  /** The stored ref of a provider id, or null when none is stored (yet). */
  find(provider: string, providerMessageId: string): Promise<PartRef | null> {
    const key = keyOf(provider, providerMessageId);
    const written = this.writing.get(key);
    if (written) {
      return written.then(() => this.findStored(key, provider, providerMessageId));
    }

    return this.findStored(key, provider, providerMessageId);
  }

  private findStored(key: string, provider: string, providerMessageId: string): Promise<PartRef | null> {
    const cached = this.known.get(key);

    return cached ? Promise.resolve(cached) : this.lookups.submit({ provider, providerMessageId });
  }

  /** Stores `refs` (one event's ids) and returns, per ref in order, the receipts parked under it, oldest first. */
  learn(refs: readonly LearnedRef[]): Promise<ParkedRow[][]> {
    if (refs.length === 0) {
      return Promise.resolve([]);
    }
    const learned = this.learning.submit(refs);
    // Settles either way: a failed write leaves a waiting receipt to its own lookup (and parking).
    const settled = learned.then(
      () => undefined,
      () => undefined,
    );
    const keys = refs.map((ref) => keyOf(ref.provider, ref.providerMessageId));
    for (const key of keys) {
      this.writing.set(key, settled);
    }
    void settled.then(() => {
      for (const key of keys) {
        if (this.writing.get(key) === settled) {
          this.writing.delete(key);
        }
      }
    });

    return learned;
  }

  /** Resolves once every submitted batch is written. */
  drain(): Promise<void> {
    return this.learning.drain();
  }

  private async learnBatch(batches: readonly (readonly LearnedRef[])[]): Promise<ParkedRow[][][]> {
    const refs = batches.flat();
    if ((await this.insertIgnoringDuplicates(refs)) === refs.length) {
      for (const ref of refs) {
        this.remember(ref.provider, ref.providerMessageId, ref);
      }
    }
    const parked = await this.parkedUnder(refs);

    return batches.map((batch) => batch.map((ref) => parked.get(keyOf(ref.provider, ref.providerMessageId)) ?? []));
  }

  private remember(provider: string, providerMessageId: string, ref: PartRef): void {
    const key = keyOf(provider, providerMessageId);
    this.known.delete(key);
    this.known.set(key, {
      messageId: ref.messageId,
      partIndex: ref.partIndex,
      partCount: ref.partCount,
      traceParent: ref.traceParent ?? null,
      route: ref.route ?? null,
    });
    if (this.known.size > this.maxCached) {
      const oldest = this.known.keys().next();
      if (!oldest.done) {
        this.known.delete(oldest.value);
      }
    }
  }

  /** Inserts the refs a duplicate key does not stop; returns how many were inserted. */
  private async insertIgnoringDuplicates(refs: readonly LearnedRef[]): Promise<number> {
    const createdAt = this.sql.value(this.now());
    const rowsPerStatement = Math.floor(MAX_BOUND_PARAMETERS / REF_COLUMNS.length);
    const placeholder = `(${REF_COLUMNS.map(() => '?').join(',')})`;
    // MySQL: IGNORE, as ON DUPLICATE KEY UPDATE counts a skipped row as affected (FOUND_ROWS) and the
    // count tells whether every ref was new. IGNORE would also cut an over-long value instead of failing,
    // but every value here is bounded by construction (ids cut to the column widths, UUIDs, traceparents).
    const [insert, onConflict] = this.sql.mysql
      ? ['INSERT IGNORE INTO', '']
      : ['INSERT INTO', ' ON CONFLICT (provider, provider_message_id) DO NOTHING'];
    let inserted = 0;
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
          ref.route?.sentAt ?? null,
          ref.route?.country ?? null,
          ref.route?.network ?? null,
          createdAt,
        );
      }
      inserted += await this.sql.execute(
        `${insert} provider_message_refs (${REF_COLUMNS.join(',')}) VALUES ${chunk.map(() => placeholder).join(',')}${onConflict}`,
        parameters,
      );
    }

    return inserted;
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
        const rows = await this.sql.query<ParkedQueryRow>(
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

  private async lookUp(keys: readonly RefKey[]): Promise<(PartRef | null)[]> {
    const idsByProvider = new Map<string, Set<string>>();
    for (const key of keys) {
      const ids = idsByProvider.get(key.provider) ?? new Set<string>();
      ids.add(key.providerMessageId);
      idsByProvider.set(key.provider, ids);
    }
    const found = new Map<string, PartRef>();
    for (const [provider, ids] of idsByProvider) {
      const rows = await this.sql.query<RefRow>(
        `SELECT provider_message_id, message_id, part_index, part_count, trace_parent, sent_at, country, network
           FROM provider_message_refs
         WHERE provider = ? AND provider_message_id IN (${[...ids].map(() => '?').join(',')})`,
        [provider, ...ids],
      );
      for (const row of rows) {
        const ref: PartRef = {
          messageId: row.message_id,
          partIndex: Number(row.part_index),
          partCount: Number(row.part_count),
          traceParent: row.trace_parent,
          route: routeOf(row),
        };
        found.set(keyOf(provider, row.provider_message_id), ref);
        this.remember(provider, row.provider_message_id, ref);
      }
    }

    return keys.map((key) => found.get(keyOf(key.provider, key.providerMessageId)) ?? null);
  }
}
