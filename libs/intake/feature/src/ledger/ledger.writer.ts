import { Encoding, type MessageAcceptedV1, MessageStatus, newEventId, StatusEventSource, TOPICS } from '@sms/contracts';
import {
  enqueueOutboxWith,
  GroupCommitter,
  inPackedSqlTransaction,
  isDuplicateKeyError,
  isMysql,
  type SqlRunner,
} from '@sms/persistence';
import { metrics } from '@sms/metrics';
import { currentTraceHeaders, TRACEPARENT_HEADER } from '@sms/tracing';
import type { DataSource } from 'typeorm';
import { INTAKE_OUTBOX } from '../database/intake.schema';
import type { ValidatedMessage } from '../messages/message-request.validator';
import { STATUS_RANK } from '../status/message-state';

export interface NewMessage {
  readonly id: string;
  readonly message: ValidatedMessage;
  readonly apiKeyId: string | null;
  /** The account the message belongs to: the sending key's, or the `sms.send.v1` record's. */
  readonly accountId: string;
  readonly createdAt: Date;
  /**
   * True when the gateway made the id just now (a UUIDv7: unique by construction). Any other id (a producer's
   * on `sms.send.v1`) is claimed in idempotency_keys with the row, because on MariaDB the ledger's primary
   * key is (id, created_at) and would not stop the same id written at another time.
   */
  readonly idMadeHere?: boolean;
  /**
   * The request's trace context, captured when the request is handed over: the group commit runs the
   * transaction in whichever request's context came first, so the outbox row must carry its own.
   */
  readonly traceHeaders?: Readonly<Record<string, string>>;
  /** Stored in the same transaction, so a replay after a crash finds the first response. */
  readonly idempotency?: {
    readonly scopeKey: string;
    readonly fingerprint: string;
    readonly response: string;
    readonly expiresAt: Date;
  };
}

/**
 * How long a producer's `sms.send.v1` id stays claimed: far past the topic's retention (Kafka's default is
 * 7 days) and a DLQ replay, so a redelivered record is still recognised.
 */
export const PRODUCER_ID_CLAIM_DAYS = 35;

/**
 * The claim of an id the gateway did not make (NewMessage.idMadeHere): a repeat collides on this row, in
 * the same transaction. The prefix keeps these apart from Idempotency-Keys, which are scoped by an API
 * key's id.
 */
function producerIdClaim(id: string, createdAt: Date): NonNullable<NewMessage['idempotency']> {
  return {
    scopeKey: `sms.send.v1:${id}`,
    fingerprint: '',
    response: '',
    expiresAt: new Date(createdAt.getTime() + PRODUCER_ID_CLAIM_DAYS * 86_400_000),
  };
}

/** The message id already exists (a repeated `sms.send.v1` record): nothing was written. */
export class DuplicateMessageError extends Error {
  override readonly name = 'DuplicateMessageError';
}

export interface LedgerWriterOptions {
  /** Most rows per transaction. */
  readonly maxBatch?: number;
  /** Transactions in flight at once; MySQL group-commits them, SQLite has one writer anyway. */
  readonly maxConcurrentFlushes?: number;
  readonly onCommitted?: () => void;
  /** Told, once committed, of each scheduled message's `sendAt` (wakes the ScheduledRelease at that time). */
  readonly onScheduled?: (at: Date) => void;
}

/**
 * Writes new messages with group commit (ADR 0005): a request is answered 202 only after the
 * transaction that carries it, and the requests that arrived meanwhile, committed: the ledger row, its
 * `queued` event and its outbox record exist together.
 */
export class LedgerWriter {
  private readonly committer: GroupCommitter<NewMessage, void>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: LedgerWriterOptions = {},
  ) {
    this.committer = new GroupCommitter<NewMessage, void>(
      async (items) => {
        await inPackedSqlTransaction(this.dataSource, (sql) => this.insert(sql, items));
        this.options.onCommitted?.();
        for (const item of items) {
          if (isScheduled(item) && item.message.sendAt !== null) {
            this.options.onScheduled?.(item.message.sendAt);
          }
          metrics.messages.inc({ status: MessageStatus.Queued, provider: 'none', country: item.message.country });
        }

        return items.map(() => undefined);
      },
      {
        maxBatch: options.maxBatch ?? 256,
        maxConcurrent: options.maxConcurrentFlushes ?? (isMysql(dataSource) ? 3 : 1),
        // Requests read in one turn of the event loop share a transaction (see GroupCommitOptions.gather).
        gather: true,
        mapError: (error) =>
          isDuplicateKeyError(error) ? new DuplicateMessageError('message or key already exists') : error,
      },
    );
  }

  write(item: NewMessage): Promise<void> {
    return this.committer.submit(item.traceHeaders ? item : { ...item, traceHeaders: currentTraceHeaders() });
  }

  /**
   * Writes every item in one transaction of its own, outside the group commit (a batch request: its accepted
   * items are written all together or not at all). Throws DuplicateMessageError when a key or id already exists.
   */
  async writeAll(items: readonly NewMessage[]): Promise<void> {
    if (items.length === 0) {
      return;
    }
    const traceHeaders = currentTraceHeaders();
    const traced = items.map((item) => (item.traceHeaders ? item : { ...item, traceHeaders }));
    try {
      await inPackedSqlTransaction(this.dataSource, (sql) => this.insert(sql, traced));
    } catch (error) {
      throw isDuplicateKeyError(error) ? new DuplicateMessageError('message or key already exists') : error;
    }
    this.options.onCommitted?.();
    for (const item of items) {
      metrics.messages.inc({ status: MessageStatus.Queued, provider: 'none', country: item.message.country });
    }
  }

  /** Resolves when everything queued so far is committed or failed. */
  drain(): Promise<void> {
    return this.committer.drain();
  }

  private async insert(sql: SqlRunner, items: readonly NewMessage[]): Promise<void> {
    await sql.insert('sms_messages', MESSAGE_COLUMNS, items.map(toMessageRow));
    await sql.insert(
      'message_events',
      EVENT_COLUMNS,
      items.map((item) => [
        newEventId(),
        item.id,
        initialStatusOf(item),
        StatusEventSource.Intake,
        true,
        item.createdAt,
      ]),
    );
    await sql.insert(
      'idempotency_keys',
      IDEMPOTENCY_COLUMNS,
      items.flatMap((item) =>
        [item.idempotency, item.idMadeHere === true ? undefined : producerIdClaim(item.id, item.createdAt)].flatMap(
          (claim) => (claim ? [[claim.scopeKey, claim.fingerprint, item.id, claim.response, claim.expiresAt]] : []),
        ),
      ),
    );
    // A scheduled message is published by the release job at its time (ScheduledRelease), not now.
    await enqueueOutboxWith(
      sql,
      INTAKE_OUTBOX,
      items
        .filter((item) => !isScheduled(item))
        .map((item) => ({
          topic: TOPICS.accepted,
          key: item.id,
          value: acceptedEvent(item),
          headers: item.traceHeaders ?? {},
        })),
      items[0]?.createdAt ?? new Date(),
    );
  }
}

