import { type ChargeView, type CostView, totalsOf } from '../billing/charge-views';
import type { MessageEventEntity } from '../database/entities/message-event.entity';
import type { SmsMessageEntity } from '../database/entities/sms-message.entity';
import type { ValidatedMessage } from './message-request.validator';

/** The 202 body of POST /v1/messages (api.md). */
export interface AcceptedMessageView {
  readonly id: string;
  /** `scheduled` when `sendAt` is ahead, else `queued`. */
  readonly status: 'queued' | 'scheduled';
  readonly to: string;
  readonly from: string | null;
  readonly country: string;
  readonly encoding: string;
  readonly segments: number;
  /** The body as sent: smart encoding may have replaced look-alike characters. */
  readonly body: string;
  /** Segments smart encoding saved (0 when it was off or changed nothing). */
  readonly segmentsSaved: number;
  readonly clientReference: string | null;
  readonly createdAt: string;
  /** Only on a scheduled message: when it will be sent. */
  readonly sendAt?: string;
}

export interface MessageEventView {
  readonly status: string;
  readonly at: string;
  readonly source?: string;
  readonly provider?: string;
  readonly attempt?: number;
  readonly errorCode?: string;
  readonly detail?: string;
  /** False for a late or duplicate report that was recorded without changing the message. */
  readonly applied?: boolean;
}

/** The body of GET /v1/messages/:id (api.md). */
export interface MessageView {
  readonly id: string;
  readonly status: string;
  readonly to: string;
  readonly from: string | null;
  readonly country: string;
  readonly encoding: string;
  readonly segments: number;
  readonly messageClass: string;
  readonly provider: string | null;
  readonly providerMessageId: string | null;
  readonly cost: string | null;
  readonly currency: string | null;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  readonly attempts: number;
  readonly nextRetryAt: string | null;
  readonly routeReason: string | null;
  readonly clientReference: string | null;
  readonly createdAt: string;
  readonly sentAt: string | null;
  readonly deliveredAt: string | null;
  /** When a scheduled message is (or was) released for sending; null for one sent at once. */
  readonly sendAt: string | null;
  /** Past this the message is never sent (its validity from `sendAt` or creation); null without a validity. */
  readonly expiresAt: string | null;
  readonly events: MessageEventView[];
  /** What each provider attempt cost, in attempt order (docs/billing.md). */
  readonly charges: ChargeView[];
  /** The sum of the charges per currency (one entry unless a fallback changed currency). */
  readonly costs: CostView[];
}

export const toAcceptedView = (id: string, m: ValidatedMessage, createdAt: Date): AcceptedMessageView => ({
  id,
  status: m.sendAt !== null && m.sendAt > createdAt ? 'scheduled' : 'queued',
  to: m.to,
  from: m.from,
  country: m.country,
  encoding: m.encoding,
  segments: m.segments,
  body: m.body,
  segmentsSaved: m.segmentsSaved ?? 0,
  clientReference: m.clientReference,
  createdAt: createdAt.toISOString(),
  ...(m.sendAt !== null && m.sendAt > createdAt && { sendAt: m.sendAt.toISOString() }),
});

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

/** A message's own fields, as every read of one shows them (its view, search results). */
export type MessageFields = Omit<MessageView, 'events' | 'charges' | 'costs'>;

export function toMessageFields(m: SmsMessageEntity): MessageFields {
  return {
    id: m.id,
    status: m.status,
    to: m.toNumber,
    from: m.sender ?? m.requestedFrom,
    country: m.country,
    encoding: m.encoding,
    segments: m.segments,
    messageClass: m.messageClass,
    provider: m.provider,
    providerMessageId: m.providerMessageId,
    cost: m.cost,
    currency: m.currency,
    errorCode: m.errorCode,
    errorMessage: m.errorMessage,
    attempts: m.attempt,
    nextRetryAt: iso(m.nextRetryAt),
    routeReason: m.routeReason,
    clientReference: m.clientReference,
    createdAt: m.createdAt.toISOString(),
    sentAt: iso(m.sentAt),
    deliveredAt: iso(m.deliveredAt),
    sendAt: iso(m.sendAt),
    expiresAt: iso(m.expiresAt),
  };
}

/**
 * `cost` and `currency` are the ledger's, as search and the timeline show them: the attempt's own price string
 * for a message charged once, the sum of its charges once it has more (refreshLedgerCosts keeps the ledger so),
 * so a fallback's first attempt is no longer lost. Where the charges are in more than one currency there is no
 * one sum, and they stay the last attempt's; `costs` has each currency's sum.
 */
export function toMessageView(
  m: SmsMessageEntity,
  events: readonly MessageEventEntity[],
  charges: readonly ChargeView[] = [],
): MessageView {
  return {
    ...toMessageFields(m),
    charges: [...charges],
    costs: totalsOf(charges),
    events: events.map((e) => ({
      status: e.status,
      at: e.occurredAt.toISOString(),
      source: e.source,
      ...(e.provider ? { provider: e.provider } : {}),
      ...(e.attempt ? { attempt: e.attempt } : {}),
      ...(e.errorCode ? { errorCode: e.errorCode } : {}),
      ...(e.detail ? { detail: e.detail } : {}),
      ...(e.applied ? {} : { applied: false }),
    })),
  };
}
