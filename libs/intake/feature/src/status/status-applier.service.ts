import { metrics } from '@sms/metrics';
import {
  type CallbackFormat,
  MessageStatus,
  type MessageTransitionV1,
  StatusEventKind,
  type StatusChangedV1,
  TOPICS,
  VALIDITY_EXPIRED,
} from '@sms/contracts';
import {
  enqueueOutboxWith,
  GroupCommitter,
  inPackedSqlTransaction,
  isDuplicateKeyError,
  isMysql,
  type OutboxRow,
  type SqlRunner,
} from '@sms/persistence';
import type { DataSource, EntitySchema } from 'typeorm';
import type { StatusChange } from '../webhooks/webhook-events';
import {
  applyReceiptPrice,
  chargeOf,
  type ChargeRow,
  receiptPriceOf,
  type ReceiptPrice,
  refreshLedgerCosts,
  writeCharges,
} from '../billing/charge-ledger';
import { createdWindowOfIds, windowAround } from '../ledger/partition-window';
import { batchMessagesRead } from './batch-messages-read';
import { BatchLedger, type LedgerRow } from './batch-ledger';
import { DlrFallback, type RecipientOptOutCheck } from './dlr-fallback';
import { correctsUnknown, decideRetry, FINAL_RANK, type RetryPolicy, STATUS_RANK, statusOf } from './message-state';

export type ApplyOutcome = 'applied' | 'recorded' | 'duplicate' | 'ignored';

const EVENT_COLUMNS = [
  'event_id',
  'message_id',
  'status',
  'source',
  'applied',
  'attempt',
  'provider',
  'error_code',
  'detail',
  'occurred_at',
  'error_message',
  'provider_message_id',
  'sender',
  'cost',
  'currency',
  'latency_ms',
  'receipt_id',
] as const;

/**
 * Where applied changes of messages with a callback URL go: intake's outbox, in the same transaction
 * as the change, as `sms.transition.v1` (dlr-processor calls the caller back; ADR 0008).
 */
export interface TransitionOutbox {
  readonly schema: EntitySchema<OutboxRow>;
  readonly onCommitted: () => void;
}

/**
 * Where applied changes of messages whose account subscribed to `message.status` go: account webhook
 * deliveries written in the same transaction as the change (docs/webhooks.md). `wants` answers from an
 * in-memory set, so messages of accounts without a subscription cost one map lookup and nothing else.
 */
export interface StatusWebhooks {
  wants(accountId: string): boolean;
  enqueue(sql: SqlRunner, changes: readonly StatusChange[], now: Date): Promise<number>;
  readonly onCommitted: () => void;
}

interface CallbackTarget {
  status: MessageStatus;
  /** The message's account: its callbacks belong to it. */
  readonly accountId: string;
  /** null: no per-message callback, only the account's webhooks. */
  readonly callbackUrl: string | null;
  readonly clientReference: string | null;
  /** Set for formats other than the gateway's JSON: what such a body names besides the change. */
  readonly format: { readonly name: CallbackFormat; readonly to: string; from: string | null } | null;
  /** The account subscribed to `message.status`. */
  readonly webhooks: boolean;
}

/** What one event did: whether it counts as applied, and the status it moved the message to. */
interface UpdateResult {
  readonly applied: boolean;
  readonly status: MessageStatus | null;
  /** Replaces the event's detail in the history when the event did something else than it says. */
  readonly note?: string;
  /** The event scheduled a new attempt (next_retry_at) for this time. */
  readonly retryAt?: Date;
}

/** A plain event's effect, decided in memory: its result, and the columns it sets when it moves the message. */
interface InMemoryDecision {
  readonly result: UpdateResult;
  readonly move?: { readonly rank: number; readonly columns: Record<string, unknown> };
}

/** What the batch's events did, gathered while applying them in order. */
interface AppliedEvents {
  readonly outcomes: ApplyOutcome[];
  readonly changes: MessageTransitionV1[];
  readonly hooks: StatusChange[];
  /** Provider attempts the batch's events bill, and receipt prices that re-price earlier ones. */
  readonly charges: ChargeRow[];
  readonly receiptPrices: ReceiptPrice[];
  /** The earliest new attempt the batch scheduled. */
  retryAt: Date | null;
}

