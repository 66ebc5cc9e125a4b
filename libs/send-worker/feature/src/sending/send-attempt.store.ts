import {
  GroupCommitter,
  inSqlTransaction,
  isDuplicateKeyError,
  isMysql,
  type SqlRunner,
  sqlRunnerOf,
} from '@sms/persistence';
import type { DataSource } from 'typeorm';

const CLAIM_COLUMNS = ['message_id', 'attempt', 'provider', 'state', 'created_at', 'updated_at'] as const;

const FINISH_SQL =
  'UPDATE send_attempts SET state = ?, latency_ms = ?, provider_message_id = ?, outcome = ?, updated_at = ? ' +
  'WHERE message_id = ? AND attempt = ?';

interface Claim {
  readonly messageId: string;
  readonly attempt: number;
  readonly provider: string;
  readonly now: Date;
}

interface Finish {
  readonly messageId: string;
  readonly attempt: number;
  readonly done: AttemptOutcome;
  readonly now: Date;
}

/** Claims written together at most; the dispatches of one fetch that reach their slot at once share a statement. */
const MAX_CLAIMS_PER_BATCH = 500;
/** Outcomes written together at most: each carries its status event (about a kilobyte of JSON). */
const MAX_FINISHES_PER_BATCH = 200;

/** What an attempt records once its outcome is known, to republish it verbatim on a redelivery. */
export interface AttemptOutcome {
  readonly latencyMs: number;
  readonly providerMessageId: string | null;
  /** The status event published for the attempt, as JSON. */
  readonly outcome: string;
}

/**
 * The claim and the outcome of a send attempt, the two statements every dispatch runs. Hand-written SQL
 * through SqlRunner (driver-level prepared statements on SQLite, one plain query on MySQL) because TypeORM's
 * insert and update builders spend more CPU building each statement than the database spends running it.
 * Claims made while an earlier one is being written are written together (group commit): on MySQL one
 * multi-row INSERT in autocommit, on SQLite the rows in one transaction, so a batch is stored whole or not
 * at all, and every claim is durable before its caller calls the provider. A batch that fails (a
 * redelivered dispatch's duplicate key) is written again claim by claim, so only the duplicate is refused.
 * Outcomes are grouped the same way (on MySQL one UPDATE joined to the batch's values), each durable
 * before its caller publishes it.
 */
export class SendAttemptStore {
  private readonly sql: SqlRunner;
  private readonly claims: GroupCommitter<Claim, void>;
  private readonly finishes: GroupCommitter<Finish, void>;

  constructor(private readonly dataSource: DataSource) {
    // The data source's own manager: no transaction, so each statement commits on its own.
    this.sql = sqlRunnerOf(dataSource.manager);
    // Claims are never gathered: a claim runs at the dispatch's rate-limit slot and the provider call
    // follows it, so deferring it to the end of the loop turn would move the call off its slot by however
    // long the turn's I/O takes, and two sends of one number could reach the provider closer together than
    // its rate allows. A consumer's batch still shares a statement (all but its first claim).
    this.claims = new GroupCommitter((batch) => this.writeClaims(batch), {
      maxBatch: MAX_CLAIMS_PER_BATCH,
      maxConcurrent: 1,
    });
    // Outcomes are gathered on SQLite, whose statements finish within the caller's turn: otherwise every
    // batch holds one outcome and pays a commit of its own (GroupCommitOptions.gather). MySQL's round trip
    // lets batches form by itself.
    this.finishes = new GroupCommitter((batch) => this.writeFinishes(batch), {
      maxBatch: MAX_FINISHES_PER_BATCH,
      maxConcurrent: 1,
      gather: !isMysql(dataSource),
    });
  }

  /** Inserts the (message, attempt) row as `sending`; false when it exists already (a redelivery). */
  async claim(messageId: string, attempt: number, provider: string, now: Date): Promise<boolean> {
    try {
      await this.claims.submit({ messageId, attempt, provider, now });

      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) {
        return false;
      }
      throw error;
    }
  }

  private async writeClaims(batch: readonly Claim[]): Promise<void[]> {
    const rows = batch.map((claim) => [
      claim.messageId,
      claim.attempt,
      claim.provider,
      'sending',
      claim.now,
      claim.now,
    ]);
    if (this.sql.mysql || rows.length === 1) {
      await this.sql.insert('send_attempts', CLAIM_COLUMNS, rows);
    } else {
      // SQLite inserts row by row: a transaction keeps a failed batch from leaving part of it claimed.
      await inSqlTransaction(this.dataSource, (sql) => sql.insert('send_attempts', CLAIM_COLUMNS, rows));
    }

    return batch.map(() => undefined);
  }

  /** Marks the attempt done with its outcome. */
  finish(messageId: string, attempt: number, done: AttemptOutcome, now: Date): Promise<void> {
    return this.finishes.submit({ messageId, attempt, done, now });
  }

  private async writeFinishes(batch: readonly Finish[]): Promise<void[]> {
    if (batch.length === 1 || !this.sql.mysql) {
      const write = async (sql: SqlRunner): Promise<void> => {
        for (const finish of batch) {
          await sql.execute(
            FINISH_SQL,
            finishParameters(finish, (value) => sql.value(value)),
          );
        }
      };
      await (batch.length === 1 ? write(this.sql) : inSqlTransaction(this.dataSource, write));
    } else {
      await this.sql.execute(
        joinedFinishSql(batch.length),
        batch.flatMap((finish) => joinedFinishRow(finish)),
      );
    }

    return batch.map(() => undefined);
  }
}

const finishParameters = (finish: Finish, value: (value: unknown) => unknown): unknown[] => [
  'done',
  finish.done.latencyMs,
  finish.done.providerMessageId,
  finish.done.outcome,
  value(finish.now),
  finish.messageId,
  finish.attempt,
];

const joinedFinishRow = (finish: Finish): unknown[] => [
  finish.messageId,
  finish.attempt,
  finish.done.latencyMs,
  finish.done.providerMessageId,
  finish.done.outcome,
  finish.now,
];

/**
 * MySQL: the outcomes of a batch as one UPDATE joined to their values (`SELECT ? AS message_id, … UNION
 * ALL SELECT ?, …`), each row found by the (message_id, attempt) unique key, as the one-row UPDATE finds it.
 */
function joinedFinishSql(rows: number): string {
  const first =
    'SELECT ? AS message_id, ? AS attempt, ? AS latency_ms, ? AS provider_message_id, ? AS outcome, ? AS at';
  const values = [first, ...Array.from({ length: rows - 1 }, () => 'SELECT ?, ?, ?, ?, ?, ?')].join(' UNION ALL ');

  return (
    `UPDATE send_attempts a JOIN (${values}) v ON a.message_id = v.message_id AND a.attempt = v.attempt ` +
    "SET a.state = 'done', a.latency_ms = v.latency_ms, a.provider_message_id = v.provider_message_id, " +
    'a.outcome = v.outcome, a.updated_at = v.at'
  );
}
