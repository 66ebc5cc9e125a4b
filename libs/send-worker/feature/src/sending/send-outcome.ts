import {
  type DispatchRequestedV1,
  newEventId,
  OPTED_OUT_BEFORE_SEND,
  type StatusChangedV1,
  StatusEventKind,
  StatusEventSource,
  VALIDITY_EXPIRED,
} from '@sms/contracts';
import { ErrorClass, ProviderError, type SendResult } from '@sms/provider-port';

/**
 * Multiplies a per-segment decimal price without floating-point drift. Prices have at most 6 decimals and
 * so does the product: it is exact, written with at least 4 decimals (0.0079 × 3 = `0.0237`) and up to 6
 * where they are needed (0.00755 × 3 = `0.02265`), never cut.
 */
export function totalCost(pricePerSegment: string | null, segments: number): string | null {
  if (pricePerSegment === null || !/^\d+(\.\d{1,6})?$/.test(pricePerSegment)) {
    return null;
  }
  const [whole = '0', fraction = ''] = pricePerSegment.split('.');
  const micros = BigInt(whole) * 1_000_000n + BigInt(fraction.padEnd(6, '0')) * 1n;
  const total = micros * BigInt(segments);
  const units = total / 1_000_000n;
  const rest = (total % 1_000_000n)
    .toString()
    .padStart(6, '0')
    .replace(/0{1,2}$/, '');

  return `${units}.${rest.padEnd(4, '0')}`;
}

/**
 * The fields every outcome event shares. Built as one literal with the optional fields assigned after, and
 * completed the same way by sentEvent: object spreads with fields added after them cost each send several
 * microseconds (docs/performance.md, "Receipts: CPU per message").
 */
function base(dispatch: DispatchRequestedV1, at: Date): Omit<StatusChangedV1, 'kind'> {
  const event: Omit<StatusChangedV1, 'kind'> = {
    eventId: newEventId(),
    messageId: dispatch.messageId,
    // The message's account, for the services that scope by it (a provider-reported opt-out).
    accountId: dispatch.accountId,
    source: StatusEventSource.SendWorker,
    attempt: dispatch.attempt,
    provider: dispatch.provider,
    providerMessageId: null,
    errorCode: null,
    errorMessage: null,
    errorClass: null,
    ambiguous: null,
    cost: null,
    currency: null,
    detail: null,
    occurredAt: '',
  };
  // Route quality is kept per destination country (router); absent on dispatches from before the field.
  if (dispatch.country) {
    event.country = dispatch.country;
  }
  // ... and per network where a lookup placed the number (route quality's narrowest level).
  if (dispatch.network) {
    event.network = dispatch.network;
  }
  event.occurredAt = at.toISOString();

  return event;
}

export function sentEvent(dispatch: DispatchRequestedV1, result: SendResult, at: Date): StatusChangedV1 {
  const event = base(dispatch, at) as StatusChangedV1;
  event.kind = StatusEventKind.Sent;
  event.providerMessageId = result.providerMessageId;
  // The number (or sender id) the provider sent from: the ledger shows it as `from` and the receipt
  // fallback checks opt-outs against it. Empty when the provider picked its own origination.
  event.sender = dispatch.from || null;
  // Per-part ids let dlr-processor match each part's receipt and roll the message up.
  if (result.partIds && result.partIds.length > 1) {
    event.partIds = [...result.partIds];
  }
  addSentCost(event, dispatch, result);
  event.detail = `${dispatch.routeReason}`.slice(0, 512);

  return event;
}

/**
 * What the attempt costs: the provider's own price when its answer had one (final), else the route's rate
 * times the segments (an estimate; a provider-reported price may replace it later, docs/billing.md).
 */
function addSentCost(event: StatusChangedV1, dispatch: DispatchRequestedV1, result: SendResult): void {
  if (result.cost !== undefined) {
    event.cost = result.cost;
    event.currency = result.currency ?? dispatch.currency;
    event.costEstimated = false;

    return;
  }
  const estimate = totalCost(dispatch.price, dispatch.segments);
  event.cost = estimate;
  event.currency = dispatch.currency;
  if (estimate !== null) {
    event.costEstimated = true;
    event.unitPrice = dispatch.price;
  }
}

/** The message's validity ran out before the provider call (its rate slot came too late): not sent. */
export function expiredEvent(dispatch: DispatchRequestedV1, at: Date): StatusChangedV1 {
  const reason = `its validity ran out (at ${dispatch.expiresAt ?? '?'}) before it could be sent`;

  return {
    ...base(dispatch, at),
    kind: StatusEventKind.Expired,
    errorCode: VALIDITY_EXPIRED,
    errorMessage: reason,
    errorClass: 'permanent',
    detail: reason,
  };
}

/** The attempt was cancelled by its caller before the provider call: not sent. */
export function cancelledEvent(dispatch: DispatchRequestedV1, at: Date): StatusChangedV1 {
  return { ...base(dispatch, at), kind: StatusEventKind.Cancelled, detail: 'cancelled before the provider call' };
}

/**
 * Maps a classified provider failure onto the ledger's vocabulary: transient → `retry` (intake
 * backs off and may fail over), permanent and opted-out → `undelivered` with the provider's code,
 * configuration → `failed` (no retry; an operator must act).
 */
export function failureEvent(dispatch: DispatchRequestedV1, error: unknown, at: Date): StatusChangedV1 {
  const providerError =
    error instanceof ProviderError
      ? error
      : new ProviderError(
          ErrorClass.Transient,
          'ADAPTER_ERROR',
          error instanceof Error ? error.message : 'unknown error',
          true,
        );
  const kind = (() => {
    switch (providerError.errorClass) {
      case ErrorClass.Transient:
        return StatusEventKind.Retry;
      case ErrorClass.Permanent:
      case ErrorClass.OptedOut:
        return StatusEventKind.Undelivered;
      case ErrorClass.Configuration:
        return StatusEventKind.Failed;
    }
  })();

  return {
    ...base(dispatch, at),
    kind,
    errorCode: providerError.code.slice(0, 64),
    errorMessage: providerError.message.slice(0, 512),
    errorClass: providerError.errorClass,
    ambiguous: providerError.ambiguous,
    // The opt-out service records provider-reported opt-outs from these two fields.
    ...(providerError.errorClass === ErrorClass.OptedOut ? { recipient: dispatch.to, sender: dispatch.from } : {}),
  };
}

/**
 * The recipient opted out after the message was queued: it ends `failed` without a provider call.
 * Classed permanent (not opted_out) because the opt-out is already recorded; it must not be re-recorded.
 */
export function optedOutEvent(dispatch: DispatchRequestedV1, at: Date): StatusChangedV1 {
  return {
    ...base(dispatch, at),
    kind: StatusEventKind.Failed,
    errorCode: OPTED_OUT_BEFORE_SEND,
    errorMessage: 'The recipient opted out of messages from this sender',
    errorClass: ErrorClass.Permanent,
  };
}

/** A previous delivery of this dispatch died mid-call: the provider may or may not have the message. */
export function ambiguousEvent(dispatch: DispatchRequestedV1, at: Date): StatusChangedV1 {
  return failureEvent(
    dispatch,
    new ProviderError(ErrorClass.Transient, 'AMBIGUOUS_SUBMIT', 'a worker stopped during the provider call', true),
    at,
  );
}