/** A committed batch: its outcomes and what to do once it committed. */
interface WrittenBatch {
  readonly outcomes: ApplyOutcome[];
  readonly published: boolean;
  readonly hooked: boolean;
  readonly retryAt: Date | null;
  readonly count: () => void;
}

const NOT_APPLIED: UpdateResult = { applied: false, status: null };

/**
 * Applies `sms.status.v1` events to the ledger. Every change is conditional on the status rank (never a
 * blind read-modify-write: reliability.md, Jepsen on MySQL) and checked by affected rows; the event is
 * kept in `message_events` either way, and its unique event id makes redelivery a no-op. In a batch, the
 * common events are decided against the rows the batch locked and written together (BatchLedger); the
 * others are one conditional UPDATE each.
 */
export class StatusApplier {
  private readonly committer: GroupCommitter<StatusChangedV1, ApplyOutcome>;
  private readonly fallback: DlrFallback;

  constructor(
    private readonly dataSource: DataSource,
    private readonly policy: RetryPolicy,
    private readonly now: () => Date = () => new Date(),
    private readonly random: () => number = Math.random,
    private readonly transitions?: TransitionOutbox,
    /** The opt-out hook of the receipt-driven fallback (see DlrFallback). */
    isOptedOut?: RecipientOptOutCheck,
    /** Told, once the batch committed, the earliest new attempt it scheduled (wakes the RetryScheduler). */
    private readonly onRetryScheduled?: (at: Date) => void,
    private readonly webhooks?: StatusWebhooks,
  ) {
    this.fallback = new DlrFallback(
      dataSource,
      policy.maxAttempts,
      isOptedOut,
      policy.resendPolicy ?? policy.resendOnReceiptTimeout,
    );
    // Group commit: status events arrive ~3 per message; one transaction per batch instead of per event.
    this.committer = new GroupCommitter((events) => this.applyBatch(events), {
      maxBatch: 200,
      maxConcurrent: isMysql(dataSource) ? 2 : 1,
      gather: true,
    });
  }

  async apply(event: StatusChangedV1): Promise<ApplyOutcome> {
    if (event.kind === StatusEventKind.Refused) {
      return 'ignored';
    }
    try {
      return await this.committer.submit(event);
    } catch (error) {
      // The same event redelivered concurrently (a rebalance, two replicas): the other copy committed it.
      // event_id is the only unique key this transaction inserts, and the loser's writes rolled back.
      if (isDuplicateKeyError(error)) {
        return 'duplicate';
      }
      throw error;
    }
  }

  /** Resolves when every event handed over so far is committed. */
  drain(): Promise<void> {
    return this.committer.drain();
  }

  /**
   * One transaction for a batch (writeBatch), then what follows its commit (afterCommit).
   *
   * A batch of one takes the per-event path: it costs the same round trips, and it is how the
   * GroupCommitter retries a failed batch, so events whose batch write tripped the BatchLedger guard are
   * then applied by SQL conditions alone.
   */
  private async applyBatch(batch: readonly StatusChangedV1[]): Promise<ApplyOutcome[]> {
    const written = await inPackedSqlTransaction(this.dataSource, (sql) => this.writeBatch(sql, batch));
    this.afterCommit(written);

    return written.outcomes;
  }

  /** The batch's transaction: read its messages and known event ids, apply the new events, write their effects. */
  private async writeBatch(sql: SqlRunner, batch: readonly StatusChangedV1[]): Promise<WrittenBatch> {
    const { messages, seen } = await this.messagesOf(sql, batch);
    const applied = await this.applyEvents(sql, batch, messages, seen);
    await this.writeCharges(sql, applied);
    const published = await this.enqueueTransitions(sql, applied.changes);
    const hooked = await this.enqueueWebhooks(sql, applied.hooks);
    const countries = new Map([...messages].map(([id, message]) => [id, message.country ?? 'unknown']));
    const moved = batch.filter((_, index) => applied.outcomes[index] === 'applied');

    return {
      outcomes: applied.outcomes,
      published,
      hooked,
      retryAt: applied.retryAt,
      count: () => countApplied(moved, countries),
    };
  }

