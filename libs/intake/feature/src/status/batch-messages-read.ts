import type { TimeWindow } from '../ledger/partition-window';

/** The partition windows a batch read may name (MySQL; the ledger is partitioned by month there). */
export interface BatchReadWindows {
  /** Where the messages' created_at lie; a message outside it is not read (the caller reads it again without). */
  readonly created?: TimeWindow | null;
  /** Where the batch's events' occurred_at lie: a redelivered event was stored with its own time. */
  readonly occurred?: TimeWindow | null;
}

/**
 * The status applier's read of a batch's messages: each ledger row (under its row lock on MySQL) with the
 * batch's event ids that message already has, joined (redeliveries), in one statement.
 */
export function batchMessagesRead(
  ids: readonly string[],
  eventIds: readonly string[],
  mysql: boolean,
  windows: BatchReadWindows = {},
): { sql: string; parameters: unknown[] } {
  // MySQL: the subquery reads a message's events by message id. Left to itself the optimizer also weighs a
  // range over the event-id key, one index dive per listed event id and partition, and then uses the
  // message-id key anyway: the dives are server CPU spent on every batch for nothing (docs/performance.md,
  // "MariaDB per message").
  const events = mysql ? 'message_events e IGNORE INDEX (uq_message_events_event)' : 'message_events e';
  // Both tables are partitioned by month on MySQL: a lookup by id alone descends every partition's key, a
  // window on the partitioning column only the partitions it overlaps (docs/data-lifecycle.md, "Reads by id").
  const occurred = windows.occurred ? ' AND e.occurred_at >= ? AND e.occurred_at < ?' : '';
  const created = windows.created ? ' AND created_at >= ? AND created_at < ?' : '';

  return {
    sql: `SELECT id, status, status_rank, provider_message_id, dlr_fallbacks, country, segments, callback_url, client_reference,
       account_id, callback_format, to_number, COALESCE(sender, requested_from) AS sender, created_at,
       (SELECT GROUP_CONCAT(e.event_id) FROM ${events}
        WHERE e.message_id = sms_messages.id AND e.event_id IN (${eventIds.map(() => '?').join(',')})${occurred}) AS known_events
       FROM sms_messages WHERE id IN (${ids.map(() => '?').join(',')})${created}${mysql ? ' FOR UPDATE' : ''}`,
    parameters: [
      ...eventIds,
      ...(windows.occurred ? [windows.occurred.from, windows.occurred.to] : []),
      ...ids,
      ...(windows.created ? [windows.created.from, windows.created.to] : []),
    ],
  };
}
