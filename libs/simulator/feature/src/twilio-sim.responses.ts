import type { ErrorRates } from './simulator.knobs';
import { randomHex } from './sim-random';
import { pickOne, type Rng } from './simulator.rng';

export const TWILIO_API_VERSION = '2010-04-01';

/** Twilio's error body: `{code, message, more_info, status}` (providers.md §1). */
export interface TwilioApiError {
  readonly status: number;
  readonly code: number;
  readonly message: string;
}

export function errorBody(error: TwilioApiError): Record<string, unknown> {
  return {
    code: error.code,
    message: error.message,
    more_info: `https://www.twilio.com/docs/errors/${error.code}`,
    status: error.status,
  };
}

export const AUTH_ERROR: TwilioApiError = { status: 401, code: 20003, message: 'Authenticate' };
/** Twilio's answer to a fetch of a resource it does not have (error 20404). */
export const NOT_FOUND_ERROR = (path: string): TwilioApiError => ({
  status: 404,
  code: 20404,
  message: `The requested resource ${path} was not found`,
});
export const THROTTLE_ERROR: TwilioApiError = { status: 429, code: 20429, message: 'Too Many Requests' };

/** Twilio's own request checks, in the order it reports them. */
export function validateSubmit(params: Readonly<Record<string, string>>): TwilioApiError | null {
  const { To: to, From: from, Body: body } = params;
  if (!to) {
    return { status: 400, code: 21604, message: "A 'To' phone number is required." };
  }
  if (!from && !params['MessagingServiceSid']) {
    return { status: 400, code: 21603, message: "A 'From' phone number is required." };
  }
  if (!body && !params['MediaUrl'] && !params['ContentSid']) {
    return { status: 400, code: 21602, message: 'Message body is required.' };
  }
  if (!/^\+[1-9]\d{6,14}$/.test(to)) {
    return { status: 400, code: 21211, message: `The 'To' number ${to} is not a valid phone number.` };
  }
  if ((body ?? '').length > 1600) {
    return { status: 400, code: 21617, message: 'The concatenated message body exceeds the 1600 character limit.' };
  }

  return null;
}

/** One roll against the error knobs, answered with codes and statuses Twilio really uses for each class. */
export function injectedError(rng: Rng, rates: ErrorRates, to: string, from: string): TwilioApiError | null {
  const roll = rng();
  let threshold = rates.transient;
  if (roll < threshold) {
    return pickOne(rng, [
      { status: 500, code: 20500, message: 'Internal Server Error' },
      { status: 503, code: 20503, message: 'Service Unavailable' },
    ]);
  }
  threshold += rates.permanent;
  if (roll < threshold) {
    return pickOne(rng, [
      { status: 400, code: 21211, message: `The 'To' number ${to} is not a valid phone number.` },
      { status: 400, code: 21612, message: `The 'To' phone number: ${to}, is not currently reachable via SMS.` },
      { status: 400, code: 21614, message: `'To' number ${to} is not a valid mobile number` },
    ]);
  }
  threshold += rates.optedOut;
  if (roll < threshold) {
    return { status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' };
  }
  threshold += rates.configuration;
  if (roll < threshold) {
    return pickOne(rng, [
      {
        status: 400,
        code: 21606,
        message: `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`,
      },
      {
        status: 400,
        code: 21408,
        message: `Permission to send an SMS has not been enabled for the region indicated by the 'To' number: ${to}.`,
      },
    ]);
  }

  return null;
}

/** `SM` + 32 hex, from crypto rather than the seeded RNG: ids must stay unique across seeded runs. */
export function newMessageSid(): string {
  return `SM${randomHex(16)}`;
}

/** Twilio's dates are RFC 2822 with a numeric zone: `Tue, 26 Jul 2016 12:50:07 +0000`. */
export function twilioDate(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

/** Carrier DLR done date, `YYMMDDhhmm` in UTC. */
export function rawDlrDoneDate(date: Date): string {
  return date.toISOString().replace(/^\d{2}(\d{2})-(\d{2})-(\d{2})T(\d{2}):(\d{2}).*$/, '$1$2$3$4$5');
}

/**
 * Rough segment count for the 201 body: GSM-7 160/153 when the text is plain printable ASCII, otherwise
 * UCS-2 70/67 in UTF-16 units. Only used to look realistic; the gateway counts segments itself.
 */
export function estimateSegments(body: string): number {
  const gsm = /^[\x20-\x7e\r\n]*$/.test(body);
  const [single, multi] = gsm ? [160, 153] : [70, 67];

  return body.length <= single ? 1 : Math.ceil(body.length / multi);
}

export function messageResource(
  accountSid: string,
  sid: string,
  params: Readonly<Record<string, string>>,
  now: Date,
): Record<string, unknown> {
  const body = params['Body'] ?? '';

  return {
    sid,
    account_sid: accountSid,
    messaging_service_sid: params['MessagingServiceSid'] ?? null,
    from: params['From'] ?? null,
    to: params['To'],
    body,
    status: params['MessagingServiceSid'] ? 'accepted' : 'queued',
    num_segments: String(estimateSegments(body)),
    num_media: '0',
    direction: 'outbound-api',
    api_version: TWILIO_API_VERSION,
    price: null,
    price_unit: 'USD',
    error_code: null,
    error_message: null,
    date_created: twilioDate(now),
    date_updated: twilioDate(now),
    date_sent: null,
    uri: `/${TWILIO_API_VERSION}/Accounts/${accountSid}/Messages/${sid}.json`,
    subresource_uris: { media: `/${TWILIO_API_VERSION}/Accounts/${accountSid}/Messages/${sid}/Media.json` },
  };
}
