import { MessageStatus, StatusEventKind, StatusEventSource } from '@sms/contracts';
import type { SqlRunner } from '@sms/persistence';

/**
 * The one state machine of a message (architecture.md): [scheduled →] queued → sending → sent → delivered |
 * undelivered, and failed, cancelled or expired from any non-final state. Ranks make "forward" a number
 * comparison, so the database can enforce it with `WHERE status_rank < ?` instead of a read-modify-write race.
 *
 * `scheduled` shares queued's rank: only the release job moves it on, by a conditional UPDATE on the status
 * itself (ScheduledRelease), never by an event. `cancelled` and `expired` are final like every rank-3 status,
 * so no later send result, retry or receipt moves a cancelled or expired message anywhere.
 */
export const STATUS_RANK = {
  [MessageStatus.Scheduled]: 0,
  [MessageStatus.Queued]: 0,
  [MessageStatus.Sending]: 1,
  [MessageStatus.Sent]: 2,
  [MessageStatus.Delivered]: 3,
  [MessageStatus.Undelivered]: 3,
  [MessageStatus.Failed]: 3,
  // Final like the others; only a provider's receipt may still move it (see correctsUnknown).
  [MessageStatus.Unknown]: 3,
  [MessageStatus.Cancelled]: 3,
  [MessageStatus.Expired]: 3,
} as const satisfies Record<MessageStatus, number>;

export const FINAL_RANK = 3;

export const isFinal = (status: MessageStatus): boolean => STATUS_RANK[status] === FINAL_RANK;

/**
 * The one exception to forward-only: `unknown` says only that we could not learn the outcome in time, so a
 * real receipt from the provider (delivered, undelivered, failed) that arrives later replaces it. Nothing
 * else moves a final message: not a send result, not a retry, not another `unknown`.
 */
export const correctsUnknown = (event: StatusEventKind, source: StatusEventSource): boolean =>
  source === StatusEventSource.Dlr &&
  (event === StatusEventKind.Delivered || event === StatusEventKind.Undelivered || event === StatusEventKind.Failed);

/** True when moving from `current` to `next` is allowed (strictly forward). */
export const isForward = (current: MessageStatus, next: MessageStatus): boolean =>
  STATUS_RANK[next] > STATUS_RANK[current];

/** The ledger status an event kind moves to; null for events that are not a status (retry, refused). */
export function statusOf(kind: StatusEventKind): MessageStatus | null {
  switch (kind) {
    case StatusEventKind.Sending:
      return MessageStatus.Sending;
    case StatusEventKind.Sent:
      return MessageStatus.Sent;
    case StatusEventKind.Delivered:
      return MessageStatus.Delivered;
    case StatusEventKind.Undelivered:
      return MessageStatus.Undelivered;
    case StatusEventKind.Failed:
      return MessageStatus.Failed;
    case StatusEventKind.Unknown:
      return MessageStatus.Unknown;
    case StatusEventKind.Cancelled:
      return MessageStatus.Cancelled;
    case StatusEventKind.Expired:
      return MessageStatus.Expired;
    case StatusEventKind.Retry:
    case StatusEventKind.Refused:
      return null;
  }
}

/**
 * The classes an overdue receipt may re-send for a message's account (ADR 0023: the account's own policy, else
 * the operator's default, else RESEND_ON_RECEIPT_TIMEOUT). Asked inside the status batch's transaction.
 */
export interface OverdueResendPolicy {
  classesFor(accountId: string | null, sql: SqlRunner): Promise<readonly string[]>;
}

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Message classes re-sent once elsewhere when their receipt is overdue (RESEND_ON_RECEIPT_TIMEOUT); none by default. */
  readonly resendOnReceiptTimeout?: readonly string[];
  /** The run-time policy (ADR 0023); when given, it decides instead of `resendOnReceiptTimeout`. */
  readonly resendPolicy?: OverdueResendPolicy;
}

export type RetryDecision =
  | { readonly kind: 'reschedule'; readonly nextAttempt: number; readonly delayMs: number }
  | { readonly kind: 'give-up' };

/**
 * After attempt `attempt` failed transiently: try again after an exponential delay with "equal
 * jitter" (half fixed, half random) so a provider outage does not synchronise every retry, or give
 * up once `maxAttempts` provider calls were made.
 */
export function decideRetry(attempt: number, policy: RetryPolicy, random: () => number = Math.random): RetryDecision {
  if (attempt >= policy.maxAttempts) {
    return { kind: 'give-up' };
  }
  const exponential = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
  const delayMs = Math.round(exponential / 2 + random() * (exponential / 2));

  return { kind: 'reschedule', nextAttempt: attempt + 1, delayMs };
}
