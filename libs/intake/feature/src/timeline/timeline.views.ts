import { type CallbackLogView, type RawReceiptView, StatusEventSource, TIMELINE_MAX_RECEIPTS } from '@sms/contracts';
import type { MessageEventEntity } from '../database/entities/message-event.entity';
import type { SmsMessageEntity } from '../database/entities/sms-message.entity';
import { type MessageFields, toMessageFields } from '../messages/message.views';

export interface TimelineEventView {
  readonly status: string;
  readonly at: string;
  readonly source: string;
  readonly provider: string | null;
  readonly attempt: number | null;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  readonly detail: string | null;
  readonly applied: boolean;
}

export interface TimelineAttemptView {
  readonly attempt: number;
  readonly provider: string | null;
  readonly sender: string | null;
  readonly providerMessageId: string | null;
  /** The send-worker's last word on the attempt: sent, retry, failed, undelivered, cancelled. */
  readonly outcome: string;
  readonly errorCode: string | null;
  readonly cost: string | null;
  readonly currency: string | null;
  /** The answer's time less the call's latency; null when the latency is not known. */
  readonly startedAt: string | null;
  readonly answeredAt: string;
}

export interface TimelineRouteView {
  readonly provider: string | null;
  readonly sender: string | null;
  readonly reason: string;
}

export type TimelinePart = 'receipts' | 'callbacks';

/** The body of GET /v1/messages/:id/timeline (api.md "A message's timeline"). */
export interface TimelineView {
  readonly message: MessageFields & { readonly body: string };
  readonly events: TimelineEventView[];
  readonly attempts: TimelineAttemptView[];
  readonly route: TimelineRouteView | null;
  readonly receipts: RawReceiptView[];
  readonly callbacks: CallbackLogView[];
  readonly unavailable: TimelinePart[];
}

/** Sources whose events report a provider call (the send-worker's own results and its reconciliation). */
const ATTEMPT_SOURCES: readonly string[] = [StatusEventSource.SendWorker, StatusEventSource.Reconcile];

export const toTimelineEvent = (e: MessageEventEntity): TimelineEventView => ({
  status: e.status,
  at: e.occurredAt.toISOString(),
  source: e.source,
  provider: e.provider,
  attempt: e.attempt,
  errorCode: e.errorCode,
  errorMessage: e.errorMessage,
  detail: e.detail,
  applied: Boolean(e.applied),
});

/**
 * One entry per attempt, from the send-worker's status events as intake recorded them: the attempt's
 * latest event gives the outcome, and each field is the latest one any of its events carried (a `sent`
 * names the sender and provider id, a later receipt-driven `failed` does not).
 */
export function attemptsOf(events: readonly MessageEventEntity[]): TimelineAttemptView[] {
  const byAttempt = new Map<number, MessageEventEntity[]>();
  for (const event of events) {
    if (event.attempt !== null && ATTEMPT_SOURCES.includes(event.source)) {
      const list = byAttempt.get(event.attempt) ?? [];
      list.push(event);
      byAttempt.set(event.attempt, list);
    }
  }

  return [...byAttempt.entries()]
    .sort(([a], [b]) => a - b)
    .map(([attempt, list]) => {
      // Each list holds at least the event that created it.
      const last = list[list.length - 1] as MessageEventEntity;
      const latest = <K extends keyof MessageEventEntity>(key: K): MessageEventEntity[K] | null =>
        [...list].reverse().find((e) => e[key] !== null && e[key] !== undefined)?.[key] ?? null;
      const latency = latest('latencyMs');

      return {
        attempt,
        provider: latest('provider'),
        sender: latest('sender'),
        providerMessageId: latest('providerMessageId'),
        outcome: last.status,
        errorCode: last.errorCode,
        cost: latest('cost'),
        currency: latest('currency'),
        startedAt: latency === null ? null : new Date(last.occurredAt.getTime() - Number(latency)).toISOString(),
        answeredAt: last.occurredAt.toISOString(),
      };
    });
}

/** The stored webhooks the message's receipt events were read from, first seen first, bounded. */
export const receiptIdsOf = (events: readonly MessageEventEntity[]): string[] =>
  [...new Set(events.flatMap((e) => (e.receiptId ? [e.receiptId] : [])))].slice(0, TIMELINE_MAX_RECEIPTS);

/** The router's decision as the send-worker carried it to the ledger; null until a provider took the message. */
export const routeOf = (m: SmsMessageEntity): TimelineRouteView | null =>
  m.routeReason === null ? null : { provider: m.provider, sender: m.sender, reason: m.routeReason };

export const timelineMessageOf = (m: SmsMessageEntity): TimelineView['message'] => ({
  ...toMessageFields(m),
  body: m.body,
});