  /**
   * The batch's events in arrival order: known ids are skipped, the others move their messages (in memory
   * and then a few statements for the whole batch, or one conditional UPDATE each, see applyInBatch) and
   * are recorded with one multi-row INSERT.
   */
  private async applyEvents(
    sql: SqlRunner,
    batch: readonly StatusChangedV1[],
    messages: ReadonlyMap<string, BatchMessage>,
    seen: Set<string>,
  ): Promise<AppliedEvents> {
    const ledger = batch.length > 1 ? new BatchLedger(messages) : undefined;
    const targets =
      this.transitions || this.webhooks
        ? callbackTargetsOf(messages, this.transitions !== undefined, this.webhooks)
        : new Map<string, CallbackTarget>();
    const applied: AppliedEvents = {
      outcomes: [],
      changes: [],
      hooks: [],
      charges: [],
      receiptPrices: [],
      retryAt: null,
    };
    const rows: unknown[][] = [];
    for (const event of batch) {
      if (seen.has(event.eventId)) {
        applied.outcomes.push('duplicate');
        continue;
      }
      seen.add(event.eventId);
      const message = messages.get(event.messageId);
      collectCharges(applied, event, message);
      const result = ledger
        ? await this.applyInBatch(sql, event, ledger, message?.createdAt)
        : await this.update(sql, event, message, message?.createdAt);
      if (result.retryAt && (applied.retryAt === null || result.retryAt < applied.retryAt)) {
        applied.retryAt = result.retryAt;
      }
      applied.outcomes.push(result.applied ? 'applied' : 'recorded');
      collectChange(applied, targets.get(event.messageId), event, result.status);
      rows.push(eventRow(event, result));
    }
    await ledger?.flush(sql);
    await sql.insert('message_events', EVENT_COLUMNS, rows);

    return applied;
  }

  /**
   * The batch's charges (docs/billing.md), and the ledger's cost re-summed for messages that got a second
   * charge or a provider's price.
   */
  private async writeCharges(sql: SqlRunner, applied: AppliedEvents): Promise<void> {
    await writeCharges(sql, applied.charges, this.now());
    const recosted = new Set(applied.charges.filter((charge) => charge.attempt > 1).map((charge) => charge.messageId));
    for (const price of applied.receiptPrices) {
      if (await applyReceiptPrice(sql, price, this.now())) {
        recosted.add(price.messageId);
      }
    }
    await refreshLedgerCosts(sql, recosted);
  }

  /** Caller callbacks of the batch's changes, into the outbox in the same transaction. True when any was written. */
  private async enqueueTransitions(sql: SqlRunner, changes: readonly MessageTransitionV1[]): Promise<boolean> {
    if (!this.transitions || changes.length === 0) {
      return false;
    }
    await enqueueOutboxWith(
      sql,
      this.transitions.schema,
      changes.map((change) => ({ topic: TOPICS.transition, key: change.messageId, value: change })),
      this.now(),
    );

    return true;
  }

  /** Account webhook deliveries of the batch's changes. True when any was written. */
  private async enqueueWebhooks(sql: SqlRunner, hooks: readonly StatusChange[]): Promise<boolean> {
    if (!this.webhooks || hooks.length === 0) {
      return false;
    }

    return (await this.webhooks.enqueue(sql, hooks, this.now())) > 0;
  }

  /** Once the batch committed (a rolled-back batch is applied again later): metrics and wake-ups. */
  private afterCommit(written: WrittenBatch): void {
    written.count();
    if (written.published) {
      this.transitions?.onCommitted();
    }
    if (written.hooked) {
      this.webhooks?.onCommitted();
    }
    if (written.retryAt !== null) {
      this.onRetryScheduled?.(written.retryAt);
    }
  }

