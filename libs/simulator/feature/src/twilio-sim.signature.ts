import { createHmac } from 'node:crypto';

/**
 * Signs a webhook the way Twilio does: base64 HMAC-SHA1 of the URL exactly as configured followed by every
 * param name and value, names sorted. Deliberately independent of the adapter's verifier so the simulator
 * spec cross-checks two implementations instead of one agreeing with itself.
 */
export function signTwilioWebhook(
  authToken: string,
  url: string,
  params: readonly (readonly [string, string])[],
): string {
  const data = [...params]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .reduce((acc, [name, value]) => acc + name + value, url);

  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}
