/**
 * The status applier's read of a batch's messages: each ledger row (under its row lock on MySQL) with the
 * batch's event ids that message already has, joined (redeliveries), in one statement.
 */
export function batchMessagesRead(
  ids: readonly string[],
  eventIds: readonly string[],
  mysql: boolean,
): { sql: string; parameters: string[] } {
  // MySQL: the subquery reads a message's events by message id. Left to itself the optimizer also weighs a
  // range over the event-id key, one index dive per listed event id and partition, and then uses the
  // message-id key anyway: the dives are server CPU spent on every batch for nothing (docs/performance.md,
  // "MariaDB per message").
  const events = mysql ? 'message_events e IGNORE INDEX (uq_message_events_event)' : 'message_events e';

  return {
    sql: `SELECT id, status, status_rank, provider_message_id, dlr_fallbacks, country, segments, callback_url, client_reference,
       account_id, callback_format, to_number, COALESCE(sender, requested_from) AS sender,
       (SELECT GROUP_CONCAT(e.event_id) FROM ${events}
        WHERE e.message_id = sms_messages.id AND e.event_id IN (${eventIds.map(() => '?').join(',')})) AS known_events
       FROM sms_messages WHERE id IN (${ids.map(() => '?').join(',')})${mysql ? ' FOR UPDATE' : ''}`,
    parameters: [...eventIds, ...ids],
  };
}
