import { hash } from 'node:crypto';
import { type StatusChangedV1, StatusEventKind, StatusEventSource } from '@sms/contracts';
import { canonicalMessageId, DeliveryStatus, type DeliveryReport, type SmsProvider } from '@sms/provider-port';
import type { SendRoute } from './send-route';

/**
 * The form a provider message id is stored and matched in: the adapter's own normaliser when it has
 * one (SMPP hex/decimal), else {@link canonicalMessageId}. A throwing normaliser must not lose the
 * receipt, so it falls back to the default.
 */
export function normaliseProviderMessageId(id: string, provider?: SmsProvider): string {
  if (provider?.normaliseMessageId) {
    try {
      return provider.normaliseMessageId(id).slice(0, 128);
    } catch {
      // fall through to the default form
    }
  }

  return canonicalMessageId(id).slice(0, 128);
}

/** The event kind a receipt reports; `queued` receipts say nothing new and are dropped. */
export function kindOf(status: DeliveryStatus): StatusEventKind | null {
  switch (status) {
    case DeliveryStatus.Queued:
      return null;
    case DeliveryStatus.Sending:
      return StatusEventKind.Sending;
    case DeliveryStatus.Sent:
      return StatusEventKind.Sent;
    case DeliveryStatus.Delivered:
      return StatusEventKind.Delivered;
    case DeliveryStatus.Undelivered:
      return StatusEventKind.Undelivered;
    case DeliveryStatus.Failed:
      return StatusEventKind.Failed;
  }
}

/**
 * A deterministic event id from the stored webhook, the report's position in it and what the parser
 * read from it: processing the same raw receipt twice (redelivery, replay) yields the same event,
 * which intake applies once, while a replay through a fixed parser that reads something else yields
 * a new event, which intake applies.
 */
export function receiptEventId(webhookId: string, index: number, reading = ''): string {
  const name = `${webhookId}:${index}${reading ? `:${reading}` : ''}`;

  return TIME_ORDERED.test(webhookId) ? timeOrderedUuidFrom(webhookId, name) : uuidFrom(name);
}

/** A UUIDv7 (or a regional v8 with the v7 layout): its first 48 bits are Unix milliseconds. */
const TIME_ORDERED = /^[0-9a-f]{8}-[0-9a-f]{4}-[78][0-9a-f]{3}-[89ab]/i;

/**
 * SHA-256 of a name's UTF-8 bytes, in hex: the same digest as a `createHash` object's, in one call (a Hash
 * object per receipt cost about 0.7 µs more; docs/performance.md, "Receipts: CPU per message").
 */
const sha256Hex = (name: string): string => hash('sha256', name, 'hex');

/**
 * A name-based id that sorts with `timeSource`, a UUIDv7: its 48-bit time, then 72 bits of the name's hash
 * (version 8 layout). Receipts are stored under v7 ids, so the events derived from them arrive in time
 * order at `message_events.event_id`'s unique index and fill its last pages, where hashed ids would each
 * dirty a page of their own (docs/performance.md, "Embedded: time-ordered event ids"). Still deterministic:
 * the same stored receipt and reading give the same id.
 */
function timeOrderedUuidFrom(timeSource: string, name: string): string {
  const hex = sha256Hex(name);

  return `${timeSource.slice(0, 8)}-${timeSource.slice(9, 13)}-8${hex.slice(0, 3)}-a${hex.slice(3, 6)}-${hex.slice(6, 18)}`;
}

/** What a parser read from one report, as the part of the event id that changes when the parser does. */
export const readingOf = (report: DeliveryReport, normalisedId: string): string =>
  [
    report.status,
    normalisedId,
    report.errorCode ?? '',
    report.errorClass ?? '',
    report.providerStatus,
    // Only where read: a receipt a parser without prices read keeps its id, while a replay through a parser
    // that now reads the price is a new event, which intake applies (the price replaces the estimate).
    ...(report.price ? [`${report.price.amount} ${report.price.currency}`] : []),
  ].join('|');

/** A name-based UUID (version 5 layout) for events derived from other facts (roll-ups). */
export function uuidFrom(name: string): string {
  const hex = sha256Hex(name);

  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function receiptEvent(
  provider: string,
  report: DeliveryReport,
  kind: StatusEventKind,
  eventId: string,
  receivedAt: string,
  receiptId: string | null = null,
): Omit<StatusChangedV1, 'messageId'> {
  return {
    eventId,
    kind,
    source: StatusEventSource.Dlr,
    attempt: null,
    provider,
    providerMessageId: report.providerMessageId,
    errorCode: report.errorCode ?? null,
    errorMessage: null,
    errorClass: report.errorClass ?? null,
    ambiguous: null,
    // A priced receipt (Vonage, AWS): the provider's own figure, which replaces the attempt's estimate.
    cost: report.price?.amount ?? null,
    currency: report.price?.currency ?? null,
    ...(report.price && { costEstimated: false }),
    ...(report.network && { network: report.network }),
    // The carrier's done time is often minute-precision (Twilio RawDlrDoneDate): keep it as detail and
    // order events by when we learned them.
    detail:
      `${report.providerStatus}${report.occurredAt ? ` (carrier time ${report.occurredAt.toISOString()})` : ''}`.slice(
        0,
        512,
      ),
    occurredAt: receivedAt,
    // A few bytes that let the message's timeline find the raw receipt (docs/api.md).
    ...(receiptId === null ? {} : { receiptId }),
  };
}

/**
 * The send a `sent` event reports, as its refs keep it: the time the provider accepted it (a reconciliation's
 * re-announcement carries the original `sentAt`; its own time is the lookup's), and where it went.
 */
export function sendRouteOf(event: StatusChangedV1): SendRoute | null {
  const sentAt = Date.parse(event.sentAt ?? event.occurredAt);

  return Number.isFinite(sentAt) ? { sentAt, country: event.country ?? null, network: event.network ?? null } : null;
}

/**
 * The receipt with its send's route (time, country, network) copied on, so whichever router replica counts
 * it finds its route without remembering the send. Fields the receipt already has are kept.
 */
export function withSendRoute(
  event: Omit<StatusChangedV1, 'messageId'>,
  route: SendRoute | null | undefined,
): Omit<StatusChangedV1, 'messageId'> {
  if (!route) {
    return event;
  }
  const routed = copyOf(event);
  routed.sentAt = event.sentAt ?? new Date(route.sentAt).toISOString();
  if (route.country && !event.country) {
    routed.country = route.country;
  }
  if (route.network && !event.network) {
    routed.network = route.network;
  }

  return routed;
}

/**
 * A shallow copy of an event, its fields in their order, for a caller that adds fields to it. A loop, not a
 * spread: a spread followed by fields of its own cost a receipt several microseconds more (docs/performance.md,
 * "Receipts: CPU per message").
 */
export function copyOf<T extends object>(event: T): { -readonly [K in keyof T]: T[K] } {
  const copy = {} as Record<string, unknown>;
  for (const key in event) {
    copy[key] = event[key];
  }

  return copy as { -readonly [K in keyof T]: T[K] };
}