  /**
   * The batch's messages, read once under their row locks (the UPDATEs below take them anyway): the status
   * before the batch and the callback target for caller callbacks, the country for the messages metric, and
   * what the in-memory decisions need (rank, provider message id, receipt fallbacks). The same statement
   * reads which of the batch's events each message already has (redeliveries), so a batch costs one read,
   * not two: the reads were a third of the status path's round trips to MariaDB. Events of a message not in
   * the ledger are looked up on their own (knownEventIds): the ledger row cannot carry them.
   */
  private async messagesOf(
    sql: SqlRunner,
    batch: readonly StatusChangedV1[],
  ): Promise<{ messages: Map<string, BatchMessage>; seen: Set<string> }> {
    const ids = [...new Set(batch.map((e) => e.messageId))];
    const eventIds = [...new Set(batch.map((e) => e.eventId))];
    const rows = await this.readMessages(sql, ids, eventIds, batch);
    const seen = new Set<string>();
    const messages = new Map<string, BatchMessage>();
    for (const row of rows) {
      for (const eventId of row.known_events ? String(row.known_events).split(',') : []) {
        seen.add(eventId);
      }
      messages.set(row.id, {
        accountId: row.account_id,
        status: row.status,
        statusRank: Number(row.status_rank),
        providerMessageId: row.provider_message_id,
        dlrFallbacks: Number(row.dlr_fallbacks),
        country: row.country,
        segments: Number(row.segments),
        callbackUrl: row.callback_url,
        clientReference: row.client_reference,
        callbackFormat: row.callback_format as CallbackFormat | null,
        to: row.to_number,
        sender: row.sender,
        createdAt: storedDate(row.created_at),
      });
    }
    const orphans = batch.filter((event) => !messages.has(event.messageId));
    if (orphans.length > 0) {
      for (const eventId of await knownEventIds(sql, orphans)) {
        seen.add(eventId);
      }
    }

    return { messages, seen };
  }

  /**
   * The batch read. On MySQL it names the partitions it needs: the messages' created_at window their
   * UUIDv7 ids imply, and the events' own occurred_at span (a redelivered event was stored with the time
   * it carries, so that bound is exact). A message outside the id window (a producer's id made long before
   * or after the message was accepted) is read again without it: every row in the ledger is found, and
   * only a batch with such a message pays a second statement.
   */
  private async readMessages(
    sql: SqlRunner,
    ids: readonly string[],
    eventIds: readonly string[],
    batch: readonly StatusChangedV1[],
  ): Promise<BatchMessageRow[]> {
    const mysql = isMysql(this.dataSource);
    const occurred = mysql ? windowAround(batch.map((e) => new Date(e.occurredAt))) : null;
    const created = mysql ? createdWindowOfIds(ids) : null;
    const read = batchMessagesRead(ids, eventIds, mysql, { created, occurred });
    const rows = await sql.query<BatchMessageRow>(read.sql, read.parameters);
    if (created && rows.length < ids.length) {
      const found = new Set(rows.map((row) => row.id));
      const missed = ids.filter((id) => !found.has(id));
      const again = batchMessagesRead(missed, eventIds, mysql, { occurred });
      rows.push(...(await sql.query<BatchMessageRow>(again.sql, again.parameters)));
    }

    return rows;
  }

  /**
   * One event of a batch of several: in memory when it is plain, else the per-event SQL of update() once
   * the batch's pending writes of that message are written (BatchLedger.handOver).
   */
  private async applyInBatch(
    sql: SqlRunner,
    event: StatusChangedV1,
    ledger: BatchLedger,
    createdAt: Date | undefined,
  ): Promise<UpdateResult> {
    const decision = this.decideInMemory(event, ledger.row(event.messageId));
    if (decision === null) {
      await ledger.handOver(sql, event.messageId);

      return this.update(sql, event, undefined, createdAt);
    }
    if (decision.move) {
      ledger.move(event.messageId, decision.move.rank, decision.move.columns);
    }

    return decision.result;
  }

