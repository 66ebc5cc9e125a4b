import { ErrorClass, ProviderError } from '@sms/provider-port';
import { awsErrorCode, classifyAwsError } from './aws.codes';

/**
 * Socket errors that prove the request never left this host: nothing can have been created at AWS, so the
 * send may be retried anywhere at once. DNS failures are included for the same reason.
 */
const NOTHING_SENT = {
  ECONNREFUSED: 'CONNECTION_REFUSED',
  ENOTFOUND: 'DNS_FAILURE',
  EAI_AGAIN: 'DNS_FAILURE',
} as const satisfies Record<string, string>;

interface SdkServiceError {
  readonly name: string;
  readonly message: string;
  readonly $fault: 'client' | 'server';
  readonly $metadata: { readonly httpStatusCode?: number };
  readonly Reason?: unknown;
}

/** An error the SDK built from an AWS error response (it carries `$fault` and the HTTP metadata). */
function isServiceError(error: unknown): error is SdkServiceError {
  if (typeof error !== 'object' || error === null) {
    return false;
  }
  const { $fault, $metadata } = error as { $fault?: unknown; $metadata?: { httpStatusCode?: unknown } };

  return (
    ($fault === 'client' || $fault === 'server') &&
    typeof $metadata === 'object' &&
    typeof $metadata.httpStatusCode === 'number'
  );
}

/**
 * Maps whatever `client.send` threw onto a classified ProviderError. An AWS error response is classified by
 * exception type + `Reason` (providers.md §4b: not by HTTP status). Anything without a response is a transport
 * failure: provably unsent (connection refused, DNS) is a plain transient error; everything else (timeouts,
 * resets, an unreadable 2xx) is ambiguous because AWS may have accepted the message and `SendTextMessage` /
 * `Publish` have no idempotency token — the caller must reconcile through the `Context` echoed in events.
 */
export function awsSendError(error: unknown): ProviderError {
  if (isServiceError(error)) {
    const httpStatus = error.$metadata.httpStatusCode;
    const reason = typeof error.Reason === 'string' ? error.Reason : undefined;
    const type = error.name && error.name !== 'Error' ? error.name : `HTTP_${httpStatus}`;
    const code = awsErrorCode(type, reason);

    return new ProviderError(classifyAwsError(code, httpStatus), code, error.message || `AWS answered ${httpStatus}`);
  }
  const codes = errorCodes(error);
  for (const code of codes) {
    if (code in NOTHING_SENT) {
      const ours = NOTHING_SENT[code as keyof typeof NOTHING_SENT];

      return new ProviderError(ErrorClass.Transient, ours, `AWS unreachable (${code}); nothing was sent`, false);
    }
  }
  if (isTimeout(error)) {
    return new ProviderError(ErrorClass.Transient, 'TIMEOUT', 'AWS request timed out; outcome unknown', true);
  }
  if (hasResponse(error)) {
    // A 2xx the SDK could not deserialise: something was accepted that we cannot name.
    return new ProviderError(ErrorClass.Transient, 'BAD_RESPONSE', 'AWS answered with an unreadable body', true);
  }
  const detail = codes.join(', ') || (error instanceof Error ? error.name : 'unknown');

  return new ProviderError(ErrorClass.Transient, 'TIMEOUT', `AWS request failed mid-request (${detail})`, true);
}

/** Node/undici and the SDK nest socket errors (`cause`, `AggregateError.errors`); collects every `code`. */
function errorCodes(error: unknown, depth = 0): string[] {
  if (typeof error !== 'object' || error === null || depth > 5) {
    return [];
  }
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  const nested = Array.isArray(errors) ? errors.flatMap((inner) => errorCodes(inner, depth + 1)) : [];

  return [...(typeof code === 'string' ? [code] : []), ...nested, ...errorCodes(cause, depth + 1)];
}

function isTimeout(error: unknown): boolean {
  if (!(error instanceof Error)) {
    return false;
  }
  const codes = errorCodes(error);

  return (
    ['TimeoutError', 'AbortError', 'RequestTimeout'].includes(error.name) ||
    codes.includes('ETIMEDOUT') ||
    codes.includes('ECONNRESET')
  );
}

function hasResponse(error: unknown): boolean {
  return typeof error === 'object' && error !== null && '$response' in error;
}
