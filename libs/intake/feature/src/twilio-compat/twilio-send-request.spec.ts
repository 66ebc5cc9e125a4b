import { ApiError, unprocessable } from '@sms/platform';
import { cursorOfPageToken, pageTokenOf } from './twilio-page-token';
import { toTwilioError, type TwilioError } from './twilio-error';
import { paramsOfForm, paramsOfQuery, sendRequestOf } from './twilio-send-request';

const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();

/** The Twilio code a request's parameters are refused with. */
function refusal(body: string): { status: number; code: number; message: string } {
  try {
    sendRequestOf(paramsOfForm(body));
  } catch (error) {
    return error as TwilioError;
  }
  throw new Error('accepted');
}

describe('Twilio Messages create parameters', () => {
  it('become our send request', () => {
    expect(
      sendRequestOf(
        paramsOfForm(
          form({
            To: '+447400123456',
            From: '+14155552671',
            Body: 'Hi',
            StatusCallback: 'https://app.example.com/s',
            ValidityPeriod: '600',
          }),
        ),
      ),
    ).toEqual({
      to: '+447400123456',
      from: '+14155552671',
      body: 'Hi',
      callbackUrl: 'https://app.example.com/s',
      validitySeconds: 600,
    });
  });

  it.each([
    [form({ Body: 'x' }), 400, 21604],
    [form({ To: ' ', Body: 'x' }), 400, 21604],
    [form({ To: '+447400123456' }), 400, 21602],
    [form({ To: '+447400123456', Body: 'x', MediaUrl: 'https://a.example/c.png' }), 400, 20001],
    [form({ To: '+447400123456', Body: 'x', MessagingServiceSid: 'MG1' }), 400, 20001],
    [form({ To: '+447400123456', Body: 'x', Colour: 'blue' }), 400, 20001],
    [form({ To: '+447400123456', Body: 'x', ValidityPeriod: '59' }), 400, 20001],
    [form({ To: '+447400123456', Body: 'x', ValidityPeriod: '1e3' }), 400, 20001],
    ['To=%2B447400123456&To=%2B447400654321&Body=x', 400, 20001],
  ])('refuses %s with %i %i', (body, status, code) => {
    expect(refusal(body)).toMatchObject({ status, code });
  });

  it('names an unsupported parameter as such', () => {
    expect(refusal(form({ To: '+447400123456', Body: 'x', SendAt: '2027-01-01T00:00:00Z' })).message).toMatch(
      /SendAt is not supported/,
    );
  });

  it('reads repeated query parameters as several values', () => {
    expect(paramsOfQuery({ To: ['a', 'b'], PageSize: '2' })).toEqual(
      new Map([
        ['To', ['a', 'b']],
        ['PageSize', ['2']],
      ]),
    );
  });
});

describe('PageToken', () => {
  it('round-trips a cursor', () => {
    const cursor = { createdAt: new Date('2026-12-07T00:00:00.123Z'), id: '01a200f9-a8ce-71f8-a6f3-e2e9e67e11d9' };
    expect(cursorOfPageToken(pageTokenOf(cursor))).toEqual(cursor);
  });

  it.each(['', 'PA', 'XXabc', `PA${Buffer.from('1:not-a-uuid').toString('base64url')}`, `PA${'A'.repeat(200)}`])(
    'refuses %j with 400 20001',
    (token) => {
      expect(() => cursorOfPageToken(token)).toThrow(expect.objectContaining({ status: 400, code: 20001 }));
    },
  );
});

describe('Twilio error bodies', () => {
  it("carry our code and Twilio's parameter name", () => {
    const error = toTwilioError(unprocessable('INVALID_CALLBACK_URL', 'callbackUrl must be https', 'callbackUrl'));
    expect(error.toBody()).toEqual({
      code: 21609,
      message: 'StatusCallback must be https',
      more_info: 'https://www.twilio.com/docs/errors/21609',
      status: 400,
      details: { gateway_code: 'INVALID_CALLBACK_URL', field: 'StatusCallback' },
    });
  });

  it('keep a limit as 429 with its Retry-After, and a 422 without a Twilio twin as 400', () => {
    const limited = toTwilioError(new ApiError(429, 'RATE_LIMITED', 'Too many', undefined, { 'retry-after': '3' }));
    expect(limited).toMatchObject({ status: 429, code: 20429, headers: { 'retry-after': '3' } });
    expect(toTwilioError(unprocessable('INVALID_COUNTRY', 'country…', 'country'))).toMatchObject({
      status: 400,
      code: 20001,
    });
  });

  it('never echo an unexpected error', () => {
    const error = toTwilioError(new Error('secret detail +447400123456'));
    expect(error).toMatchObject({ status: 500, code: 20500 });
    expect(JSON.stringify(error.toBody())).not.toContain('447400123456');
  });
});
