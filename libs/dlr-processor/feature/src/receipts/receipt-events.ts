import { createHash } from 'node:crypto';
import { type StatusChangedV1, StatusEventKind, StatusEventSource } from '@sms/contracts';
import { DeliveryStatus, type DeliveryReport } from '@sms/provider-port';

/** Provider ids are compared after trimming; per-provider rules (hex/decimal SMPP ids) come with issue #5. */
export const normaliseProviderMessageId = (id: string): string => id.trim();

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
 * A deterministic event id from the stored webhook and the report's position in it: processing the
 * same raw receipt twice (redelivery, replay) yields the same event, which intake applies once.
 */
export function receiptEventId(webhookId: string, index: number): string {
  const hex = createHash('sha256').update(`${webhookId}:${index}`).digest('hex');

  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function receiptEvent(
  provider: string,
  report: DeliveryReport,
  kind: StatusEventKind,
  eventId: string,
  receivedAt: string,
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
    cost: null,
    currency: null,
    // The carrier's done time is often minute-precision (Twilio RawDlrDoneDate): keep it as detail and
    // order events by when we learned them.
    detail:
      `${report.providerStatus}${report.occurredAt ? ` (carrier time ${report.occurredAt.toISOString()})` : ''}`.slice(
        0,
        512,
      ),
    occurredAt: receivedAt,
  };
}