  /**
   * What update() would do with a plain event, decided from the row: it moves the message iff its rank is
   * above the row's (update()'s `status_rank < ?`), else it is only recorded. Null when the event needs
   * update()'s SQL: a retry; a receipt the fallback may re-route; a `sent` that does not move a message
   * the fallback re-sent (adoptResend may take it); a provider id to keep on a message that has none
   * (the receipt overtook the send); a message without a row, or one the batch handed over.
   */
  private decideInMemory(event: StatusChangedV1, row: LedgerRow | undefined): InMemoryDecision | null {
    const status = statusOf(event.kind);
    if (status === null || row === undefined || DlrFallback.applies(event)) {
      return null;
    }
    if (row.dlrFallbacks > 0 && DlrFallback.mayBeOfReplacedAttempt(event)) {
      // The message was re-sent elsewhere: update()'s SQL checks which provider the outcome is of.
      return null;
    }
    const rank = STATUS_RANK[status];
    if (row.statusRank < rank) {
      return { result: { applied: true, status }, move: { rank, columns: statusColumns(event, status, this.now()) } };
    }
    if (row.statusRank === FINAL_RANK && correctsUnknown(event.kind, event.source)) {
      // The message may be `unknown`, which a receipt still corrects: update()'s SQL decides.
      return null;
    }
    const mayBeAdopted = status === MessageStatus.Sent && row.dlrFallbacks > 0;
    const keepsLateProviderId = !!event.providerMessageId && row.providerMessageId === null;

    return mayBeAdopted || keepsLateProviderId ? null : { result: NOT_APPLIED };
  }

  /**
   * `read` is the message's row as this transaction read it under its lock, given only when no statement
   * of the transaction has written the row since (a batch of one): it spares statements whose condition
   * the row already fails.
   */
  private async update(
    sql: SqlRunner,
    event: StatusChangedV1,
    read?: LedgerRow,
    createdAt?: Date,
  ): Promise<UpdateResult> {
    const now = this.now();
    if (event.kind === StatusEventKind.Retry) {
      if (await this.fallback.failResend(sql, event, now)) {
        return { applied: true, status: MessageStatus.Failed };
      }

      return this.retry(sql, event, now);
    }
    const status = statusOf(event.kind);
    if (status === null) {
      return { applied: false, status: null };
    }
    if (DlrFallback.applies(event) && (await this.fallback.reroute(sql, event, now))) {
      // Re-sent through another provider instead of ending: the status stays `sent`.
      const why = DlrFallback.isOverdue(event) ? 'receipt overdue, ' : '';

      return {
        applied: true,
        status: null,
        note: `re-sending through another provider (fallback): ${why}${event.detail ?? ''}`.slice(0, 512),
        retryAt: now,
      };
    }
    const rank = STATUS_RANK[status];
    // A failure reported for the attempt a fallback replaced never ends the message: the re-send decides.
    const current = DlrFallback.mayBeOfReplacedAttempt(event)
      ? { condition: '(dlr_fallbacks = 0 OR provider = ?)', params: [event.provider] }
      : undefined;
    const write = (set: Record<string, unknown>, below: number, condition?: string, params?: readonly unknown[]) =>
      this.conditionalUpdate(sql, event.messageId, set, below, condition, params, createdAt);
    const moved =
      (await write(statusColumns(event, status, now), rank, current?.condition, current?.params)) ||
      (correctsUnknown(event.kind, event.source) &&
        (await write(
          statusColumns(event, status, now),
          Number.MAX_SAFE_INTEGER,
          `status = '${MessageStatus.Unknown}'${current ? ` AND ${current.condition}` : ''}`,
          current?.params,
        )));
    // Only a message the receipt fallback re-sent adopts a send (dlr_fallbacks > 0): the row read says.
    if (
      !moved &&
      status === MessageStatus.Sent &&
      (read === undefined || read.dlrFallbacks > 0) &&
      (await this.fallback.adoptResend(sql, event))
    ) {
      return { applied: true, status: null };
    }
    // The late provider id is kept only on a row without one: a row read with one needs no statement to
    // find that out (every receipt after the send would otherwise cost an UPDATE that changes nothing).
    if (!moved && event.providerMessageId && (read === undefined || read.providerMessageId === null)) {
      // A receipt overtook the send result: keep the provider's id for correlation, and what the send
      // cost, status untouched.
      const late: Record<string, unknown> = {
        provider: event.provider ?? null,
        provider_message_id: event.providerMessageId,
      };
      if (status === MessageStatus.Sent) {
        late['sent_at'] = new Date(event.occurredAt);
        if (event.sender) {
          late['sender'] = event.sender;
        }
        if (event.cost) {
          Object.assign(late, { cost: event.cost, currency: event.currency ?? null });
        }
      }
      await write(late, Number.MAX_SAFE_INTEGER, 'provider_message_id IS NULL');
    }

    return { applied: moved, status: moved ? status : null };
  }

