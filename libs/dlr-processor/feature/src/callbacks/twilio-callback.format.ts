import { createHmac } from 'node:crypto';
import {
  accountSidOf,
  type MessageTransitionV1,
  messageSidOf,
  TWILIO_API_VERSION,
  twilioErrorCodeOf,
  twilioStatusOf,
} from '@sms/contracts';

/**
 * Twilio's request signature (`X-Twilio-Signature`): base64 HMAC-SHA1, keyed by the auth token, of the
 * full callback URL followed by every POST parameter's name and value, names in sorted order.
 */
export function twilioSignature(authToken: string, url: string, params: Readonly<Record<string, string>>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((text, name) => text + name + params[name], url);

  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/** The form parameters of Twilio's StatusCallback for one applied change (docs/twilio-compat.md). */
export function twilioCallbackParams(transition: MessageTransitionV1): Record<string, string> {
  const sid = messageSidOf(transition.messageId);
  const status = twilioStatusOf(transition.status);
  const errorCode = twilioErrorCodeOf(transition.errorCode);

  return {
    AccountSid: accountSidOf(transition.accountId),
    ApiVersion: TWILIO_API_VERSION,
    From: transition.from ?? '',
    MessageSid: sid,
    MessageStatus: status,
    SmsSid: sid,
    SmsStatus: status,
    To: transition.to ?? '',
    ...(errorCode !== null && { ErrorCode: String(errorCode) }),
  };
}

/** The body to post and its signature, computed once when the change is recorded (they never change). */
export function twilioCallbackOf(
  transition: MessageTransitionV1,
  authToken: string,
): { readonly body: string; readonly signature: string } {
  const params = twilioCallbackParams(transition);

  return {
    body: new URLSearchParams(params).toString(),
    signature: twilioSignature(authToken, transition.callbackUrl, params),
  };
}
