/**
 * Sinch callback HMAC (providers.md §3 "Callback auth"; mirrors sinch-sdk-node `validateWebhookSignature`).
 * Hand-written on node:crypto: the `@sinch/sdk-core` package would bring its whole client (and OAuth flows)
 * for one HMAC, and this adapter already talks to the REST API through global fetch.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SINCH_SIGNATURE_ALGORITHM = 'HmacSHA256';

/** base64(HMAC-SHA256(secret, rawBody + "." + nonce + "." + timestamp)), over the raw bytes as received. */
export function computeSinchSignature(secret: string, rawBody: string, nonce: string, timestamp: string): string {
  return createHmac('sha256', secret).update(`${rawBody}.${nonce}.${timestamp}`, 'utf8').digest('base64');
}

export interface SinchSignatureHeaders {
  readonly signature: string | undefined;
  readonly algorithm: string | undefined;
  readonly nonce: string | undefined;
  readonly timestamp: string | undefined;
}

export function verifySinchSignature(secret: string, rawBody: string, headers: SinchSignatureHeaders): boolean {
  const { signature, algorithm, nonce, timestamp } = headers;
  if (!secret || !signature || !nonce || !timestamp || algorithm !== SINCH_SIGNATURE_ALGORITHM) {
    return false;
  }
  const expected = Buffer.from(computeSinchSignature(secret, rawBody, nonce, timestamp), 'utf8');
  const actual = Buffer.from(signature, 'utf8');

  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
