/**
 * Twilio's `X-Twilio-Signature` check (providers.md §1 "Signature", mirrors twilio-node `webhooks.ts`).
 * Hand-written on node:crypto on purpose: the official `twilio` package would pull in its whole HTTP client
 * (axios and friends) for one HMAC, and this adapter talks HTTP through global fetch already.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Form params as received; a name may repeat (e.g. `MediaUrl`), so values are lists. */
export type TwilioSignedParams = ReadonlyMap<string, readonly string[]>;

export function formParams(body: string): Map<string, string[]> {
  const params = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(body)) {
    const values = params.get(name);
    if (values) {
      values.push(value);
    } else {
      params.set(name, [value]);
    }
  }

  return params;
}

/** base64(HMAC-SHA1(authToken, url + each sorted name followed by its value)). */
export function computeTwilioSignature(authToken: string, url: string, params: TwilioSignedParams): string {
  let data = url;
  // Default sort compares UTF-16 code units, exactly like the SDK (byte order for the ASCII names Twilio uses).
  for (const name of [...params.keys()].sort()) {
    const values = params.get(name) ?? [];
    // A repeated name contributes each distinct value once, values sorted (SDK: `[...new Set(v)].sort()`);
    // the common single value skips the set and the sort (a receipt storm verifies thousands a second).
    for (const value of values.length === 1 ? values : [...new Set(values)].sort()) {
      data += name + value;
    }
  }

  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/**
 * True when `signature` matches the URL as configured, or the same URL with its default port added or
 * removed: Twilio signs whatever was configured and proxies may rewrite `:443`, so the SDK accepts both.
 * Pass an empty map for GET webhooks: their params are part of the URL.
 */
export function verifyTwilioSignature(
  authToken: string,
  url: string,
  params: TwilioSignedParams,
  signature: string | undefined,
): boolean {
  if (!signature || !authToken) {
    return false;
  }

  // The URL as configured almost always matches: its default-port twin is only tried when it does not.
  if (safeEqual(computeTwilioSignature(authToken, url, params), signature)) {
    return true;
  }

  return urlVariants(url)
    .slice(1)
    .some((candidate) => safeEqual(computeTwilioSignature(authToken, candidate, params), signature));
}

/**
 * JSON-body webhooks: the signature covers the URL (with no params), and the URL's `bodySHA256` query param
 * covers the raw body. Without that param nothing would bind the body to the signature, so it is required.
 */
export function verifyTwilioJsonSignature(
  authToken: string,
  url: string,
  rawBody: string,
  signature: string | undefined,
): boolean {
  const expectedHash = bodySha256Param(url);
  if (expectedHash === null) {
    return false;
  }
  const actualHash = createHash('sha256').update(rawBody, 'utf8').digest('hex');

  return (
    safeEqual(actualHash, expectedHash.toLowerCase()) && verifyTwilioSignature(authToken, url, new Map(), signature)
  );
}

function bodySha256Param(url: string): string | null {
  try {
    return new URL(url).searchParams.get('bodySHA256');
  } catch {
    return null;
  }
}

/** The URL unchanged plus its twin with the scheme's default port toggled. String surgery, not `URL#toString`,
 * because the signature covers the exact characters Twilio was given (WHATWG URL would re-encode them). */
function urlVariants(url: string): string[] {
  const match = /^(https?):\/\/([^/?#]+)(.*)$/is.exec(url);
  if (!match) {
    return [url];
  }
  const [, scheme = '', authority = '', rest = ''] = match;
  const defaultPort = scheme.toLowerCase() === 'https' ? '443' : '80';
  const portMatch = /:(\d+)$/.exec(authority);
  if (portMatch === null) {
    return [url, `${scheme}://${authority}:${defaultPort}${rest}`];
  }
  if (portMatch[1] === defaultPort) {
    return [url, `${scheme}://${authority.slice(0, -portMatch[0].length)}${rest}`];
  }

  return [url];
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');

  // Lengths are public (a SHA-1 base64 is always 28 chars); only the content comparison must be constant-time.
  return left.length === right.length && timingSafeEqual(left, right);
}
