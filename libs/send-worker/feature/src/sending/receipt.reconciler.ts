import { Logger } from '@nestjs/common';
import type { Bus, ConsumedRecord } from '@sms/bus';
import {
  decodeEvent,
  newEventId,
  ReconcileRequestedV1,
  type StatusChangedV1,
  StatusEventKind,
  StatusEventSource,
  statusRecords,
} from '@sms/contracts';
import { DeliveryStatus, ErrorClass, isFinalDeliveryStatus, type LookupResult } from '@sms/provider-port';
import type { ProviderRegistry } from '@sms/providers';

/** The error code of a message that ends `unknown`: no final receipt in time, and the provider could not say. */
export const RECEIPT_TIMEOUT = 'RECEIPT_TIMEOUT';

/**
 * How far before the `sent` time a search by recipient reaches: the send result is recorded after the
 * provider created the message.
 */
const SEARCH_LEAD_MS = 5 * 60_000;

/**
 * Answers `sms.reconcile.v1` (a message still `sent` past its provider's receipt deadline): asks the provider
 * and publishes, on `sms.status.v1` with source `reconcile`, the `sent` event again with the provider's id
 * (dlr-processor learns it, and releases receipts parked because the original `sent` event never reached it)
 * and then the final status the provider reports, or `unknown` with RECEIPT_TIMEOUT when it has none to give.
 * Idempotent: intake applies status changes forward only, so a redelivered request changes nothing.
 */
export class ReceiptReconciler {
  private readonly logger = new Logger('send-worker-reconcile');

  constructor(
    private readonly bus: Bus,
    private readonly providers: ProviderRegistry,
    private readonly now: () => Date = () => new Date(),
  ) {}

  handle = async (record: ConsumedRecord): Promise<void> => {
    const request = decodeEvent(ReconcileRequestedV1, record.value);
    const result = await this.lookup(request);
    const events = reconcileEvents(request, result, this.now());
    this.logger.log(
      `message ${request.messageId} via ${request.provider}: lookup ${result.outcome}, ends ${events.at(-1)?.kind ?? 'unchanged'}`,
    );
    await this.bus.publish(events.flatMap((event) => statusRecords(event)));
  };

  private async lookup(request: ReconcileRequestedV1): Promise<LookupResult> {
    if (!this.providers.has(request.provider)) {
      return { outcome: 'unknown', reason: `no adapter for '${request.provider}'` };
    }
    const sentAt = new Date(request.sentAt);
    try {
      return await this.providers.get(request.provider).lookup({
        messageId: request.messageId,
        providerMessageId: request.providerMessageId,
        to: request.to,
        from: request.from ?? '',
        notBefore: new Date(sentAt.getTime() - SEARCH_LEAD_MS),
        notAfter: sentAt,
      });
    } catch (error) {
      return { outcome: 'unknown', reason: `lookup threw: ${error instanceof Error ? error.name : 'error'}` };
    }
  }
}

/** The status events a lookup result stands for (pure: unit-tested). */
export function reconcileEvents(request: ReconcileRequestedV1, result: LookupResult, at: Date): StatusChangedV1[] {
  const base = {
    messageId: request.messageId,
    accountId: request.accountId,
    source: StatusEventSource.Reconcile,
    attempt: request.attempt,
    provider: request.provider,
    errorCode: null,
    errorMessage: null,
    errorClass: null,
    ambiguous: null,
    cost: null,
    currency: null,
    // The router counts an overdue receipt against the route of this send, on whichever replica sees it.
    sentAt: request.sentAt,
    ...(request.country ? { country: request.country } : {}),
    occurredAt: at.toISOString(),
  };
  const providerMessageId = result.outcome === 'found' ? result.providerMessageId : request.providerMessageId;
  const events: StatusChangedV1[] = [];
  if (providerMessageId) {
    events.push({
      ...base,
      eventId: newEventId(),
      kind: StatusEventKind.Sent,
      providerMessageId,
      ...(result.outcome === 'found' && result.partIds && result.partIds.length > 1
        ? { partIds: [...result.partIds] }
        : {}),
      detail: 'reconciliation: provider id re-announced',
    });
  }
  if (result.outcome === 'found' && isFinalDeliveryStatus(result.status)) {
    const kind = finalKindOf(result.status);
    events.push({
      ...base,
      eventId: newEventId(),
      kind,
      providerMessageId,
      errorCode: result.errorCode?.slice(0, 64) ?? null,
      errorClass: result.errorClass ?? null,
      errorMessage:
        kind === StatusEventKind.Delivered ? null : `provider status ${result.providerStatus}`.slice(0, 512),
      detail: `reconciled by lookup: ${result.providerStatus}`.slice(0, 512),
      // Opt-out records provider-reported opt-outs from these two fields (as for a send failure).
      ...(result.errorClass === ErrorClass.OptedOut ? { recipient: request.to, sender: request.from } : {}),
    });

    return events;
  }
  const why =
    result.outcome === 'found'
      ? `the provider still reports ${result.providerStatus}`
      : result.outcome === 'not_found'
        ? 'the provider does not know the message'
        : result.reason;
  events.push({
    ...base,
    eventId: newEventId(),
    kind: StatusEventKind.Unknown,
    providerMessageId,
    errorCode: RECEIPT_TIMEOUT,
    errorMessage: `no final receipt before the deadline and no final status from a lookup: ${why}`.slice(0, 512),
    detail: `reconciliation: ${result.outcome}`,
    ...(overdueResendMayApply(request, result) ? { fallbackEligible: true } : {}),
  });

  return events;
}

/**
 * The one answer after which a re-send elsewhere cannot create a message the provider already may have
 * delivered unseen: the send result named the provider's id (the send was not ambiguous) and the provider,
 * asked by that id, confirms it holds the message and has no final status for it. `not_found` after an
 * accepted send (the provider purged or lost its record: it may have been delivered) and `unknown` (not
 * asked, or no lookup API) never qualify. Intake decides the rest (the operator's setting, the message class,
 * no ambiguous attempt, once per message).
 */
export function overdueResendMayApply(request: ReconcileRequestedV1, result: LookupResult): boolean {
  // With the provider's id in the request, every adapter looks the message up by that id.
  return result.outcome === 'found' && !isFinalDeliveryStatus(result.status) && !!request.providerMessageId;
}

function finalKindOf(status: DeliveryStatus): StatusEventKind {
  switch (status) {
    case DeliveryStatus.Delivered:
      return StatusEventKind.Delivered;
    case DeliveryStatus.Failed:
      return StatusEventKind.Failed;
    case DeliveryStatus.Undelivered:
    case DeliveryStatus.Queued:
    case DeliveryStatus.Sending:
    case DeliveryStatus.Sent:
      // Only final statuses reach here (isFinalDeliveryStatus); the rest cannot.
      return StatusEventKind.Undelivered;
  }
}
