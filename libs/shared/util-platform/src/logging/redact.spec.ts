import { escapeLineBreaks, maskNumbersInText, REDACTED, REDACTED_KEYS, redactByField } from './redact';

describe(redactByField.name, () => {
  it.each([
    'to',
    'from',
    'sender',
    'recipient',
    'msisdn',
    'number',
    'body',
    'text',
    'short_message',
    'destination_addr',
    'source_addr',
    'partyA',
    'partyB',
    'authorization',
  ])('censors the value of %s', (key) => {
    expect(redactByField({ [key]: '+447400123456', kept: 'x' })).toEqual({ [key]: REDACTED, kept: 'x' });
  });

  it('censors keys whatever their case (Twilio posts To, From and Body)', () => {
    expect(redactByField({ To: '+447400123456', FROM: '+14155552671', Body: 'Your code is 123456' })).toEqual({
      To: REDACTED,
      FROM: REDACTED,
      Body: REDACTED,
    });
  });

  it('censors at any depth, in arrays too, whatever the value type', () => {
    expect(
      redactByField({
        request: { message: { to: '+447400123456', parts: [{ text: 'a' }, { text: 'b' }] } },
        recipients: ['+447400123456', '+447400123457'],
        number: 447400123456,
      }),
    ).toEqual({
      request: { message: { to: REDACTED, parts: [{ text: REDACTED }, { text: REDACTED }] } },
      recipients: REDACTED,
      number: REDACTED,
    });
  });

  it('keeps ids, addresses and free text as they are: no digit pattern', () => {
    const line = {
      msg: 'connect ECONNREFUSED 10.0.0.12:3306 while applying 0190f0d6-7c1a-7000-8000-000000000001',
      messageId: '0190f0d6-7c1a-7000-8000-000000000001',
      providerMessageId: 'SM1234567890abcdef1234567890abcdef',
      webhookId: '1234567890123',
      broker: '127.0.0.1:9092',
      url: 'https://hooks.example.com:8443/cb/12345678',
      port: 3306,
    };

    expect(redactByField(line)).toEqual(line);
  });

  it('leaves null and absent values visible as such, and non-plain objects untouched', () => {
    const error = new Error('boom');
    const at = new Date(0);

    expect(redactByField({ to: null, from: undefined, err: error, at })).toEqual({
      to: null,
      from: undefined,
      err: error,
      at,
    });
  });

  it('takes extra keys (LOG_REDACT_KEYS) and cuts objects nested too deep', () => {
    expect(redactByField({ clientreference: 'c-1' }, new Set(['clientreference']))).toEqual({
      clientreference: REDACTED,
    });
    let deep: Record<string, unknown> = { leaf: '+447400123456' };
    for (let i = 0; i < 12; i++) {
      deep = { next: deep };
    }
    expect(JSON.stringify(redactByField(deep))).not.toContain('7400123456');
  });

  it('is the built-in key set, in lower case', () => {
    expect([...REDACTED_KEYS].every((key) => key === key.toLowerCase())).toBe(true);
  });
});

describe(escapeLineBreaks.name, () => {
  it.each([
    ['CR/LF', 'ACME\r\nX-Injected: 1', 'ACME\\r\\nX-Injected: 1'],
    ['a lone LF', 'line one\nline two', 'line one\\nline two'],
    ['a lone CR', 'abc\rdef', 'abc\\rdef'],
  ])('escapes %s so user data cannot forge a log line', (_name, text, expected) => {
    expect(escapeLineBreaks(text)).toBe(expected);
  });
});

describe(maskNumbersInText.name, () => {
  it('masks an E.164 number a provider echoed into free text, and keeps ids, ports and bare digit runs', () => {
    expect(
      maskNumbersInText(
        "The 'To' number +447400123456 is not valid (bind 0, 10.0.0.12:2775, id 1234567890123, ref 447400654321)",
      ),
    ).toBe("The 'To' number +44********56 is not valid (bind 0, 10.0.0.12:2775, id 1234567890123, ref 447400654321)");
    expect(maskNumbersInText('to +14155552671, +12025550160.')).toBe('to +1********71, +1********60.');
  });

  it('leaves text without an E.164 number exactly as it was', () => {
    const text = 'retry 3 of 5 after +250 ms for 0190f0d6-7c1a-7000-8000-000000000001 on a+447400123456b';
    expect(maskNumbersInText(text)).toBe(text);
  });
});

describe('redactByField on free-text keys', () => {
  it('masks E.164 numbers inside the free-text fields at any depth, not in other fields', () => {
    expect(
      redactByField({
        msg: 'refused +447400123456',
        provider: { response: { error: 'invalid destination +447400123456' } },
        providerMessageId: '+447400123456',
      }),
    ).toEqual({
      msg: 'refused +44********56',
      provider: { response: { error: 'invalid destination +44********56' } },
      providerMessageId: '+447400123456',
    });
  });
});
