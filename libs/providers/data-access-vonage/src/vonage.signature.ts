/**
 * Vonage SMS API signatures (providers.md §2 "Signature"; mirrors vonage-node-sdk `verifySignature`), used
 * both to sign outbound requests and to verify signed webhooks. Hand-written on node:crypto: the current
 * `@vonage/sms` (1.24.x) requires Node >= 22 while this project runs on Node 20; older releases would install,
 * but bring `@vonage/server-client` and `@vonage/auth` (a second HTTP client) for one hash over sorted params,
 * and pinning an outdated release of a security-relevant package is worse than these lines, which the spec
 * checks against the SDK's own test vectors (providers.md §2).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const VONAGE_SIGNATURE_METHODS = ['md5hash', 'md5', 'sha1', 'sha256', 'sha512'] as const;
export type VonageSignatureMethod = (typeof VONAGE_SIGNATURE_METHODS)[number];

export function isVonageSignatureMethod(value: string): value is VonageSignatureMethod {
  return (VONAGE_SIGNATURE_METHODS as readonly string[]).includes(value);
}

/** `&key=value` for every param but `sig`, keys sorted by code unit; `&` and `=` inside values become `_`. */
export function signingString(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .filter((key) => key !== 'sig')
    .sort()
    .map((key) => `&${key}=${(params[key] ?? '').replace(/[&=]/g, '_')}`)
    .join('');
}

/** Lowercase hex: `md5hash` is md5(string + secret), the others an HMAC keyed with the secret. */
export function computeVonageSignature(
  method: VonageSignatureMethod,
  secret: string,
  params: Readonly<Record<string, string>>,
): string {
  const data = signingString(params);
  if (method === 'md5hash') {
    return createHash('md5')
      .update(data + secret, 'utf8')
      .digest('hex');
  }

  return createHmac(method, secret).update(data, 'utf8').digest('hex');
}

/** True when `params.sig` matches; Vonage's hex case varies by method, so the comparison ignores case. */
export function verifyVonageSignature(
  method: VonageSignatureMethod,
  secret: string,
  params: Readonly<Record<string, string>>,
): boolean {
  const signature = params['sig'];
  if (!signature || !secret) {
    return false;
  }
  const expected = Buffer.from(computeVonageSignature(method, secret, params), 'utf8');
  const actual = Buffer.from(signature.toLowerCase(), 'utf8');

  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
