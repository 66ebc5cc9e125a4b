import { createHmac } from 'node:crypto';

/**
 * The "auth token" a Twilio application verifies our StatusCallbacks with (docs/twilio-compat.md).
 *
 * Twilio signs callbacks with the account's auth token, a secret both sides hold. Our API keys cannot play
 * that part: they are stored only as SHA-256 hashes, and the process that signs callbacks (dlr-processor)
 * never sees them. So each account's token is derived from the platform's CALLBACK_SECRET and the
 * account id: every process holding the secret computes the same token without a table, the caller
 * reads it once (`GET /2010-04-01/Accounts/{AccountSid}.json`, admin keys), and rotating CALLBACK_SECRET
 * rotates every account's token. 32 hex digits, the shape of Twilio's own tokens.
 */
export const twilioAuthTokenOf = (callbackSecret: string, accountId: string): string =>
  createHmac('sha256', callbackSecret).update(`twilio-auth-token:v1:${accountId}`).digest('hex').slice(0, 32);
