import { DeliveryStatus, type LookupResult } from '@sms/provider-port';

/** command_status of a query_sm the SMSC could not answer for this id: it does not have the message. */
export const QUERY_NOT_FOUND_STATUSES: ReadonlySet<number> = new Set([
  0x0c, // ESME_RINVMSGID: message ID is invalid
  0x67, // ESME_RQUERYFAIL: query_sm request failed (no such message)
]);

/** SMPP 3.4 §5.2.28 message_state values, as query_sm_resp reports them. */
const MESSAGE_STATES: Readonly<Record<number, { readonly word: string; readonly status: DeliveryStatus }>> = {
  1: { word: 'ENROUTE', status: DeliveryStatus.Sent },
  2: { word: 'DELIVERED', status: DeliveryStatus.Delivered },
  3: { word: 'EXPIRED', status: DeliveryStatus.Undelivered },
  4: { word: 'DELETED', status: DeliveryStatus.Undelivered },
  5: { word: 'UNDELIVERABLE', status: DeliveryStatus.Undelivered },
  6: { word: 'ACCEPTED', status: DeliveryStatus.Sent },
  7: { word: 'UNKNOWN', status: DeliveryStatus.Sent },
  8: { word: 'REJECTED', status: DeliveryStatus.Failed },
};

/**
 * A query_sm_resp as a lookup result: its message_state (and error_code, the network error of a failed
 * message) on ESME_ROK, `not_found` on ESME_RINVMSGID / ESME_RQUERYFAIL, `unknown` otherwise.
 */
export function lookupFromQueryResponse(
  commandStatus: number,
  fields: Readonly<Record<string, unknown>>,
  providerMessageId: string,
): LookupResult {
  if (QUERY_NOT_FOUND_STATUSES.has(commandStatus)) {
    return { outcome: 'not_found' };
  }
  if (commandStatus !== 0) {
    return { outcome: 'unknown', reason: `query_sm answered command_status 0x${commandStatus.toString(16)}` };
  }
  const state = MESSAGE_STATES[Number(fields['message_state'])];
  if (state === undefined) {
    return { outcome: 'unknown', reason: 'query_sm_resp without a known message_state' };
  }
  const errorCode = Number(fields['error_code'] ?? 0);

  return {
    outcome: 'found',
    providerMessageId,
    status: state.status,
    providerStatus: state.word,
    ...(errorCode > 0 && state.status !== DeliveryStatus.Delivered && { errorCode: `err:${errorCode}` }),
  };
}
