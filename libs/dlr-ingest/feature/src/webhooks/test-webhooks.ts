import type { RawWebhook, SmsProvider } from '@sms/provider-port';

/** Test fixtures of the publisher's specs (SQLite and MariaDB). */

/** A provider whose webhooks are signed unless the body starts with "forged". */
export const signedUnlessForged = {
  verifyWebhook: (webhook: RawWebhook) => !webhook.body.startsWith('forged'),
} as unknown as SmsProvider;

/** A receipt of the test provider with this body. */
export const testReceipt = (body: string): RawWebhook => ({
  url: 'https://gw.example.test/webhooks/test/status',
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-test-signature': 'sig' },
  body,
  contentType: 'application/json',
});
