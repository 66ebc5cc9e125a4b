import { type MessageStatus, type MessageTransitionV1, newEventId, StatusEventSource, TOPICS } from '@sms/contracts';
import { affectedRows, dbValue, enqueueOutbox } from '@sms/persistence';
import type { DataSource, EntityManager } from 'typeorm';
import { INTAKE_OUTBOX } from '../database/intake.schema';
import { FINAL_RANK, STATUS_RANK } from './message-state';

/** What a change intake makes itself (not through `sms.status.v1`) needs of the message's row. */
export interface ChangedRow {
  id: string;
  account_id: string;
  status: MessageStatus;
  attempt: number | string;
  callback_url: string | null;
  client_reference: string | null;
}

/** A move intake decides on its own: the status it moves to, and why. */
export interface OwnChange {
  readonly to: MessageStatus;
  readonly errorCode: string | null;
  readonly detail: string;
  /** The row must still be as the caller found it: e.g. `status = 'scheduled'` (SQL, no user input). */
  readonly condition: string;
  readonly params: readonly unknown[];
}

/**
 * Moves one message by intake's own decision (the release of a scheduled message, a cancel, an expiry
 * found by intake) with one conditional UPDATE, and records it as the status applier records events: a
 * `message_events` row and, for a message with a callback URL, `sms.transition.v1` through the outbox, all
 * in the caller's transaction. False when the row no longer matched the condition (another replica or a
 * status event got there first): nothing is written then.
 */
export async function applyOwnChange(
  dataSource: DataSource,
  manager: EntityManager,
  row: ChangedRow,
  change: OwnChange,
  now: Date,
): Promise<boolean> {
  const at = dbValue(dataSource, now);
  const final = STATUS_RANK[change.to] === FINAL_RANK;
  const set = final
    ? 'status = ?, status_rank = ?, updated_at = ?, final_at = ?, next_retry_at = NULL, error_code = ?, error_message = ?'
    : 'status = ?, status_rank = ?, updated_at = ?';
  const values = final
    ? [change.to, STATUS_RANK[change.to], at, at, change.errorCode, change.detail.slice(0, 512)]
    : [change.to, STATUS_RANK[change.to], at];
  const changed = await affectedRows(manager, `UPDATE sms_messages SET ${set} WHERE id = ? AND ${change.condition}`, [
    ...values,
    row.id,
    ...change.params,
  ]);
  if (changed === 0) {
    return false;
  }
  const eventId = newEventId();
  await manager.query(
    'INSERT INTO message_events (event_id, message_id, status, source, applied, attempt, error_code, detail, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    [
      eventId,
      row.id,
      change.to,
      StatusEventSource.Intake,
      1, // applied (SQLite binds no booleans)
      Number(row.attempt) || null,
      change.errorCode,
      change.detail.slice(0, 512),
      at,
    ],
  );
  if (row.callback_url !== null) {
    const transition: MessageTransitionV1 = {
      eventId,
      messageId: row.id,
      accountId: row.account_id,
      status: change.to,
      previousStatus: row.status,
      callbackUrl: row.callback_url,
      clientReference: row.client_reference,
      errorCode: change.errorCode,
      errorMessage: final ? change.detail.slice(0, 512) : null,
      at: now.toISOString(),
    };
    await enqueueOutbox(manager, INTAKE_OUTBOX, [{ topic: TOPICS.transition, key: row.id, value: transition }], now);
  }

  return true;
}
