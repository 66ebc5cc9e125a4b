import { MessageStatus, type MessageTransitionV1 } from '@sms/contracts';
import { validateRequest } from 'twilio';
import { twilioCallbackOf, twilioCallbackParams, twilioSignature } from './twilio-callback.format';

const TOKEN = '0123456789abcdef0123456789abcdef';
const transition: MessageTransitionV1 = {
  eventId: '0b3c1e2a-0000-4000-8000-000000000009',
  messageId: '01a200f9-a8ce-71f8-a6f3-e2e9e67e11d9',
  accountId: '0b3c1e2a-0000-4000-8000-000000000001',
  status: MessageStatus.Undelivered,
  previousStatus: MessageStatus.Sent,
  callbackUrl: 'https://app.example.com/status?tenant=7&x=a b',
  clientReference: null,
  errorCode: '30003',
  errorMessage: 'Unreachable',
  at: '2026-12-07T00:00:00.000Z',
  callbackFormat: 'twilio',
  to: '+447400123456',
  from: '+14155552671',
};

describe("Twilio's StatusCallback format", () => {
  it("names the change with Twilio's parameters", () => {
    expect(twilioCallbackParams(transition)).toEqual({
      AccountSid: 'AC0b3c1e2a000040008000000000000001',
      ApiVersion: '2010-04-01',
      From: '+14155552671',
      MessageSid: 'SM01a200f9a8ce71f8a6f3e2e9e67e11d9',
      MessageStatus: 'undelivered',
      SmsSid: 'SM01a200f9a8ce71f8a6f3e2e9e67e11d9',
      SmsStatus: 'undelivered',
      To: '+447400123456',
      ErrorCode: '30003',
    });
    expect(twilioCallbackParams({ ...transition, errorCode: null })).not.toHaveProperty('ErrorCode');
  });

  it("is signed so that the twilio package's validateRequest accepts it, and only it", () => {
    const { body, signature } = twilioCallbackOf(transition, TOKEN);
    const params = Object.fromEntries(new URLSearchParams(body));
    expect(validateRequest(TOKEN, signature, transition.callbackUrl, params)).toBe(true);
    expect(validateRequest(TOKEN, signature, transition.callbackUrl, { ...params, MessageStatus: 'delivered' })).toBe(
      false,
    );
    expect(validateRequest('f'.repeat(32), signature, transition.callbackUrl, params)).toBe(false);
  });

  it('signs the URL and the parameters sorted by name', () => {
    expect(twilioSignature(TOKEN, 'https://a.example/s', { b: '2', a: '1' })).toBe(
      twilioSignature(TOKEN, 'https://a.example/s', { a: '1', b: '2' }),
    );
  });
});
