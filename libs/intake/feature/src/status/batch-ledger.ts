import { MAX_BOUND_PARAMETERS, type SqlRunner } from '@sms/persistence';

/** What the in-memory decisions of a batch need of one ledger row. */
export interface LedgerRow {
  readonly statusRank: number;
  readonly providerMessageId: string | null;
  readonly dlrFallbacks: number;
}

/** The columns a batch owes one message, the rank the database holds for it (the guard) and the rank they write. */
interface Move {
  readonly id: string;
  readonly columns: Readonly<Record<string, unknown>>;
  readonly storedRank: number;
  readonly rank: number;
}

/**
 * Thrown when a batch write changed fewer or more rows than the batch moved in memory: some row was not
 * as it was read. The transaction rolls back and the GroupCommitter applies the events again one by one.
 */
export class StaleLedgerError extends Error {
  constructor(expected: number, changed: number) {
    super(`status batch: ${changed} of ${expected} ledger rows matched their rank as read; the batch is rolled back`);
    this.name = StaleLedgerError.name;
  }
}

/**
 * A batch's ledger rows, read under their row locks, moved in memory by the batch's plain events and
 * written back at the end instead of one UPDATE per event (see flush). Several moves of one message
 * collapse into its final column values, which is what the sequential UPDATEs would have left (they set
 * constants).
 *
 * The write is still a compare-and-set, never a blind read-modify-write (reliability.md): it changes a
 * row only while its status_rank is the one the decisions were made on, and the affected rows must equal
 * the moved messages. The locks make a mismatch impossible on MySQL, and SQLite runs one transaction at a
 * time, so a mismatch means a writer or a decision this code does not know about: it throws rather than
 * let a wrong decision stand, and the per-event path, which decides in SQL, applies the events instead.
 */
export class BatchLedger {
  /** The rows as the batch's events so far have left them. */
  private readonly rows: Map<string, LedgerRow>;
  /** Each row's rank in the database: as read, or as last flushed. */
  private readonly storedRanks: Map<string, number>;
  private readonly pending = new Map<string, Record<string, unknown>>();

  constructor(read: ReadonlyMap<string, LedgerRow>) {
    this.rows = new Map(
      [...read].map(([id, row]) => [
        id,
        { statusRank: row.statusRank, providerMessageId: row.providerMessageId, dlrFallbacks: row.dlrFallbacks },
      ]),
    );
    this.storedRanks = new Map([...read].map(([id, row]) => [id, row.statusRank]));
  }

  /** The row as the batch knows it; undefined when there is none, or per-event SQL has taken the message over. */
  row(id: string): LedgerRow | undefined {
    return this.rows.get(id);
  }

  /** A plain event moved the message to `rank`: its columns are written by the next flush. */
  move(id: string, rank: number, columns: Readonly<Record<string, unknown>>): void {
    const row = this.rows.get(id);
    if (row === undefined) {
      throw new Error(`status batch: no ledger row ${id} to move`);
    }
    this.rows.set(id, {
      ...row,
      statusRank: rank,
      providerMessageId:
        'provider_message_id' in columns ? (columns['provider_message_id'] as string | null) : row.providerMessageId,
    });
    this.pending.set(id, { ...this.pending.get(id), ...columns });
  }

  /**
   * Per-event SQL is about to write this message: what the batch owes it goes first (statement order per
   * message stays arrival order), and from now on the batch no longer knows the row, so its later events
   * take the per-event path too.
   */
  async handOver(sql: SqlRunner, id: string): Promise<void> {
    await this.flush(sql, [id]);
    this.rows.delete(id);
  }

  /**
   * Writes the pending moves (of `ids`, or all) and checks every row changed. On MySQL a chunk of messages
   * per statement (one per set of columns they set): each statement is a round trip. SQLite runs
   * in-process, where a statement per message is cheaper: its text repeats, so it is prepared once and
   * cached, while a statement over the whole batch is prepared anew every time.
   */
  async flush(sql: SqlRunner, ids: Iterable<string> = [...this.pending.keys()]): Promise<void> {
    const moves = [...ids].flatMap((id) => this.pendingMove(id));
    const chunks = sql.mysql ? chunksUnderParameterLimit(moves) : moves.map((move) => [move]);
    for (const chunk of chunks) {
      for (const statement of updateStatements(chunk, (value) => sql.value(value))) {
        const changed = await sql.execute(statement.sql, statement.parameters);
        if (changed !== statement.rows) {
          throw new StaleLedgerError(statement.rows, changed);
        }
      }
    }
    for (const { id, rank } of moves) {
      this.pending.delete(id);
      this.storedRanks.set(id, rank);
    }
  }