  /** A transient failure of attempt N: reschedule attempt N+1 with backoff, or end `failed`. */
  private async retry(sql: SqlRunner, event: StatusChangedV1, now: Date): Promise<UpdateResult> {
    const attempt = event.attempt ?? 0;
    const lock = isMysql(this.dataSource) ? ' FOR UPDATE' : '';
    const rows = await sql.query<{ avoid_providers: string | null; expires_at: Date | string | null }>(
      `SELECT avoid_providers, expires_at FROM sms_messages WHERE id = ? AND attempt = ? AND status_rank < ?${lock}`,
      [event.messageId, attempt, STATUS_RANK[MessageStatus.Sent]],
    );
    const row = rows[0];
    if (!row) {
      return { applied: false, status: null };
    }
    const decision = decideRetry(attempt, this.policy, this.random);
    const errorFields = {
      error_code: event.errorCode ?? null,
      error_message: event.errorMessage?.slice(0, 512) ?? null,
    };
    if (decision.kind === 'give-up') {
      // The last attempt may have reached the provider (ambiguous): the message may well be delivered, so it
      // ends `unknown`, not `failed` (docs/reconciliation.md); a receipt may still correct it.
      const ending = event.ambiguous ? MessageStatus.Unknown : MessageStatus.Failed;
      const failed = await this.conditionalUpdate(
        sql,
        event.messageId,
        {
          status: ending,
          status_rank: FINAL_RANK,
          final_at: now,
          next_retry_at: null,
          updated_at: now,
          ...errorFields,
        },
        STATUS_RANK[MessageStatus.Sent],
        `attempt = ${Number(attempt)}`,
      );

      return { applied: failed, status: failed ? ending : null };
    }
    const retryAt = new Date(now.getTime() + decision.delayMs);
    if (row.expires_at !== null && retryAt.getTime() >= storedDate(row.expires_at).getTime()) {
      // The next attempt would come after the message's validity: it ends `expired`, not sent late.
      const expired = await this.conditionalUpdate(
        sql,
        event.messageId,
        {
          status: MessageStatus.Expired,
          status_rank: FINAL_RANK,
          final_at: now,
          next_retry_at: null,
          updated_at: now,
          error_code: VALIDITY_EXPIRED,
          error_message: `its validity ran out before attempt ${decision.nextAttempt} (after ${event.errorCode ?? 'a transient failure'})`,
        },
        STATUS_RANK[MessageStatus.Sent],
        `attempt = ${Number(attempt)}`,
      );

      return { applied: expired, status: expired ? MessageStatus.Expired : null };
    }
    const avoid = new Set((row.avoid_providers ?? '').split(',').filter(Boolean));
    // An ambiguous send may have reached the provider: pin retries to it instead of failing over.
    if (event.provider && !event.ambiguous) {
      avoid.add(event.provider);
    }

    const rescheduled = await this.conditionalUpdate(
      sql,
      event.messageId,
      {
        attempt: decision.nextAttempt,
        next_retry_at: retryAt,
        avoid_providers: [...avoid].join(',').slice(0, 255) || null,
        pin_provider: event.ambiguous ? (event.provider ?? null) : null,
        updated_at: now,
        ...errorFields,
      },
      STATUS_RANK[MessageStatus.Sent],
      `attempt = ${Number(attempt)}`,
    );

    return {
      applied: rescheduled,
      status: null,
      ...(rescheduled && { retryAt }),
    };
  }