/** Columns written for a new message; the rest of `sms_messages` stays NULL until events fill it. */
const MESSAGE_COLUMNS = [
  'id',
  'status',
  'status_rank',
  'to_number',
  'requested_from',
  'country',
  'body',
  'encoding',
  'segments',
  'message_class',
  'callback_url',
  'callback_format',
  'client_reference',
  'validity_seconds',
  'api_key_id',
  'account_id',
  'attempt',
  'trace_parent',
  'send_at',
  'expires_at',
  'created_at',
  'updated_at',
] as const;

const EVENT_COLUMNS = ['event_id', 'message_id', 'status', 'source', 'applied', 'occurred_at'] as const;

const IDEMPOTENCY_COLUMNS = ['scope_key', 'fingerprint', 'message_id', 'response', 'expires_at'] as const;

function toMessageRow(item: NewMessage): unknown[] {
  const m = item.message;

  const status = initialStatusOf(item);

  return [
    item.id,
    status,
    STATUS_RANK[status],
    m.to,
    m.from,
    m.country,
    m.body,
    m.encoding,
    m.segments,
    m.messageClass,
    m.callbackUrl,
    m.callbackFormat ?? null,
    m.clientReference,
    m.validitySeconds,
    item.apiKeyId,
    item.accountId,
    1,
    item.traceHeaders?.[TRACEPARENT_HEADER] ?? null,
    isScheduled(item) ? m.sendAt : null,
    expiresAtOf(m, item.createdAt),
    item.createdAt,
    item.createdAt,
  ];
}

/** A message with a `sendAt` still ahead of its acceptance waits in the ledger until then. */
export const isScheduled = (item: Pick<NewMessage, 'message' | 'createdAt'>): boolean =>
  item.message.sendAt !== null && item.message.sendAt.getTime() > item.createdAt.getTime();

/** The status a new message is written with: `scheduled` until its `sendAt`, else `queued`. */
export const initialStatusOf = (item: Pick<NewMessage, 'message' | 'createdAt'>): MessageStatus =>
  isScheduled(item) ? MessageStatus.Scheduled : MessageStatus.Queued;

/**
 * When a message stops being worth sending: its validity counts from when it was meant to go (its `sendAt`,
 * or its acceptance), so a message scheduled for tomorrow with an hour's validity is good until tomorrow plus
 * an hour. Null without a validity period.
 */
export function expiresAtOf(
  message: Pick<ValidatedMessage, 'sendAt' | 'validitySeconds'>,
  createdAt: Date,
): Date | null {
  if (message.validitySeconds === null) {
    return null;
  }
  const from = Math.max(createdAt.getTime(), message.sendAt?.getTime() ?? 0);

  return new Date(from + message.validitySeconds * 1000);
}

export function acceptedEvent(
  item: Pick<NewMessage, 'id' | 'message' | 'createdAt' | 'accountId'>,
  attempt = 1,
  avoidProviders: string[] = [],
  pinProvider: string | null = null,
  fallbackOfError: string | null = null,
): MessageAcceptedV1 {
  const m = item.message;
  const expiresAt = expiresAtOf(m, item.createdAt);

  return {
    messageId: item.id,
    accountId: item.accountId,
    attempt,
    to: m.to,
    from: m.from,
    country: m.country,
    body: m.body,
    encoding: m.encoding === 'GSM-7' ? Encoding.Gsm7 : Encoding.Ucs2,
    segments: m.segments,
    messageClass: m.messageClass,
    validitySeconds: m.validitySeconds,
    expiresAt: expiresAt === null ? null : expiresAt.toISOString(),
    avoidProviders,
    pinProvider,
    ...(fallbackOfError !== null && { fallbackOfError }),
    acceptedAt: item.createdAt.toISOString(),
  };
}
