import type { LookupRequest, LookupResult } from '@sms/provider-port';
import { classifySinchError, isSinchDlrStatus, isSinchFailure, mapSinchDlrStatus } from './sinch.codes';

/** How far the batch search reaches outside the lookup window: Sinch's clock and ours differ. */
const CLOCK_SKEW_MS = 60_000;

/** MSISDNs go to Sinch, and come back, without the `+`. */
export const sinchMsisdn = (number: string): string => number.replace(/^\+/, '');

/**
 * `GET …/batches?client_reference=&start_date=&end_date=&page_size=`: our batches carry our message id as
 * client_reference (set at send), so an ambiguous send is found by it alone, within the window.
 */
export function sinchBatchSearchQuery(request: LookupRequest): string {
  return new URLSearchParams({
    client_reference: request.messageId,
    start_date: new Date(request.notBefore.getTime() - CLOCK_SKEW_MS).toISOString(),
    end_date: new Date(request.notAfter.getTime() + CLOCK_SKEW_MS).toISOString(),
    page_size: '10',
  }).toString();
}

/**
 * The answer to `GET …/batches/{batch_id}/delivery_report/{recipient}` (a `recipient_delivery_report_sms`):
 * its `status` and `code`; 404 when Sinch has no such batch.
 */
export function lookupFromRecipientReport(httpStatus: number, text: string, batchId: string): LookupResult {
  if (httpStatus === 404) {
    return { outcome: 'not_found' };
  }
  if (httpStatus < 200 || httpStatus >= 300) {
    return { outcome: 'unknown', reason: `Sinch answered HTTP ${httpStatus}` };
  }
  const report = parseObject(text);
  const status = report?.['status'];
  if (typeof status !== 'string' || !isSinchDlrStatus(status)) {
    return { outcome: 'unknown', reason: 'Sinch answered an unreadable delivery report' };
  }
  const code = report?.['code'];
  const errorCode =
    isSinchFailure(status) && (typeof code === 'number' || typeof code === 'string') ? String(code) : undefined;

  return {
    outcome: 'found',
    providerMessageId: typeof report?.['batch_id'] === 'string' ? report['batch_id'] : batchId,
    status: mapSinchDlrStatus(status),
    providerStatus: status,
    ...(errorCode !== undefined && { errorCode, errorClass: classifySinchError(errorCode) }),
  };
}

/**
 * The answer to the batch search: the batch with our client_reference (its id; status Dispatched, as Sinch
 * created it), or `not_found` when the page is empty.
 */
export function lookupFromBatchList(httpStatus: number, text: string, request: LookupRequest): LookupResult {
  if (httpStatus < 200 || httpStatus >= 300) {
    return { outcome: 'unknown', reason: `Sinch answered HTTP ${httpStatus}` };
  }
  const batches = parseObject(text)?.['batches'];
  if (!Array.isArray(batches)) {
    return { outcome: 'unknown', reason: 'Sinch answered an unreadable batch list' };
  }
  for (const entry of batches) {
    const batch = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : {};
    const recipients = Array.isArray(batch['to']) ? batch['to'] : [];
    if (
      typeof batch['id'] === 'string' &&
      batch['client_reference'] === request.messageId &&
      recipients.includes(sinchMsisdn(request.to)) &&
      batch['canceled'] !== true
    ) {
      return {
        outcome: 'found',
        providerMessageId: batch['id'],
        status: mapSinchDlrStatus('Dispatched'),
        providerStatus: 'Dispatched',
      };
    }
  }

  return { outcome: 'not_found' };
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);

    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
