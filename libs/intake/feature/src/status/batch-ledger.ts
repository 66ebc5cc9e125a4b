import { MAX_BOUND_PARAMETERS, type SqlRunner } from '@sms/persistence';
import { type TimeWindow, windowAround } from '../ledger/partition-window';

/** What the in-memory decisions of a batch need of one ledger row. */
export interface LedgerRow {
  readonly statusRank: number;
  readonly providerMessageId: string | null;
  readonly dlrFallbacks: number;
  /** The row's created_at as read: its UPDATE names the partition (MySQL). Absent, every partition is probed. */
  readonly createdAt?: Date;
}

/** The columns a batch owes one message, the rank the database holds for it (the guard) and the rank they write. */
interface Move {
  readonly id: string;
  readonly columns: Readonly<Record<string, unknown>>;
  readonly storedRank: number;
  readonly rank: number;
  readonly createdAt: Date | undefined;
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
  private readonly createdAts: Map<string, Date | undefined>;

  constructor(read: ReadonlyMap<string, LedgerRow>) {
    this.rows = new Map(
      [...read].map(([id, row]) => [
        id,
        { statusRank: row.statusRank, providerMessageId: row.providerMessageId, dlrFallbacks: row.dlrFallbacks },
      ]),
    );
    this.storedRanks = new Map([...read].map(([id, row]) => [id, row.statusRank]));
    this.createdAts = new Map([...read].map(([id, row]) => [id, row.createdAt]));
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
   * Writes the pending moves (of `ids`, or all) and checks every row changed. On MySQL one statement per
   * chunk of messages, whatever columns they set: each statement is a round trip. SQLite runs
   * in-process, where a statement per message is cheaper: its text repeats, so it is prepared once and
   * cached, while a statement over the whole batch is prepared anew every time.
   */
  async flush(sql: SqlRunner, ids: Iterable<string> = [...this.pending.keys()]): Promise<void> {
    const moves = [...ids].flatMap((id) => this.pendingMove(id));
    const chunks = sql.mysql ? chunksUnderParameterLimit(moves) : moves.map((move) => [move]);
    for (const chunk of chunks) {
      for (const statement of updateStatements(chunk, (value) => sql.value(value), sql.mysql)) {
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

    return columns && storedRank !== undefined && row
      ? [{ id, columns, storedRank, rank: row.statusRank, createdAt: this.createdAts.get(id) }]
      : [];
  }
}

/**
 * Chunks of moves whose joined UPDATE stays under the bound-parameter limit. A row of the derived table
 * binds its id, guard rank and one value per column of the chunk that some move sets (an upper bound:
 * columns every move sets alike are bound once), plus one flag per column only some moves set.
 */
/** The created_at window an UPDATE may add (createdWindowOf). */
const WINDOW_PARAMETERS = 2;

function chunksUnderParameterLimit(moves: readonly Move[]): Move[][] {
  const chunks: Move[][] = [];
  let current: Move[] = [];
  let columns = new Set<string>();
  for (const move of moves) {
    const union = new Set([...columns, ...Object.keys(move.columns)]);
    if (current.length > 0 && (current.length + 1) * (2 * union.size + 2) + WINDOW_PARAMETERS > MAX_BOUND_PARAMETERS) {
      chunks.push(current);
      current = [];
      columns = new Set(Object.keys(move.columns));
    } else {
      columns = union;
    }
    current.push(move);
  }
  if (current.length > 0) {
    chunks.push(current);
  }

  return chunks;
}

/**
 * The batch's moves as one UPDATE, whatever columns each sets (a `sent` sets the provider's, a receipt the
 * final ones): `UPDATE sms_messages m JOIN (SELECT ? AS id, ? AS was, ? AS c0, ? AS s1, ? AS c1 … UNION ALL
 * SELECT ?, ?, ?, ?, ? …) v ON m.id = v.id SET m.col = v.c0, m.part = IF(v.s1, v.c1, m.part), m.other = ?
 * WHERE m.status_rank = v.was`. A column every move sets to the same value is bound once; one every move
 * sets comes from the move's row; one only some moves set carries a flag per row, and a row whose move does
 * not set it keeps its value. Each message gets its own values, and a row whose rank is no longer the stored
 * one is left alone (and counted missing). One statement, not one per set of columns: on MySQL each is a
 * round trip, and its changed-row count is read before the batch goes on.
 *
 * Why a join and not `SET col = CASE id WHEN ? THEN ? … END`: MariaDB evaluates a CASE by scanning its
 * branches, once per column and row, so a batch of n moves cost n² id comparisons per column, and the
 * statement carried every id once per column (~118 KB for 140 receipts; parsing and the scans were most
 * of MariaDB's CPU in a receipt storm, bench/dlr.bench.ts). The join looks each row up by primary key.
 * Column names come from our own code, values are bound.
 */
function updateStatements(moves: readonly Move[], bind: (value: unknown) => unknown, mysql: boolean): Statement[] {
  const [only] = moves;
  const window = mysql ? createdWindowOf(moves) : null;

  return [moves.length === 1 && only ? updateOneStatement(only, bind, window) : joinedUpdate(moves, bind, window)];
}

/**
 * The created_at span of the rows as read (they are locked, so it cannot move): on MySQL, where the ledger
 * is partitioned by month, the UPDATE then descends the primary key of those partitions only, not of every
 * month kept. Null when a row's time is unknown.
 */
function createdWindowOf(moves: readonly Move[]): TimeWindow | null {
  const times: Date[] = [];
  for (const move of moves) {
    if (move.createdAt === undefined) {
      return null;
    }
    times.push(move.createdAt);
  }

  return windowAround(times);
}

const windowCondition = (alias: string, window: TimeWindow | null): string =>
  window ? ` AND ${alias}created_at >= ? AND ${alias}created_at < ?` : '';

interface Statement {
  readonly sql: string;
  readonly parameters: unknown[];
  /** Rows the statement must change: the guard held for each of them. */
  readonly rows: number;
}

/** How the joined UPDATE assigns one column: a bound constant, the row's value, or the row's value if flagged. */
type Assignment = 'constant' | 'each' | 'some';

function joinedUpdate(moves: readonly Move[], bind: (value: unknown) => unknown, window: TimeWindow | null): Statement {
  const columns = [...new Set(moves.flatMap((move) => Object.keys(move.columns)))].sort();
  const kinds = new Map<string, Assignment>();
  for (const column of columns) {
    const setters = moves.filter((move) => column in move.columns);
    const [first] = setters as [Move, ...Move[]];
    const value = bind(first.columns[column]);
    if (setters.length < moves.length) {
      kinds.set(column, 'some');
    } else {
      kinds.set(column, setters.every((move) => sameValue(bind(move.columns[column]), value)) ? 'constant' : 'each');
    }
  }
  const perRow = columns.filter((column) => kinds.get(column) !== 'constant');
  const parameters: unknown[] = [];
  const rows = moves.map((move, index) => {
    const values: string[] = [];
    parameters.push(move.id, move.storedRank);
    values.push(index === 0 ? '? AS id' : '?', index === 0 ? '? AS was' : '?');
    perRow.forEach((column, i) => {
      const sets = column in move.columns;
      if (kinds.get(column) === 'some') {
        parameters.push(sets ? 1 : 0);
        values.push(index === 0 ? `? AS s${i}` : '?');
      }
      parameters.push(sets ? bind(move.columns[column]) : null);
      values.push(index === 0 ? `? AS c${i}` : '?');
    });

    return `SELECT ${values.join(', ')}`;
  });
  const [first] = moves as [Move, ...Move[]];
  const assignments = [
    ...perRow.map((column, i) =>
      kinds.get(column) === 'some' ? `m.${column} = IF(v.s${i}, v.c${i}, m.${column})` : `m.${column} = v.c${i}`,
    ),
    ...columns
      .filter((column) => kinds.get(column) === 'constant')
      .map((column) => {
        parameters.push(bind(first.columns[column]));

        return `m.${column} = ?`;
      }),
  ];

  return {
    sql:
      `UPDATE sms_messages m JOIN (${rows.join(' UNION ALL ')}) v ON m.id = v.id` +
      ` SET ${assignments.join(', ')} WHERE m.status_rank = v.was${windowCondition('m.', window)}`,
    parameters: window ? [...parameters, window.from, window.to] : parameters,
    rows: moves.length,
  };
}

/** Bound values as the driver sends them: dates by their instant, the rest by identity. */
const sameValue = (a: unknown, b: unknown): boolean =>
  a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b;

/** `UPDATE sms_messages SET col = ?, … WHERE id = ? AND status_rank = ?`: the same write and guard for one message. */
function updateOneStatement(move: Move, bind: (value: unknown) => unknown, window: TimeWindow | null): Statement {
  const columns = Object.keys(move.columns);

  return {
    sql: `UPDATE sms_messages SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE id = ? AND status_rank = ?${windowCondition('', window)}`,
    parameters: [
      ...columns.map((c) => bind(move.columns[c])),
      move.id,
      move.storedRank,
      ...(window ? [window.from, window.to] : []),
    ],
    rows: 1,
  };
}
