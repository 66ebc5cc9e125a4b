import { DeliveryStatus, type LookupRequest, type LookupResult } from '@sms/provider-port';
import { classifyVonageDlrError } from './vonage.codes';

/** How far a listed message's `date-received` may lie outside the lookup window: the clocks differ. */
const CLOCK_SKEW_MS = 60_000;

/** Vonage's Search API `final-status` words (the carrier's DLR `stat`, or none yet). */
export function mapVonageFinalStatus(word: string): DeliveryStatus {
  switch (word.toUpperCase()) {
    case 'DELIVRD':
      return DeliveryStatus.Delivered;
    case 'EXPIRED':
    case 'UNDELIV':
    case 'DELETED':
    case 'FAILED':
      return DeliveryStatus.Undelivered;
    case 'REJECTD':
      return DeliveryStatus.Failed;
    default: // ACCEPTD, BUFFERED, UNKNOWN, or no final status yet
      return DeliveryStatus.Sent;
  }
}

/** `GET /search/messages?date=YYYY-MM-DD&to=` (digits without `+`): Vonage searches one UTC day per call. */
export function vonageSearchDays(request: LookupRequest): string[] {
  const days = new Set<string>();
  for (const at of [request.notBefore.getTime() - CLOCK_SKEW_MS, request.notAfter.getTime() + CLOCK_SKEW_MS]) {
    days.add(new Date(at).toISOString().slice(0, 10));
  }

  return [...days];
}

/** One message record of the Search API as a lookup result; null when it names no message. */
function recordResult(record: Record<string, unknown>): LookupResult | null {
  const id = record['message-id'];
  if (typeof id !== 'string' || id === '') {
    return null;
  }
  const word = typeof record['final-status'] === 'string' ? record['final-status'] : '';
  const status = mapVonageFinalStatus(word);
  const rawCode = record['error-code'];
  const errorCode = typeof rawCode === 'string' && rawCode !== '' && rawCode !== '0' ? rawCode : undefined;
  const errorClass = errorCode === undefined ? null : classifyVonageDlrError(errorCode);

  return {
    outcome: 'found',
    providerMessageId: id,
    status,
    providerStatus: word || 'ACCEPTD',
    ...(errorCode !== undefined && { errorCode }),
    ...(errorClass !== null && { errorClass }),
  };
}

/** The answer to `GET /search/message?id=`: the record, `not_found` on 404, `unknown` for anything else. */
export function lookupFromSearchMessage(httpStatus: number, text: string): LookupResult {
  if (httpStatus === 404) {
    return { outcome: 'not_found' };
  }
  if (httpStatus < 200 || httpStatus >= 300) {
    return { outcome: 'unknown', reason: `Vonage answered HTTP ${httpStatus}` };
  }
  const record = parseObject(text);

  return (record && recordResult(record)) ?? { outcome: 'unknown', reason: 'Vonage answered no message record' };
}

/**
 * The answer to one day of `GET /search/messages?date=&to=`: the record from our sender with our text received
 * within the window, or null when that day holds none (the caller asks the other day, then says not_found).
 * Our sends carry the message id as `client-ref`: a record with another client-ref is not ours, and one with
 * ours settles it. Among records without one, several that fit are `unknown`, never a guess: a wrong id would
 * leave our message waiting for another message's receipts.
 */
export function lookupFromSearchMessages(
  httpStatus: number,
  text: string,
  request: LookupRequest,
): LookupResult | null {
  if (httpStatus < 200 || httpStatus >= 300) {
    return { outcome: 'unknown', reason: `Vonage answered HTTP ${httpStatus}` };
  }
  const items = parseObject(text)?.['items'];
  if (!Array.isArray(items)) {
    return { outcome: 'unknown', reason: 'Vonage answered an unreadable search result' };
  }
  const from = request.notBefore.getTime() - CLOCK_SKEW_MS;
  const until = request.notAfter.getTime() + CLOCK_SKEW_MS;
  const ourRef = request.messageId.slice(0, 40);
  const fits: LookupResult[] = [];
  for (const item of items) {
    const record = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {};
    const received =
      typeof record['date-received'] === 'string' ? Date.parse(`${record['date-received'].replace(' ', 'T')}Z`) : NaN;
    const sender = typeof record['from'] === 'string' ? record['from'] : '';
    const sameSender = sender.replace(/^\+/, '') === request.from.replace(/^\+/, '');
    const sameText = request.body === undefined || record['body'] === request.body;
    const clientRef = typeof record['client-ref'] === 'string' ? record['client-ref'] : null;
    if (clientRef !== null && clientRef !== ourRef) {
      continue;
    }
    if (!Number.isNaN(received) && received >= from && received <= until && sameSender && sameText) {
      const result = recordResult(record);
      if (result && clientRef === ourRef) {
        return result;
      }
      if (result) {
        fits.push(result);
      }
    }
  }
  if (fits.length > 1) {
    return { outcome: 'unknown', reason: `${fits.length} messages with the same text from our sender fit the window` };
  }

  return fits[0] ?? null;
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