  /**
   * `UPDATE sms_messages SET … WHERE id = ? AND status_rank < ?` and whether a row changed. `createdAt`, the
   * row's as this transaction read it (it never changes), names its partition on MySQL: by id alone the
   * UPDATE descends every month's primary key.
   */
  private async conditionalUpdate(
    sql: SqlRunner,
    id: string,
    set: Record<string, unknown>,
    belowRank: number,
    extraCondition?: string,
    extraParams: readonly unknown[] = [],
    createdAt?: Date,
  ): Promise<boolean> {
    const columns = Object.keys(set);
    const values = columns.map((c) => sql.value(set[c]));
    const window = sql.mysql && createdAt ? windowAround([createdAt]) : null;
    const statement = `UPDATE sms_messages SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE id = ? AND status_rank < ?${
      extraCondition ? ` AND ${extraCondition}` : ''
    }${window ? ' AND created_at >= ? AND created_at < ?' : ''}`;
    const bounds = window ? [window.from, window.to] : [];

    return (await sql.execute(statement, [...values, id, belowRank, ...extraParams, ...bounds])) > 0;
  }
}

interface BatchMessageRow {
  id: string;
  account_id: string;
  status: MessageStatus;
  status_rank: number | string;
  provider_message_id: string | null;
  dlr_fallbacks: number | string;
  country: string | null;
  segments: number | string;
  callback_url: string | null;
  client_reference: string | null;
  callback_format: string | null;
  to_number: string;
  sender: string | null;
  created_at: Date | string;
  /** The batch's event ids already recorded for this message, comma-separated; null when none. */
  known_events: string | null;
}

interface BatchMessage extends LedgerRow {
  readonly accountId: string;
  readonly status: MessageStatus;
  readonly country: string | null;
  readonly segments: number;
  readonly callbackUrl: string | null;
  readonly clientReference: string | null;
  readonly callbackFormat: CallbackFormat | null;
  readonly to: string;
  readonly sender: string | null;
}

/** The ledger columns an event moving the message to `status` sets (one statement or a batch's, alike). */
function statusColumns(event: StatusChangedV1, status: MessageStatus, now: Date): Record<string, unknown> {
  const rank = STATUS_RANK[status];
  const set: Record<string, unknown> = { status, status_rank: rank, updated_at: now };
  if (status === MessageStatus.Sent || status === MessageStatus.Sending) {
    Object.assign(set, {
      provider: event.provider ?? null,
      provider_message_id: event.providerMessageId ?? null,
      next_retry_at: null,
    });
  }
  if (status === MessageStatus.Sent) {
    Object.assign(set, { sent_at: new Date(event.occurredAt) });
    if (event.sender) {
      set['sender'] = event.sender;
    }
    if (event.cost) {
      Object.assign(set, { cost: event.cost, currency: event.currency ?? null });
    }
    if (event.detail) {
      set['route_reason'] = event.detail.slice(0, 512);
    }
  }
  if (rank === FINAL_RANK) {
    Object.assign(set, {
      final_at: new Date(event.occurredAt),
      next_retry_at: null,
      error_code: event.errorCode ?? null,
      error_message: event.errorMessage?.slice(0, 512) ?? null,
    });
    if (status === MessageStatus.Delivered) {
      set['delivered_at'] = new Date(event.occurredAt);
    }
  }

  return set;
}

/**
 * Messages that want callbacks or account webhooks, with their status before the batch (updated as the
 * batch moves them).
 */
function callbackTargetsOf(
  messages: ReadonlyMap<string, BatchMessage>,
  callbacks: boolean,
  webhooks: StatusWebhooks | undefined,
): Map<string, CallbackTarget> {
  const targets = new Map<string, CallbackTarget>();
  for (const [id, message] of messages) {
    const callbackUrl = callbacks ? message.callbackUrl : null;
    const hooked = webhooks?.wants(message.accountId) ?? false;
    if (callbackUrl !== null || hooked) {
      targets.set(id, {
        status: message.status,
        accountId: message.accountId,
        callbackUrl,
        clientReference: message.clientReference,
        format: message.callbackFormat ? { name: message.callbackFormat, to: message.to, from: message.sender } : null,
        webhooks: hooked,
      });
    }
  }

  return targets;
}

