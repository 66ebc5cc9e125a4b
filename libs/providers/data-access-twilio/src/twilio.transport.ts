import { DeliveryStatus, ErrorClass, ProviderError, type SendResult } from '@sms/provider-port';
import { classifyTwilioError, isTwilioMessageStatus, mapTwilioStatus } from './twilio.codes';
import { parseJsonObject } from './twilio.webhook';

/**
 * Socket errors that prove the request never left this host: nothing can have been created at Twilio, so the
 * send may be retried anywhere at once. DNS failures are included for the same reason.
 */
const NOTHING_SENT = {
  ECONNREFUSED: 'CONNECTION_REFUSED',
  ENOTFOUND: 'DNS_FAILURE',
  EAI_AGAIN: 'DNS_FAILURE',
} as const satisfies Record<string, string>;

/**
 * Maps a fetch failure (no HTTP response, or a body cut short) onto a transient ProviderError. Anything other
 * than a provably unsent request is ambiguous with code `TIMEOUT`: Twilio may have created the message, and it
 * documents no idempotency for creates, so the caller must reconcile (by SID or DLR) before resending.
 */
export function transportError(error: unknown): ProviderError {
  const codes = errorCodes(error);
  for (const code of codes) {
    if (code in NOTHING_SENT) {
      const ours = NOTHING_SENT[code as keyof typeof NOTHING_SENT];

      return new ProviderError(ErrorClass.Transient, ours, `Twilio unreachable (${code}); nothing was sent`, false);
    }
  }
  const what = isTimeout(error) ? 'timed out' : `failed mid-request (${codes.join(', ') || describe(error)})`;

  return new ProviderError(ErrorClass.Transient, 'TIMEOUT', `Twilio request ${what}; outcome unknown`, true);
}

/** Node/undici nest the socket error: `TypeError('fetch failed', { cause })`, and `AggregateError` when
 * happy-eyeballs tried several addresses. Collects every `code` along the way. */
function errorCodes(error: unknown, depth = 0): string[] {
  if (typeof error !== 'object' || error === null || depth > 5) {
    return [];
  }
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  const nested = Array.isArray(errors) ? errors.flatMap((inner) => errorCodes(inner, depth + 1)) : [];

  return [...(typeof code === 'string' ? [code] : []), ...nested, ...errorCodes(cause, depth + 1)];
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A 2xx from the Messages API. Without a sid Twilio created something we cannot name: reconcile, like a timeout. */
export function sendResultFromBody(text: string): SendResult {
  const json = parseJsonObject(text);
  const sid = stringField(json, 'sid');
  if (sid === undefined) {
    throw new ProviderError(ErrorClass.Transient, 'BAD_RESPONSE', 'Twilio answered 2xx without a sid', true);
  }
  const word = stringField(json, 'status') ?? '';
  const price = stringField(json, 'price');
  const currency = stringField(json, 'price_unit');

  return {
    providerMessageId: sid,
    status: (isTwilioMessageStatus(word) && mapTwilioStatus(word)) || DeliveryStatus.Queued,
    // Twilio reports charges as negative amounts ("-0.00750"); our cost is what we pay.
    ...(price !== undefined && { cost: price.replace(/^-/, ''), ...(currency !== undefined && { currency }) }),
  };
}

/** A 4xx/5xx: Twilio's `{code, message}` body when it has one, else the HTTP status alone. */
export function apiErrorFromBody(httpStatus: number, text: string): ProviderError {
  const json = parseJsonObject(text);
  const rawCode = json?.['code'];
  const code = typeof rawCode === 'number' || typeof rawCode === 'string' ? String(rawCode) : `HTTP_${httpStatus}`;
  const message = stringField(json, 'message') ?? `Twilio answered HTTP ${httpStatus}`;

  return new ProviderError(classifyTwilioError(code, httpStatus), code, message);
}

function stringField(json: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = json?.[name];

  return typeof value === 'string' && value !== '' ? value : undefined;
}
