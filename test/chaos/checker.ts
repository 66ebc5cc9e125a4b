/**
 * The fault suite's invariants, checked over the whole history of one fault's load: the load client's
 * log of every request, the ledger (`sms_messages`, `message_events`) and the simulator's count of
 * submits per message.
 */
import { createConnection } from 'mysql2/promise';
import type { RequestRecord } from './load';

const RANK: Record<string, number> = { queued: 0, sending: 1, sent: 2, delivered: 3, undelivered: 3, failed: 3 };
const FINAL = new Set(['delivered', 'undelivered', 'failed']);
/** Error codes of a send that may have reached the provider although the gateway did not learn it did. */
export const AMBIGUOUS_CODES = new Set(['TIMEOUT', 'BAD_RESPONSE', 'AMBIGUOUS_SUBMIT', 'SMPP_NO_MESSAGE_ID']);
/** Providers whose simulator counts submits per gateway message id (SMPP has no such reference). */
const COUNTED_PROVIDERS = ['twilio', 'vonage', 'sinch', 'aws'] as const;

export interface MessageRow {
  id: string;
  status: string;
  attempt: number;
  error_code: string | null;
  next_retry_at: Date | null;
}

interface EventRow {
  message_id: string;
  status: string;
  applied: number;
  error_code: string | null;
}

export interface CheckResult {
  readonly requests: number;
  readonly accepted: number;
  /** Refused with a 4xx/5xx (an answer the client can act on) or not connected: allowed during a fault. */
  readonly refused: number;
  readonly failed: number;
  readonly hung: number;
  readonly final: number;
  /** Not final but legitimately waiting for a retry (next_retry_at set), with their error codes. */
  readonly retrying: number;
  readonly stuck: number;
  readonly lost: number;
  /** Messages a provider accepted more than once, where the gateway logged an ambiguous send. */
  readonly ambiguousDoubles: number;
  /** Messages a provider accepted more than once with no ambiguous send logged: a doubled send. */
  readonly doubles: number;
  readonly backwards: number;
  readonly violations: string[];
  readonly notes: string[];
}

export interface CheckInput {
  readonly mysqlUrl: string;
  readonly simulatorUrl: string;
  /** The simulator's control credential: its message logs are control routes. */
  readonly simulatorAuth: Readonly<Record<string, string>>;
  readonly records: readonly RequestRecord[];
  /** How long to wait for every accepted message to settle (final or waiting for a retry). */
  readonly settleMs: number;
}

/** Waits until every accepted message is final (or the deadline passes), then checks every invariant. */
export async function checkHistory(input: CheckInput): Promise<CheckResult> {
  const ids = input.records.flatMap((r) => (r.outcome === 'accepted' && r.id ? [r.id] : []));
  const connection = await createConnection({ uri: input.mysqlUrl, timezone: 'Z' });
  try {
    const deadline = Date.now() + input.settleMs;
    let messages = await messagesOf(connection, ids);
    while (Date.now() < deadline && [...messages.values()].some((m) => !FINAL.has(m.status))) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      messages = await messagesOf(connection, ids);
    }
    // A little longer, so that a late duplicate (a second submit, a backwards receipt) still shows.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    messages = await messagesOf(connection, ids);
    const events = await eventsOf(connection, ids);

    return evaluate(
      input.records,
      ids,
      messages,
      events,
      await submitsPerMessage(input.simulatorUrl, input.simulatorAuth),
    );
  } finally {
    await connection.end();
  }
}