/**
 * What a non-JSON callback body names besides the change: the recipient and the sender, which a `sent`
 * event may have just chosen (it is then the sender of every later change too).
 */
function formatFields(
  format: NonNullable<CallbackTarget['format']>,
  event: StatusChangedV1,
): Pick<MessageTransitionV1, 'callbackFormat' | 'to' | 'from'> {
  if (event.sender) {
    format.from = event.sender;
  }

  return { callbackFormat: format.name, to: format.to, from: format.from };
}

/** Of these events' ids, those already in `message_events` (redelivered events). */
async function knownEventIds(sql: SqlRunner, batch: readonly StatusChangedV1[]): Promise<Set<string>> {
  const ids = [...new Set(batch.map((e) => e.eventId))];
  const known = await sql.query<{ event_id: string }>(
    `SELECT event_id FROM message_events WHERE event_id IN (${ids.map(() => '?').join(',')})`,
    ids,
  );

  return new Set(known.map((row) => row.event_id));
}

/** An event that moved a message with a callback target becomes a caller callback and/or an account webhook. */
/** The provider accepted the attempt whatever the ledger's status does with it: it is billed. */
function collectCharges(applied: AppliedEvents, event: StatusChangedV1, message: BatchMessage | undefined): void {
  const charge = chargeOf(event, message);
  if (charge) {
    applied.charges.push(charge);
  }
  const receiptPrice = receiptPriceOf(event);
  if (receiptPrice) {
    applied.receiptPrices.push(receiptPrice);
  }
}

function collectChange(
  applied: AppliedEvents,
  target: CallbackTarget | undefined,
  event: StatusChangedV1,
  status: MessageStatus | null,
): void {
  if (!target || status === null || status === target.status) {
    return;
  }
  const change: StatusChange = {
    eventId: event.eventId,
    messageId: event.messageId,
    accountId: target.accountId,
    status,
    previousStatus: target.status,
    clientReference: target.clientReference,
    errorCode: event.errorCode ?? null,
    errorMessage: event.errorMessage?.slice(0, 512) ?? null,
    at: event.occurredAt,
  };
  if (target.callbackUrl !== null) {
    applied.changes.push({
      ...change,
      callbackUrl: target.callbackUrl,
      ...(target.format && formatFields(target.format, event)),
    });
  }
  if (target.webhooks) {
    applied.hooks.push(change);
  }
  target.status = status;
}

/** The event's `message_events` row, in EVENT_COLUMNS order. */
function eventRow(event: StatusChangedV1, { applied, note }: UpdateResult): unknown[] {
  return [
    event.eventId,
    event.messageId,
    event.kind,
    event.source,
    applied,
    event.attempt ?? null,
    event.provider ?? null,
    event.errorCode ?? null,
    (note ?? event.detail)?.slice(0, 512) ?? null,
    new Date(event.occurredAt),
    event.errorMessage?.slice(0, 512) ?? null,
    event.providerMessageId ?? null,
    event.sender ?? null,
    event.cost ?? null,
    event.currency ?? null,
    event.latencyMs ?? null,
    event.receiptId ?? null,
  ];
}

function countApplied(events: readonly StatusChangedV1[], countries: ReadonlyMap<string, string>): void {
  for (const event of events) {
    const labels = {
      status: event.kind,
      provider: event.provider ?? 'none',
      country: countries.get(event.messageId) ?? 'unknown',
    };
    metrics.messages.inc(labels);
    if (event.cost && event.currency) {
      const cost = Number(event.cost);
      if (Number.isFinite(cost) && cost > 0) {
        metrics.messageCost.inc({ provider: labels.provider, country: labels.country, currency: event.currency }, cost);
      }
    }
  }
}

/** A stored datetime: a Date from mysql2, a UTC `YYYY-MM-DD HH:MM:SS.mmm` string from SQLite. */
function storedDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(`${value.replace(' ', 'T')}Z`);
}
