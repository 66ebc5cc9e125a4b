import { ErrorClass, ProviderError } from './provider.port';

/**
 * Socket errors that prove the request never left this host: nothing can have been created at the provider,
 * so the send may be retried anywhere at once. DNS failures are included for the same reason.
 */
const NOTHING_SENT = {
  ECONNREFUSED: 'CONNECTION_REFUSED',
  ENOTFOUND: 'DNS_FAILURE',
  EAI_AGAIN: 'DNS_FAILURE',
} as const satisfies Record<string, string>;

/**
 * Maps a fetch failure (no HTTP response, or a body cut short) onto a transient ProviderError for any HTTP
 * adapter. Anything other than a provably unsent request is ambiguous with code `TIMEOUT`: the provider may
 * have created the message, so the caller must reconcile (by provider id, client reference or DLR) first.
 */
export function fetchFailure(providerName: string, error: unknown): ProviderError {
  const codes = errorCodes(error);
  for (const code of codes) {
    if (code in NOTHING_SENT) {
      const ours = NOTHING_SENT[code as keyof typeof NOTHING_SENT];

      return new ProviderError(ErrorClass.Transient, ours, `${providerName} unreachable (${code}); nothing was sent`);
    }
  }
  const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
  const detail = codes.join(', ') || (error instanceof Error ? error.message : String(error));
  const what = timedOut ? 'timed out' : `failed mid-request (${detail})`;

  return new ProviderError(ErrorClass.Transient, 'TIMEOUT', `${providerName} request ${what}; outcome unknown`, true);
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
