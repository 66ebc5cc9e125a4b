import { MessageClass } from '@sms/contracts';
import { ApiError } from '@sms/platform';
import { MAX_BODY_CHARACTERS, validateMessageRequest } from './message-request.validator';

const TO = '+447400123456';
const valid = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  to: TO,
  body: 'Hi',
  ...overrides,
});

/** The ApiError a request is refused with; fails the test when the request is accepted. */
function refusal(input: unknown, extraFields?: readonly string[]): ApiError {
  try {
    validateMessageRequest(input, extraFields);
  } catch (error) {
    if (error instanceof ApiError) {
      return error;
    }
    throw error;
  }
  throw new Error(`accepted: ${JSON.stringify(input)}`);
}

const expectRefused = (input: unknown, code: string, field?: string): void => {
  const error = refusal(input);
  expect({ status: error.status, code: error.code, field: error.field }).toEqual({ status: 422, code, field });
};

describe(validateMessageRequest.name, () => {
  it('accepts the minimal request and fills the defaults', () => {
    expect(validateMessageRequest(valid())).toEqual({
      to: TO,
      country: 'GB',
      body: 'Hi',
      from: null,
      messageClass: MessageClass.Transactional,
      callbackUrl: null,
      clientReference: null,
      validitySeconds: null,
      encoding: 'GSM-7',
      segments: 1,
      sendAt: null,
    });
  });

  it('accepts every optional field at once', () => {
    const request = {
      to: TO,
      body: 'Your code is 123456',
      from: '+14155552671',
      country: 'GB',
      messageClass: 'marketing',
      callbackUrl: 'https://app.example.com/sms-status',
      clientReference: 'order-42',
      validitySeconds: 3600,
    };

    expect(validateMessageRequest(request)).toEqual({
      ...request,
      country: 'GB',
      messageClass: MessageClass.Marketing,
      encoding: 'GSM-7',
      segments: 1,
      sendAt: null,
    });
  });

  it.each<[string, unknown]>([
    ['a string', '{"to":"+447400123456"}'],
    ['null', null],
    ['an array', [valid()]],
    ['a number', 42],
  ])('refuses %s as the request body (INVALID_REQUEST)', (_name, input) => {
    expectRefused(input, 'INVALID_REQUEST', undefined);
  });

  describe('to', () => {
    it.each<[string, unknown]>([
      ['missing', undefined],
      ['empty', ''],
      ['a number', 447400123456],
      ['letters', 'call me'],
      ['too short', '+44740'],
      ['too long', '+4474001234567890'],
      ['an unassigned range', '+447700900123'],
      ['national format without country', '07400 123456'],
      ['with a trailing CR/LF', `${TO}\r\n`],
      ['with text after the number', `${TO} abc`],
    ])('refuses %s with INVALID_PHONE_NUMBER on field to', (_name, to) => {
      expectRefused(valid({ to }), 'INVALID_PHONE_NUMBER', 'to');
    });

    it.each([
      ['07400 123456', 'GB', '+447400123456'],
      ['(415) 555-2671', 'US', '+14155552671'],
      ['06 12 34 56 78', 'FR', '+33612345678'],
    ])('turns national "%s" with country %s into E.164 %s', (to, country, e164) => {
      expect(validateMessageRequest(valid({ to, country }))).toMatchObject({ to: e164, country });
    });

    it('takes the country from an E.164 number, not from the hint', () => {
      expect(validateMessageRequest(valid({ to: '+33612345678', country: 'GB' }))).toMatchObject({
        to: '+33612345678',
        country: 'FR',
      });
    });
  });

  describe('body', () => {
    it.each<[string, unknown]>([
      ['missing', undefined],
      ['null', null],
      ['empty', ''],
      ['only whitespace', ' \t\n '],
    ])('refuses a body that is %s with BODY_EMPTY', (_name, body) => {
      expectRefused(valid({ body }), 'BODY_EMPTY', 'body');
    });

    it.each<[string, unknown]>([
      ['a lone high surrogate', 'abc\uD800def'],
      ['a lone low surrogate at the end', 'abc\uDC00'],
      ['a reversed surrogate pair', '\uDE00\uD83D'],
      ['a NUL', 'abc\u0000def'],
      ['not a string', 42],
    ])('refuses a body with %s with BODY_NOT_WELL_FORMED', (_name, body) => {
      expectRefused(valid({ body }), 'BODY_NOT_WELL_FORMED', 'body');
    });

    it.each([
      ['1,600 ASCII characters', true, 'a'.repeat(1600)],
      ['1,601 ASCII characters', false, 'a'.repeat(1601)],
      ['1,600 emoji (3,200 UTF-16 units)', true, '😀'.repeat(1600)],
      ['1,601 emoji', false, '😀'.repeat(1601)],
      ['1,599 ASCII characters and one emoji', true, `${'a'.repeat(1599)}😀`],
      ['1,600 ASCII characters and one emoji', false, `${'a'.repeat(1600)}😀`],
    ])('%s: accepted %s', (_name, accepted, body) => {
      if (accepted) {
        expect(validateMessageRequest(valid({ body })).body).toBe(body);
      } else {
        expectRefused(valid({ body }), 'BODY_TOO_LONG', 'body');
      }
    });

    it('counts the limit in code points (api.md: 1..1600 characters)', () => {
      expect(MAX_BODY_CHARACTERS).toBe(1600);
    });

    it.each([
      ['plain GSM-7', 'GSM-7', 1, 'Hello'],
      ['160 GSM-7 characters', 'GSM-7', 1, 'a'.repeat(160)],
      ['161 GSM-7 characters', 'GSM-7', 2, 'a'.repeat(161)],
      ['80 extension characters (160 septets)', 'GSM-7', 1, '€'.repeat(80)],
      ['one non-GSM character', 'UCS-2', 1, 'Hello 你好'],
      ['71 UCS-2 characters', 'UCS-2', 2, '你'.repeat(71)],
      // 33 surrogate pairs per 67-unit part: a pair is never split.
      ['1,600 emoji', 'UCS-2', 49, '😀'.repeat(1600)],
    ])('passes encoding and segments through: %s → %s × %i', (_name, encoding, segments, body) => {
      expect(validateMessageRequest(valid({ body }))).toMatchObject({ encoding, segments });
    });
  });

  describe('from', () => {
    it.each<[string, unknown]>([
      ['12 characters', 'ABCDEFGHIJKL'],
      ['digits only', '12345'],
      ['CR/LF (header injection)', 'ACME\r\nX: 1'],
      ['a tab', 'AC\tME'],
      ['a leading space', ' ACME'],
      ['punctuation', 'ACME-CO'],
      ['non-ASCII letters', 'ÄCME'],
      ['empty', ''],
      ['an invalid number', '+44740'],
      ['a number', 447400123456],
    ])('refuses a sender with %s with INVALID_SENDER', (_name, from) => {
      expectRefused(valid({ from }), 'INVALID_SENDER', 'from');
    });

    it.each([
      ['an 11-character alphanumeric ID', 'ACME Bank 1', 'ACME Bank 1'],
      ['a one-letter ID', 'A', 'A'],
      ['an E.164 number', '+14155552671', '+14155552671'],
      ['a spaced international number, normalised', '+1 415 555 2671', '+14155552671'],
    ])('accepts %s', (_name, from, expected) => {
      expect(validateMessageRequest(valid({ from })).from).toBe(expected);
    });

    it('treats null as no sender', () => {
      expect(validateMessageRequest(valid({ from: null })).from).toBeNull();
    });
  });

  describe('unknown fields', () => {
    it.each(['id', 'To', 'sender', '__proto__x', 'x'.repeat(100)])('refuses %s with UNKNOWN_FIELD', (field) => {
      const error = refusal(valid({ [field]: 1 }));
      expect(error).toMatchObject({ status: 422, code: 'UNKNOWN_FIELD', field: field.slice(0, 64) });
    });

    it('accepts the extra fields a caller allows (the topic adds id)', () => {
      expect(validateMessageRequest(valid({ id: 'x' }), ['id'])).toMatchObject({ to: TO });
    });
  });

  describe('callbackUrl', () => {
    it.each([
      'http://app.example.com/cb',
      'https://169.254.169.254/latest/meta-data',
      'https://127.0.0.1/cb',
      'https://localhost/cb',
      'https://user:pass@app.example.com/cb',
      'not a url',
      `https://app.example.com/${'a'.repeat(2048)}`,
    ])('refuses %s with INVALID_CALLBACK_URL', (callbackUrl) => {
      expectRefused(valid({ callbackUrl }), 'INVALID_CALLBACK_URL', 'callbackUrl');
    });

    it('keeps a public https URL as given', () => {
      const callbackUrl = 'https://app.example.com/sms-status?tenant=7';
      expect(validateMessageRequest(valid({ callbackUrl })).callbackUrl).toBe(callbackUrl);
    });

    it('says which rule the URL broke, and takes the ports the policy allows', () => {
      expect(() => validateMessageRequest(valid({ callbackUrl: 'https://[::127.0.0.1]/cb' }))).toThrow(
        /IPv4-compatible.*127\.0\.0\.1/,
      );
      expectRefused(valid({ callbackUrl: 'https://app.example.com:8443/cb' }), 'INVALID_CALLBACK_URL', 'callbackUrl');
      const callbackUrl = 'https://app.example.com:8443/cb';
      expect(
        validateMessageRequest(valid({ callbackUrl }), [], { allowInsecure: false, allowedPorts: [8443] }).callbackUrl,
      ).toBe(callbackUrl);
    });
  });

  describe('validitySeconds', () => {
    it.each<[unknown, boolean]>([
      [59, false],
      [60, true],
      [3600, true],
      [259_200, true],
      [259_201, false],
      [1.5, false],
      [60.5, false],
      [0, false],
      [-60, false],
      ['3600', false],
      [Number.NaN, false],
      [Number.POSITIVE_INFINITY, false],
      [true, false],
    ])('%p accepted: %s', (validitySeconds, accepted) => {
      if (accepted) {
        expect(validateMessageRequest(valid({ validitySeconds })).validitySeconds).toBe(validitySeconds);
      } else {
        expectRefused(valid({ validitySeconds }), 'INVALID_VALIDITY', 'validitySeconds');
      }
    });

    it('treats null as no validity', () => {
      expect(validateMessageRequest(valid({ validitySeconds: null })).validitySeconds).toBeNull();
    });
  });

  describe('country', () => {
    it.each(['gb', 'GBR', 'G', '', '1A', 'G B'])('refuses %p with INVALID_COUNTRY', (country) => {
      expectRefused(valid({ country }), 'INVALID_COUNTRY', 'country');
    });
  });

  describe('messageClass', () => {
    it.each(['promotional', 'Transactional', 'MARKETING', ''])('refuses %p with INVALID_MESSAGE_CLASS', (cls) => {
      expectRefused(valid({ messageClass: cls }), 'INVALID_MESSAGE_CLASS', 'messageClass');
    });

    it.each(['transactional', 'marketing'])('accepts %s', (messageClass) => {
      expect(validateMessageRequest(valid({ messageClass })).messageClass).toBe(messageClass);
    });
  });

  describe('clientReference', () => {
    it.each([
      ['129 characters', 'r'.repeat(129)],
      ['a control character', 'order\n42'],
      ['DEL', 'order\u007f42'],
    ])('refuses %s with INVALID_CLIENT_REFERENCE', (_name, clientReference) => {
      expectRefused(valid({ clientReference }), 'INVALID_CLIENT_REFERENCE', 'clientReference');
    });

    it('accepts 128 characters', () => {
      expect(validateMessageRequest(valid({ clientReference: 'r'.repeat(128) })).clientReference).toHaveLength(128);
    });
  });

  it.each<[string, unknown]>([
    ['country', 44],
    ['messageClass', 1],
    ['callbackUrl', { url: 'https://app.example.com' }],
    ['clientReference', 42],
    ['country', ['GB']],
  ])('refuses a non-string %s with INVALID_FIELD_TYPE', (field, value) => {
    expectRefused(valid({ [field]: value }), 'INVALID_FIELD_TYPE', field);
  });

  describe('sendAt', () => {
    const NOW = new Date('2026-03-01T09:00:00.000Z');
    const check = (sendAt: unknown) => validateMessageRequest(valid({ sendAt }), [], undefined, NOW).sendAt;
    const refusedAt = (sendAt: unknown, code: string): void => {
      try {
        check(sendAt);
      } catch (error) {
        expect(error).toBeInstanceOf(ApiError);
        const { status, field } = error as ApiError;
        expect({ status, code: (error as ApiError).code, field }).toEqual({ status: 422, code, field: 'sendAt' });

        return;
      }
      throw new Error(`accepted sendAt ${JSON.stringify(sendAt)}`);
    };

    it.each<[string, string]>([
      ['UTC', '2026-03-01T09:30:00Z'],
      ['a lower-case t and z', '2026-03-01t09:30:00z'],
      ['a fraction', '2026-03-01T09:30:00.250Z'],
      ['a positive offset', '2026-03-01T10:30:00+01:00'],
      ['a negative offset', '2026-03-01T04:30:00-05:00'],
    ])('reads RFC 3339 with %s', (_name, text) => {
      const expected = text.includes('.250') ? '2026-03-01T09:30:00.250Z' : '2026-03-01T09:30:00.000Z';
      expect(check(text)?.toISOString()).toBe(expected);
    });

    it('accepts exactly 35 days ahead and refuses a millisecond more (SEND_AT_TOO_FAR)', () => {
      expect(check('2026-04-05T09:00:00Z')?.toISOString()).toBe('2026-04-05T09:00:00.000Z');
      refusedAt('2026-04-05T09:00:00.001Z', 'SEND_AT_TOO_FAR');
      refusedAt('2027-03-01T09:00:00Z', 'SEND_AT_TOO_FAR');
    });

    it('sends now (null) for a time up to a minute behind our clock, and refuses older (SEND_AT_IN_PAST)', () => {
      expect(check('2026-03-01T09:00:00Z')).toBeNull();
      expect(check('2026-03-01T08:59:00Z')).toBeNull();
      refusedAt('2026-03-01T08:58:59.999Z', 'SEND_AT_IN_PAST');
      refusedAt('2020-01-01T00:00:00Z', 'SEND_AT_IN_PAST');
    });

    it.each<[string, string]>([
      ['no offset (local time)', '2026-03-01T09:30:00'],
      ['a date only', '2026-03-01'],
      ['no seconds', '2026-03-01T09:30Z'],
      ['a space for T', '2026-03-01 09:30:00Z'],
      ['a day that does not exist', '2026-02-30T09:30:00Z'],
      ['hour 24', '2026-03-01T24:00:00Z'],
      ['an offset of 24 h', '2026-03-01T09:30:00+24:00'],
      ['an epoch number as text', '1772357400'],
      ['words', 'tomorrow morning'],
      ['empty', ''],
    ])('refuses %s as INVALID_SEND_AT', (_name, text) => {
      refusedAt(text, 'INVALID_SEND_AT');
    });

    it.each<[string, unknown]>([
      ['a number', 1772357400000],
      ['an object', { at: '2026-03-01T09:30:00Z' }],
      ['a boolean', true],
    ])('refuses %s as INVALID_FIELD_TYPE', (_name, value) => {
      refusedAt(value, 'INVALID_FIELD_TYPE');
    });

    it('treats null as absent', () => {
      expect(check(null)).toBeNull();
    });
  });

  it('reports the unknown field before any other broken rule', () => {
    expect(refusal({ to: 'x', body: '', extra: 1 }).code).toBe('UNKNOWN_FIELD');
  });
});

describe('country hint', () => {
  it('refuses a well-formed but unknown country code as INVALID_COUNTRY on field country', () => {
    expect(() => validateMessageRequest({ to: '07400123456', country: 'XX', body: 'x' })).toThrow(
      expect.objectContaining({ code: 'INVALID_COUNTRY', field: 'country' }),
    );
  });

  describe('smartEncoding', () => {
    it.each([true, false])('keeps %s as the request asked', (smartEncoding) => {
      expect(validateMessageRequest(valid({ smartEncoding })).smartEncoding).toBe(smartEncoding);
    });

    it('leaves it to the account when absent or null', () => {
      expect(validateMessageRequest(valid())).not.toHaveProperty('smartEncoding');
      expect(validateMessageRequest(valid({ smartEncoding: null }))).not.toHaveProperty('smartEncoding');
    });

    it.each<[string, unknown]>([
      ['a string', 'true'],
      ['a number', 1],
      ['an object', { on: true }],
    ])('refuses %s with INVALID_SMART_ENCODING', (_name, smartEncoding) => {
      expectRefused(valid({ smartEncoding }), 'INVALID_SMART_ENCODING', 'smartEncoding');
    });
  });
});
