import { isDuplicateKeyError, type SqlRunner, sqlRunnerOf } from '@sms/persistence';
import type { DataSource } from 'typeorm';

const CLAIM_COLUMNS = ['message_id', 'attempt', 'provider', 'state', 'created_at', 'updated_at'] as const;

const FINISH_SQL =
  'UPDATE send_attempts SET state = ?, latency_ms = ?, provider_message_id = ?, outcome = ?, updated_at = ? ' +
  'WHERE message_id = ? AND attempt = ?';

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
 * Each is one statement in autocommit, as before: the claim is durable before the provider call.
 */
export class SendAttemptStore {
  private readonly sql: SqlRunner;

  constructor(dataSource: DataSource) {
    // The data source's own manager: no transaction, so each statement commits on its own.
    this.sql = sqlRunnerOf(dataSource.manager);
  }

  /** Inserts the (message, attempt) row as `sending`; false when it exists already (a redelivery). */
  async claim(messageId: string, attempt: number, provider: string, now: Date): Promise<boolean> {
    try {
      await this.sql.insert('send_attempts', CLAIM_COLUMNS, [[messageId, attempt, provider, 'sending', now, now]]);

      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) {
        return false;
      }
      throw error;
    }
  }

  /** Marks the attempt done with its outcome. */
  async finish(messageId: string, attempt: number, done: AttemptOutcome, now: Date): Promise<void> {
    await this.sql.execute(FINISH_SQL, [
      'done',
      done.latencyMs,
      done.providerMessageId,
      done.outcome,
      this.sql.value(now),
      messageId,
      attempt,
    ]);
  }
}
