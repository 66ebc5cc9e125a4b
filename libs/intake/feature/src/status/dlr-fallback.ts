import { MessageStatus, type StatusChangedV1, StatusEventKind, StatusEventSource } from '@sms/contracts';
import { dbValue, isMysql, type SqlRunner } from '@sms/persistence';
import type { DataSource } from 'typeorm';
import { FINAL_RANK, type OverdueResendPolicy } from './message-state';

/**
 * The opt-out hook of the fallback: true when the recipient must not get another send (the opt-out
 * service, issue #6, implements it; without one the send-time check of the re-send is the guard).
 */
export type RecipientOptOutCheck = (recipient: string, sender: string | null) => Promise<boolean>;

/**
 * Receipt-driven fallback (issue #5): a receipt that reports a failure another route could fix
 * (`fallbackEligible`, set by dlr-processor for transient, single-part failures) re-opens the message
 * once for a new attempt through another provider instead of ending it. Only while the message is still
 * `sent` by the provider that failed — a delivered message (the first attempt might have arrived) or a
 * message already re-sent is left alone — never for an opted-out recipient, and only within the
 * attempt budget. The re-send goes through router (which avoids the failed provider) and send-worker
 * like any retry; its `sent` is adopted by the ledger, and its failure at send time ends the message.
 */
export class DlrFallback {
  private readonly overdue: OverdueResendPolicy;

  constructor(
    private readonly dataSource: DataSource,
    private readonly maxAttempts: number,
    private readonly isOptedOut?: RecipientOptOutCheck,
    /** Who enables the overdue re-send: a fixed list of classes (RESEND_ON_RECEIPT_TIMEOUT) or the run-time policy. */
    overdueClasses: readonly string[] | OverdueResendPolicy = [],
  ) {
    this.overdue = Array.isArray(overdueClasses)
      ? { classesFor: () => Promise.resolve(overdueClasses) }
      : (overdueClasses as OverdueResendPolicy);
  }

  static applies(event: StatusChangedV1): boolean {
    return (
      event.fallbackEligible === true &&
      !!event.provider &&
      ((event.source === StatusEventSource.Dlr &&
        (event.kind === StatusEventKind.Undelivered || event.kind === StatusEventKind.Failed)) ||
        DlrFallback.isOverdue(event))
    );
  }

  /**
   * Re-send on an overdue receipt (docs/reconciliation.md): reconciliation's `unknown` (RECEIPT_TIMEOUT) of a
   * message whose provider confirmed, by the id its send result gave, that it holds it with no final status.
   */
  static isOverdue(event: StatusChangedV1): boolean {
    return (
      event.fallbackEligible === true &&
      event.source === StatusEventSource.Reconcile &&
      event.kind === StatusEventKind.Unknown
    );
  }

  /**
   * A failure (or reconciliation's `unknown`) that may be of an attempt a fallback replaced: once a message was
   * re-sent elsewhere, only the outcome of its current provider ends it, so it never moves on the word of an
   * attempt it no longer waits for. A late `delivered` of the replaced attempt still ends it delivered: the
   * text did arrive.
   */
  static mayBeOfReplacedAttempt(event: StatusChangedV1): boolean {
    return (
      !!event.provider &&
      (event.source === StatusEventSource.Dlr || event.source === StatusEventSource.Reconcile) &&
      (event.kind === StatusEventKind.Undelivered ||
        event.kind === StatusEventKind.Failed ||
        event.kind === StatusEventKind.Unknown)
    );
  }

  /** Re-opens the message for one more attempt elsewhere; false when it may not (the event then applies). */
  async reroute(sql: SqlRunner, event: StatusChangedV1, now: Date): Promise<boolean> {
    const overdue = DlrFallback.isOverdue(event);
    // An overdue receipt never re-sends a message whose send went through an ambiguous attempt (pin_provider
    // set: a copy may exist that no id names); its class must be one its account's policy enables.
    const overdueCondition = overdue ? ' AND pin_provider IS NULL' : '';
    const lock = isMysql(this.dataSource) ? ' FOR UPDATE' : '';
    const rows = await sql.query<{
      avoid_providers: string | null;
      to_number: string;
      sender: string | null;
      attempt: number;
      account_id: string | null;
      message_class: string;
    }>(
      `SELECT avoid_providers, to_number, sender, attempt, account_id, message_class FROM sms_messages
         WHERE id = ? AND status = ? AND provider = ? AND dlr_fallbacks = 0 AND attempt < ?${overdueCondition}${lock}`,
      [event.messageId, MessageStatus.Sent, event.provider, this.maxAttempts],
    );
    const row = rows[0];
    if (!row || (overdue && !(await this.overdue.classesFor(row.account_id, sql)).includes(row.message_class))) {
      return false;
    }
    if (this.isOptedOut && (await this.isOptedOut(row.to_number, row.sender))) {
      return false;
    }
    const avoid = new Set((row.avoid_providers ?? '').split(',').filter(Boolean));
    avoid.add(event.provider as string);

    return (
      (await sql.execute(
        `UPDATE sms_messages SET attempt = attempt + 1, next_retry_at = ?, avoid_providers = ?, pin_provider = NULL,
         dlr_fallbacks = dlr_fallbacks + 1, error_code = ?, error_message = ?, updated_at = ?
         WHERE id = ? AND status = ? AND dlr_fallbacks = 0 AND attempt = ?`,
        [
          dbValue(this.dataSource, now),
          [...avoid].join(',').slice(0, 255),
          event.errorCode ?? null,
          event.errorMessage?.slice(0, 512) ?? null,
          dbValue(this.dataSource, now),
          event.messageId,
          MessageStatus.Sent,
          row.attempt,
        ],
      )) > 0
    );
  }

  /** The re-send's `sent` (the message is already `sent`): the ledger now names the new provider. */
  async adoptResend(sql: SqlRunner, event: StatusChangedV1): Promise<boolean> {
    if (event.kind !== StatusEventKind.Sent || !event.attempt || !event.provider) {
      return false;
    }

    return (
      (await sql.execute(
        `UPDATE sms_messages SET provider = ?, provider_message_id = ?, sender = COALESCE(?, sender), sent_at = ?,
         cost = COALESCE(?, cost), currency = COALESCE(?, currency), error_code = NULL, error_message = NULL
         WHERE id = ? AND status = ? AND dlr_fallbacks > 0 AND attempt = ?`,
        [
          event.provider,
          event.providerMessageId ?? null,
          event.sender ?? null,
          dbValue(this.dataSource, new Date(event.occurredAt)),
          event.cost ?? null,
          event.currency ?? null,
          event.messageId,
          MessageStatus.Sent,
          event.attempt,
        ],
      )) > 0
    );
  }

  /** The re-send failed at the provider's API (transient): it was the one extra try, so the message fails. */
  async failResend(sql: SqlRunner, event: StatusChangedV1, now: Date): Promise<boolean> {
    if (event.kind !== StatusEventKind.Retry || !event.attempt) {
      return false;
    }

    return (
      (await sql.execute(
        `UPDATE sms_messages SET status = ?, status_rank = ?, final_at = ?, next_retry_at = NULL, error_code = ?,
         error_message = ?, updated_at = ? WHERE id = ? AND status = ? AND dlr_fallbacks > 0 AND attempt = ?`,
        [
          MessageStatus.Failed,
          FINAL_RANK,
          dbValue(this.dataSource, now),
          event.errorCode ?? null,
          event.errorMessage?.slice(0, 512) ?? null,
          dbValue(this.dataSource, now),
          event.messageId,
          MessageStatus.Sent,
          event.attempt,
        ],
      )) > 0
    );
  }
}
