import type { LookupRequest, LookupResult } from '@sms/provider-port';
import { classifyTwilioError, isTwilioMessageStatus, mapTwilioStatus } from './twilio.codes';
import { parseJsonObject } from './twilio.webhook';

/**
 * How far a listed message's `date_created` may lie outside the lookup window and still count: Twilio's clock
 * and ours differ, and the attempt's start is taken before the request leaves this host.
 */
const CLOCK_SKEW_MS = 60_000;

/** One page of the newest messages between the pair is enough: an ambiguous send is looked up within hours. */
export const TWILIO_LOOKUP_PAGE_SIZE = 50;

/**
 * `GET …/Messages.json?To=&From=&PageSize=`: the messages between the pair, newest first. `DateSent` is not
 * used as a filter: `date_sent` stays null until Twilio hands the message to a carrier, so a message still
 * queued would be filtered out and look absent. The window is applied to `date_created` instead.
 */
export function twilioListQuery(request: LookupRequest): string {
  return new URLSearchParams({
    To: request.to,
    From: request.from,
    PageSize: String(TWILIO_LOOKUP_PAGE_SIZE),
  }).toString();
}

/** A Message resource (`GET …/Messages/{Sid}.json`, or one entry of a list) as a lookup result; null when unreadable. */
export function lookupFromResource(resource: Record<string, unknown>): LookupResult | null {
  const sid = resource['sid'];
  const word = resource['status'];
  const status = typeof word === 'string' && isTwilioMessageStatus(word) ? mapTwilioStatus(word) : null;
  if (typeof sid !== 'string' || sid === '' || typeof word !== 'string' || status === null) {
    return null;
  }
  const rawCode = resource['error_code'];
  const errorCode =
    typeof rawCode === 'number' || (typeof rawCode === 'string' && rawCode !== '') ? String(rawCode) : undefined;

  return {
    outcome: 'found',
    providerMessageId: sid,
    status,
    providerStatus: word,
    ...(errorCode !== undefined && { errorCode, errorClass: classifyTwilioError(errorCode) }),
  };
}

/** The answer to `GET …/Messages/{Sid}.json`: the resource on 200, `not_found` on 404 (Twilio error 20404). */
export function lookupFromFetch(httpStatus: number, text: string): LookupResult {
  if (httpStatus === 404) {
    return { outcome: 'not_found' };
  }
  if (httpStatus < 200 || httpStatus >= 300) {
    return { outcome: 'unknown', reason: `Twilio answered HTTP ${httpStatus}` };
  }
  const json = parseJsonObject(text);

  return (json && lookupFromResource(json)) ?? { outcome: 'unknown', reason: 'Twilio answered an unreadable message' };
}

/**
 * The answer to the list by To/From: the one message created within the window with the same body,
 * `not_found` when the page holds none. Twilio keeps no client reference, so when several messages fit (the
 * same text sent to the same number twice within the window) none of them can be called ours: the answer is
 * `unknown`, never a guess, since a wrong id would leave our message waiting for another one's receipts. A
 * full page whose oldest entry is still inside the window may hide older matches: also `unknown`.
 */
export function lookupFromList(httpStatus: number, text: string, request: LookupRequest): LookupResult {
  if (httpStatus < 200 || httpStatus >= 300) {
    return { outcome: 'unknown', reason: `Twilio answered HTTP ${httpStatus}` };
  }
  const json = parseJsonObject(text);
  const messages = json?.['messages'];
  if (!Array.isArray(messages)) {
    return { outcome: 'unknown', reason: 'Twilio answered an unreadable message list' };
  }
  const from = request.notBefore.getTime() - CLOCK_SKEW_MS;
  const to = request.notAfter.getTime() + CLOCK_SKEW_MS;
  let oldest = Number.POSITIVE_INFINITY;
  const fits: LookupResult[] = [];
  for (const entry of messages) {
    if (typeof entry !== 'object' || entry === null) {
      continue;
    }
    const resource = entry as Record<string, unknown>;
    const created = typeof resource['date_created'] === 'string' ? Date.parse(resource['date_created']) : Number.NaN;
    oldest = Math.min(oldest, Number.isNaN(created) ? oldest : created);
    const inWindow = !Number.isNaN(created) && created >= from && created <= to;
    const sameBody = request.body === undefined || resource['body'] === request.body;
    if (inWindow && sameBody && resource['direction'] !== 'inbound') {
      const found = lookupFromResource(resource);
      if (found) {
        fits.push(found);
      }
    }
  }
  if (fits.length > 1) {
    return { outcome: 'unknown', reason: `${fits.length} messages with the same text between the pair fit the window` };
  }
  const pageFull = messages.length >= TWILIO_LOOKUP_PAGE_SIZE && json?.['next_page_uri'] !== null;
  if (pageFull && oldest >= from) {
    return { outcome: 'unknown', reason: 'more messages between the pair than one page within the window' };
  }

  return fits[0] ?? { outcome: 'not_found' };
}
