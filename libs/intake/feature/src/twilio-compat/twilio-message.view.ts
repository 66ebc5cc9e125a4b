import { accountSidOf, messageSidOf, TWILIO_API_VERSION, twilioErrorCodeOf, twilioStatusOf } from '@sms/contracts';
import type { TwilioMessageRecord } from './twilio-messages.reader';

/** Twilio's RFC 2822 dates, in GMT with a numeric zone: `Mon, 07 Dec 2026 00:10:28 +0000`. */
export const rfc2822 = (date: Date): string => date.toUTCString().replace(/GMT$/, '+0000');

export const messagesPathOf = (accountId: string): string =>
  `/${TWILIO_API_VERSION}/Accounts/${accountSidOf(accountId)}/Messages`;

/** The Message resource as Twilio's API answers it (docs/twilio-compat.md maps each field). */
export function toTwilioMessage(m: TwilioMessageRecord): Record<string, unknown> {
  const sid = messageSidOf(m.id);
  const path = `${messagesPathOf(m.accountId)}/${sid}`;
  const errorCode = twilioErrorCodeOf(m.errorCode);

  return {
    account_sid: accountSidOf(m.accountId),
    api_version: TWILIO_API_VERSION,
    body: m.body,
    date_created: rfc2822(m.createdAt),
    date_sent: m.sentAt ? rfc2822(m.sentAt) : null,
    date_updated: rfc2822(m.updatedAt),
    direction: 'outbound-api',
    error_code: errorCode,
    // Our own code first: after 30008 it is the only thing that says what happened.
    error_message: errorCode === null ? null : [m.errorCode, m.errorMessage].filter(Boolean).join(': '),
    from: m.from,
    messaging_service_sid: null,
    num_media: '0',
    num_segments: String(m.segments),
    // Twilio shows what a message cost as a negative amount (a debit).
    price: m.cost === null ? null : m.cost.startsWith('-') ? m.cost : `-${m.cost}`,
    price_unit: m.currency,
    sid,
    status: twilioStatusOf(m.status),
    subresource_uris: { media: `${path}/Media.json` },
    to: m.to,
    uri: `${path}.json`,
  };
}