  private pendingMove(id: string): Move[] {
    const columns = this.pending.get(id);
    const storedRank = this.storedRanks.get(id);
    const row = this.rows.get(id);

    return columns && storedRank !== undefined && row ? [{ id, columns, storedRank, rank: row.statusRank }] : [];
  }
}

/**
 * Bound parameters of one move in the joined UPDATE: its id and guard rank, plus one value per column
 * (an upper bound: columns every move of its statement sets alike are bound once).
 */
const parametersOf = (move: Move): number => Object.keys(move.columns).length + 2;

function chunksUnderParameterLimit(moves: readonly Move[]): Move[][] {
  const chunks: Move[][] = [];
  let current: Move[] = [];
  let parameters = 0;
  for (const move of moves) {
    if (current.length > 0 && parameters + parametersOf(move) > MAX_BOUND_PARAMETERS) {
      chunks.push(current);
      current = [];
      parameters = 0;
    }
    current.push(move);
    parameters += parametersOf(move);
  }
  if (current.length > 0) {
    chunks.push(current);
  }

  return chunks;
}

/**
 * The batch's moves as UPDATE statements, one per set of columns (a receipt storm's moves all set the same
 * columns, so usually one): `UPDATE sms_messages m JOIN (SELECT ? AS id, ? AS was, ? AS c0 … UNION ALL
 * SELECT ?, ?, ? …) v ON m.id = v.id SET m.col = v.c0, m.other = ? WHERE m.status_rank = v.was`. A column
 * every move sets to the same value is bound once; the others come from the move's row of the derived
 * table. Each message gets its own values, and a row whose rank is no longer the stored one is left alone
 * (and counted missing).
 *
 * Why a join and not `SET col = CASE id WHEN ? THEN ? … END`: MariaDB evaluates a CASE by scanning its
 * branches, once per column and row, so a batch of n moves cost n² id comparisons per column, and the
 * statement carried every id once per column (~118 KB for 140 receipts; parsing and the scans were most
 * of MariaDB's CPU in a receipt storm, bench/dlr.bench.ts). The join looks each row up by primary key.
 * Column names come from our own code, values are bound.
 */
function updateStatements(moves: readonly Move[], bind: (value: unknown) => unknown): Statement[] {
  const [only] = moves;
  if (moves.length === 1 && only) {
    return [updateOneStatement(only, bind)];
  }
  const bySignature = new Map<string, Move[]>();
  for (const move of moves) {
    const signature = Object.keys(move.columns).sort().join(',');
    bySignature.set(signature, [...(bySignature.get(signature) ?? []), move]);
  }

  return [...bySignature.values()].map((group) => joinedUpdate(group, bind));
}

interface Statement {
  readonly sql: string;
  readonly parameters: unknown[];
  /** Rows the statement must change: the guard held for each of them. */
  readonly rows: number;
}

function joinedUpdate(moves: readonly Move[], bind: (value: unknown) => unknown): Statement {
  const [first] = moves as [Move, ...Move[]];
  const columns = Object.keys(first.columns).sort();
  const constant = columns.filter((column) => {
    const value = bind(first.columns[column]);

    return moves.every((move) => sameValue(bind(move.columns[column]), value));
  });
  const varying = columns.filter((column) => !constant.includes(column));
  const parameters: unknown[] = [];
  const rows = moves.map((move, index) => {
    parameters.push(move.id, move.storedRank, ...varying.map((column) => bind(move.columns[column])));
    const names = index === 0 ? ['id', 'was', ...varying.map((_, i) => `c${i}`)] : [];
    const values = ['?', '?', ...varying.map(() => '?')].map((p, i) => (names[i] ? `${p} AS ${names[i]}` : p));

    return `SELECT ${values.join(', ')}`;
  });
  const assignments = [
    ...varying.map((column, i) => `m.${column} = v.c${i}`),
    ...constant.map((column) => {
      parameters.push(bind(first.columns[column]));

      return `m.${column} = ?`;
    }),
  ];

  return {
    sql:
      `UPDATE sms_messages m JOIN (${rows.join(' UNION ALL ')}) v ON m.id = v.id` +
      ` SET ${assignments.join(', ')} WHERE m.status_rank = v.was`,
    parameters,
    rows: moves.length,
  };
}

/** Bound values as the driver sends them: dates by their instant, the rest by identity. */
const sameValue = (a: unknown, b: unknown): boolean =>
  a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b;

/** `UPDATE sms_messages SET col = ?, … WHERE id = ? AND status_rank = ?`: the same write and guard for one message. */
function updateOneStatement(move: Move, bind: (value: unknown) => unknown): Statement {
  const columns = Object.keys(move.columns);

  return {
    sql: `UPDATE sms_messages SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE id = ? AND status_rank = ?`,
    parameters: [...columns.map((c) => bind(move.columns[c])), move.id, move.storedRank],
    rows: 1,
  };
}