export function evaluate(
  records: readonly RequestRecord[],
  ids: readonly string[],
  messages: ReadonlyMap<string, MessageRow>,
  events: ReadonlyMap<string, EventRow[]>,
  accepts: ReadonlyMap<string, number>,
): CheckResult {
  const violations: string[] = [];
  const notes: string[] = [];
  let final = 0;
  let retrying = 0;
  let stuck = 0;
  let lost = 0;
  let doubles = 0;
  let ambiguousDoubles = 0;
  let backwards = 0;
  const retryReasons = new Map<string, number>();
  for (const id of ids) {
    const message = messages.get(id);
    if (!message) {
      lost++;
      violations.push(`${id}: accepted (202) but not in the ledger`);
      continue;
    }
    if (FINAL.has(message.status)) {
      final++;
    } else if (message.next_retry_at !== null) {
      retrying++;
      const reason = message.error_code ?? 'none';
      retryReasons.set(reason, (retryReasons.get(reason) ?? 0) + 1);
    } else {
      stuck++;
      violations.push(`${id}: still ${message.status} (attempt ${message.attempt}, no retry due)`);
    }
    const history = events.get(id) ?? [];
    let rank = -1;
    let finals = 0;
    for (const event of history) {
      const eventRank = RANK[event.status];
      if (!event.applied || eventRank === undefined) {
        continue;
      }
      if (eventRank < rank) {
        backwards++;
        violations.push(`${id}: applied ${event.status} after a later status`);
      }
      rank = Math.max(rank, eventRank);
      finals += eventRank === 3 ? 1 : 0;
    }
    if (finals > 1) {
      backwards++;
      violations.push(`${id}: ${finals} final statuses applied`);
    }
    const accepted = accepts.get(id) ?? 0;
    if (accepted > 1) {
      if (history.some((e) => e.error_code !== null && AMBIGUOUS_CODES.has(e.error_code))) {
        ambiguousDoubles++;
      } else {
        doubles++;
        violations.push(`${id}: providers accepted it ${accepted} times, no ambiguous send logged`);
      }
    }
  }
  const hung = records.filter((r) => r.outcome === 'hung');
  for (const record of hung) {
    violations.push(`request ${record.seq} at ${record.at}: no answer within the client's timeout`);
  }
  if (retrying > 0) {
    notes.push(`retrying: ${[...retryReasons].map(([code, n]) => `${code}×${n}`).join(', ')}`);
  }
  const refusedCodes = new Map<string, number>();
  for (const record of records.filter((r) => r.outcome === 'refused' || r.outcome === 'failed')) {
    const key = record.outcome === 'failed' ? `conn:${record.error ?? '?'}` : `${record.status}:${record.code ?? '?'}`;
    refusedCodes.set(key, (refusedCodes.get(key) ?? 0) + 1);
  }
  if (refusedCodes.size > 0) {
    notes.push(`refused: ${[...refusedCodes].map(([code, n]) => `${code}×${n}`).join(', ')}`);
  }

  return {
    requests: records.length,
    accepted: ids.length,
    refused: records.filter((r) => r.outcome === 'refused').length,
    failed: records.filter((r) => r.outcome === 'failed').length,
    hung: hung.length,
    final,
    retrying,
    stuck,
    lost,
    ambiguousDoubles,
    doubles,
    backwards,
    violations,
    notes,
  };
}

async function messagesOf(
  connection: Awaited<ReturnType<typeof createConnection>>,
  ids: readonly string[],
): Promise<Map<string, MessageRow>> {
  const rows: MessageRow[] = [];
  for (let from = 0; from < ids.length; from += 500) {
    const chunk = ids.slice(from, from + 500);
    const [result] = await connection.query(
      `SELECT id, status, attempt, error_code, next_retry_at FROM sms_messages WHERE id IN (?)`,
      [chunk],
    );
    rows.push(...(result as MessageRow[]));
  }

  return new Map(rows.map((row) => [row.id, row]));
}

async function eventsOf(
  connection: Awaited<ReturnType<typeof createConnection>>,
  ids: readonly string[],
): Promise<Map<string, EventRow[]>> {
  const byMessage = new Map<string, EventRow[]>();
  for (let from = 0; from < ids.length; from += 500) {
    const chunk = ids.slice(from, from + 500);
    // The table's own order (its auto-increment id) is the order intake applied the events in.
    const [result] = await connection.query(
      `SELECT message_id, status, applied, error_code FROM message_events WHERE message_id IN (?) ORDER BY id`,
      [chunk],
    );
    for (const row of result as EventRow[]) {
      const list = byMessage.get(row.message_id) ?? [];
      list.push(row);
      byMessage.set(row.message_id, list);
    }
  }

  return byMessage;
}

/**
 * Times the simulated providers accepted each gateway message id (all providers together). A log that cannot
 * be read fails the check: an empty count would pass "nothing doubled" without having looked.
 */
export async function submitsPerMessage(
  simulatorUrl: string,
  auth: Readonly<Record<string, string>>,
): Promise<Map<string, number>> {
  const accepted = new Map<string, number>();
  for (const provider of COUNTED_PROVIDERS) {
    const response = await fetch(`${simulatorUrl}/${provider}/messages`, { headers: auth });
    if (!response.ok) {
      throw new Error(`the simulator's ${provider} message log answered ${response.status}`);
    }
    const body = (await response.json()) as Record<string, unknown>;
    const counts = (body['submitsByToken'] ?? body['submitsByClientRef'] ?? body['submitsByReference'] ?? {}) as Record<
      string,
      { accepted: number }
    >;
    for (const [reference, count] of Object.entries(counts)) {
      accepted.set(reference, (accepted.get(reference) ?? 0) + count.accepted);
    }
  }

  return accepted;
}
