import { DLQ_HEADERS } from './bus.port';
import type { DlqReplayRequest, DlqReplayedRecord } from './bus.port';
import { assertTopicName } from './topic-name.util';

/**
 * What both adapters share of a DLQ replay: which dead-lettered records to put back, where, and with which
 * headers. The adapters only read their DLQ and their replay ledger and publish.
 *
 * A DLQ record is identified by its own coordinates (`<dlq topic>/<partition>/<offset>`). Each one put back
 * is written to the replay ledger under that id, so a later replay over the same window skips it: the same
 * dead letter is never replayed twice, while a record that fails again after its replay reaches the DLQ as a
 * new dead letter (new offset) and can be replayed once more after the next fix.
 */

/** Header on a replayed record naming the dead letter it came from (`<dlq topic>/<partition>/<offset>`). */
export const DLQ_REPLAYED_FROM_HEADER = 'x-dlq-replayed-from';

/** The Kafka topic that records which dead letters were replayed (compacted, keyed by dead-letter id). */
export const DLQ_REPLAY_LEDGER_TOPIC = 'sms.dlq-replays.v1';

/** A record as read back from a DLQ topic. */
export interface DeadLetterRecord {
  readonly partition: number;
  readonly offset: string;
  /** When the record was written to the DLQ (ms since the epoch). */
  readonly timestamp: number;
  readonly key: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface ReplaySelection<R extends DeadLetterRecord> {
  /** Records to put back now, oldest first. */
  readonly toReplay: readonly R[];
  /** Records in the window that an earlier replay put back already. */
  readonly alreadyReplayed: number;
  /** Records in the window left for a later call because of the limit. */
  readonly remaining: number;
}

/** One replay call puts back at most this many records, so that a call (and an HTTP request) stays bounded. */
export const DLQ_REPLAY_MAX_LIMIT = 10_000;

/** A replay request that cannot be served; `field` names the part at fault (topic, from, to, limit). */
export class DlqReplayRequestError extends RangeError {
  override readonly name = 'DlqReplayRequestError';

  constructor(
    readonly field: 'topic' | 'from' | 'to' | 'limit',
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** Validates a request before anything is read. */
export function assertReplayRequest(request: DlqReplayRequest): void {
  try {
    assertTopicName(request.dlqTopic);
  } catch (error) {
    throw new DlqReplayRequestError('topic', (error as Error).message);
  }
  if (!request.dlqTopic.endsWith('.dlq')) {
    throw new DlqReplayRequestError('topic', `${JSON.stringify(request.dlqTopic)} is not a DLQ topic (<topic>.dlq)`);
  }
  if (request.limit !== undefined && (!Number.isInteger(request.limit) || request.limit < 1)) {
    throw new DlqReplayRequestError('limit', `must be a positive integer, got ${request.limit}`);
  }
  if (request.limit !== undefined && request.limit > DLQ_REPLAY_MAX_LIMIT) {
    throw new DlqReplayRequestError('limit', `at most ${DLQ_REPLAY_MAX_LIMIT}`);
  }
  for (const [field, time] of [
    ['from', request.from],
    ['to', request.to],
  ] as const) {
    if (time !== undefined && Number.isNaN(time.getTime())) {
      throw new DlqReplayRequestError(field, 'not a valid time');
    }
  }
  if (request.from && request.to && request.to <= request.from) {
    throw new DlqReplayRequestError('to', 'must be after from');
  }
}

export const deadLetterId = (dlqTopic: string, partition: number, offset: string): string =>
  `${dlqTopic}/${partition}/${offset}`;

/**
 * The records of `dlq` inside [from, to), not in `replayed`, oldest first (by DLQ write time, then partition
 * and offset), at most `limit` of them.
 */
export function selectForReplay<R extends DeadLetterRecord>(
  request: DlqReplayRequest,
  dlq: readonly R[],
  replayed: ReadonlySet<string>,
): ReplaySelection<R> {
  const from = request.from?.getTime() ?? Number.NEGATIVE_INFINITY;
  const to = request.to?.getTime() ?? Number.POSITIVE_INFINITY;
  const inWindow = dlq.filter((record) => record.timestamp >= from && record.timestamp < to);
  const fresh = inWindow
    .filter((record) => !replayed.has(deadLetterId(request.dlqTopic, record.partition, record.offset)))
    .sort((a, b) => a.timestamp - b.timestamp || a.partition - b.partition || compareOffsets(a.offset, b.offset));
  const limit = request.limit ?? fresh.length;

  return {
    toReplay: fresh.slice(0, limit),
    alreadyReplayed: inWindow.length - fresh.length,
    remaining: Math.max(0, fresh.length - limit),
  };
}

/** The topic a dead letter came from: its source header, else the DLQ topic without `.dlq`. */
export function sourceTopicOf(dlqTopic: string, headers: Readonly<Record<string, string>>): string {
  const source = headers[DLQ_HEADERS.sourceTopic] ?? dlqTopic.slice(0, -'.dlq'.length);
  assertTopicName(source);

  return source;
}

/**
 * The replayed record's headers: the original ones (trace context, sources) without the DLQ's, so a second
 * failure is described afresh, plus where it came from.
 */
export function replayHeaders(dlqTopic: string, record: DeadLetterRecord): Readonly<Record<string, string>> {
  const dlqHeaderNames = new Set<string>(Object.values(DLQ_HEADERS));
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(record.headers)) {
    if (!dlqHeaderNames.has(name) && name !== DLQ_REPLAYED_FROM_HEADER) {
      headers[name] = value;
    }
  }
  headers[DLQ_REPLAYED_FROM_HEADER] = deadLetterId(dlqTopic, record.partition, record.offset);

  return headers;
}

/** What a replay reports per record: coordinates and provenance, never the key or the value. */
export function describeReplayed(dlqTopic: string, record: DeadLetterRecord): DlqReplayedRecord {
  return {
    partition: record.partition,
    offset: record.offset,
    sourceTopic: sourceTopicOf(dlqTopic, record.headers),
    deadLetteredAt: new Date(record.timestamp).toISOString(),
    attempts: Number(record.headers[DLQ_HEADERS.attempts] ?? '0'),
  };
}

function compareOffsets(a: string, b: string): number {
  const difference = BigInt(a) - BigInt(b);

  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}
