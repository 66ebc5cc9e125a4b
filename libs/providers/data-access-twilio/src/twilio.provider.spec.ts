import { ConfigError } from '@sms/config-kit';
import { createHmac } from 'node:crypto';
import {
  DeliveryStatus,
  ErrorClass,
  ProviderError,
  ProviderId,
  type RawWebhook,
  type SendRequest,
} from '@sms/provider-port';
import { jsonResponse, onlyFetchCall, rejectionOf } from '@sms/testing';
import { type TwilioConfig, parseTwilioConfig } from './twilio.config';
import { TwilioSmsProvider } from './twilio.provider';

const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'f00dfeedf00dfeedf00dfeedf00dfeed';
const CONFIG: TwilioConfig = {
  accountSid: SID,
  authToken: TOKEN,
  baseUrl: 'https://api.twilio.com',
  requestTimeoutMs: 10_000,
};
const MESSAGES_URL = `https://api.twilio.com/2010-04-01/Accounts/${SID}/Messages.json`;

const REQUEST: SendRequest = {
  messageId: '7d7c3d4e-6a0e-4bd3-9d0e-3f4f8d1c2b10',
  to: '+15558675310',
  from: '+15017122661',
  body: 'Hello',
  encoding: 'GSM-7',
  segments: 1,
};

/** The 201 body from providers.md §1, trimmed to what the adapter reads plus a few neighbours. */
const CREATED = {
  sid: 'SM0123456789abcdef0123456789abcdef',
  account_sid: SID,
  status: 'queued',
  num_segments: '1',
  price: null,
  price_unit: 'USD',
  error_code: null,
};

function setup(respond: () => Promise<Response> | Response = () => jsonResponse(201, CREATED), config = CONFIG) {
  const fetch = jest.fn<Promise<Response>, [input: string, init: RequestInit]>(() => Promise.resolve().then(respond));
  const sut = new TwilioSmsProvider(config, fetch);

  return { sut, mocks: { fetch } };
}

function sendError(sut: TwilioSmsProvider, request = REQUEST): Promise<ProviderError> {
  return rejectionOf(sut.send(request), ProviderError);
}

function form(params: Record<string, string>, url = 'https://gw.example/webhooks/twilio/status'): RawWebhook {
  return {
    url,
    method: 'POST',
    headers: {},
    body: new URLSearchParams(params).toString(),
    contentType: 'application/x-www-form-urlencoded',
  };
}

describe(TwilioSmsProvider.name, () => {
  it('identifies itself as the Twilio adapter', () => {
    expect(setup().sut.id).toBe(ProviderId.Twilio);
  });

  describe('send: the exact outbound request', () => {
    it('posts the providers.md example form with Basic auth, idempotency token and a timeout signal', async () => {
      const { sut, mocks } = setup();

      await sut.send({ ...REQUEST, statusCallbackUrl: 'https://gw.example/wh/twilio/status', validitySeconds: 3600 });

      const [url, init] = onlyFetchCall(mocks.fetch);
      expect(url).toBe(MESSAGES_URL);
      expect(init.method).toBe('POST');
      expect(init.headers).toEqual({
        Authorization: `Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
        'I-Twilio-Idempotency-Token': REQUEST.messageId,
      });
      expect(init.body).toBe(
        'To=%2B15558675310&From=%2B15017122661&Body=Hello' +
          '&StatusCallback=https%3A%2F%2Fgw.example%2Fwh%2Ftwilio%2Fstatus&ValidityPeriod=3600',
      );
      expect(init.signal).toBeInstanceOf(AbortSignal);
    });

    it('omits StatusCallback and ValidityPeriod when not given and form-encodes the body text', async () => {
      const { sut, mocks } = setup();

      await sut.send({ ...REQUEST, from: 'AcmeInc', body: 'Tom & Jerry = 100% 😀', encoding: 'UCS-2' });

      expect(onlyFetchCall(mocks.fetch)[1].body).toBe(
        'To=%2B15558675310&From=AcmeInc&Body=Tom+%26+Jerry+%3D+100%25+%F0%9F%98%80',
      );
    });

    it.each([
      [0, '1'],
      [-5, '1'],
      [36_000, '36000'],
      [90_000, '36000'],
      [59.6, '60'],
    ])('clamps ValidityPeriod %p to %p', async (validitySeconds, sent) => {
      const { sut, mocks } = setup();

      await sut.send({ ...REQUEST, validitySeconds });

      expect(new URLSearchParams(onlyFetchCall(mocks.fetch)[1].body as string).get('ValidityPeriod')).toBe(sent);
    });

    it('targets the configured base URL (simulator) and URL-encodes the account SID path segment', async () => {
      const { sut, mocks } = setup(undefined, { ...CONFIG, baseUrl: 'http://127.0.0.1:4010/sim/twilio' });

      await sut.send(REQUEST);

      expect(onlyFetchCall(mocks.fetch)[0]).toBe(
        `http://127.0.0.1:4010/sim/twilio/2010-04-01/Accounts/${SID}/Messages.json`,
      );
    });
  });

  describe('send: results', () => {
    it('maps a 201 to the sid and queued, without a cost while Twilio has not priced it', async () => {
      const { sut } = setup();

      await expect(sut.send(REQUEST)).resolves.toEqual({
        providerMessageId: CREATED.sid,
        status: DeliveryStatus.Queued,
      });
    });

    it('reports the price as a positive cost with its currency when present', async () => {
      const { sut } = setup(() =>
        jsonResponse(201, { ...CREATED, status: 'accepted', price: '-0.00750', price_unit: 'EUR' }),
      );

      await expect(sut.send(REQUEST)).resolves.toEqual({
        providerMessageId: CREATED.sid,
        status: DeliveryStatus.Queued,
        cost: '0.00750',
        currency: 'EUR',
      });
    });

    it('treats a 2xx without a sid as ambiguous: something was created that we cannot name', async () => {
      const { sut } = setup(() => new Response('<html>ok</html>', { status: 201 }));

      expect(await sendError(sut)).toMatchObject({
        errorClass: ErrorClass.Transient,
        code: 'BAD_RESPONSE',
        ambiguous: true,
      });
    });
  });

  describe('send: API errors', () => {
    it.each([
      [400, 21211, ErrorClass.Permanent],
      [400, 21612, ErrorClass.Permanent],
      [400, 21602, ErrorClass.Permanent],
      [400, 21617, ErrorClass.Permanent],
      [400, 21610, ErrorClass.OptedOut],
      [401, 20003, ErrorClass.Configuration],
      [400, 21606, ErrorClass.Configuration],
      [400, 21408, ErrorClass.Configuration],
      [429, 20429, ErrorClass.Transient],
      [500, 20500, ErrorClass.Transient],
      [503, 20503, ErrorClass.Transient],
      [400, 99999, ErrorClass.Permanent],
      [404, 20404, ErrorClass.Permanent],
      [502, 99999, ErrorClass.Transient],
    ])('HTTP %p code %p → %p, not ambiguous', async (status, code, errorClass) => {
      const message = `Twilio says ${code}`;
      const { sut } = setup(() =>
        jsonResponse(status, { code, message, more_info: 'https://www.twilio.com/docs/errors', status }),
      );

      const error = await sendError(sut);

      expect(error).toMatchObject({ errorClass, code: String(code), message, ambiguous: false });
    });

    it.each([
      [503, ErrorClass.Transient],
      [429, ErrorClass.Transient],
      [400, ErrorClass.Permanent],
      [401, ErrorClass.Configuration],
    ])('HTTP %p without a Twilio error body → classified by status as %p', async (status, errorClass) => {
      const { sut } = setup(() => new Response('<html>Bad Gateway</html>', { status }));

      expect(await sendError(sut)).toMatchObject({ errorClass, code: `HTTP_${status}`, ambiguous: false });
    });
  });

  describe('send: transport failures', () => {
    const socketError = (code: string) =>
      new TypeError('fetch failed', { cause: Object.assign(new Error(`connect ${code} 127.0.0.1:443`), { code }) });

    it('connection refused: transient and NOT ambiguous (nothing left this host)', async () => {
      const { sut } = setup(() => Promise.reject(socketError('ECONNREFUSED')));

      expect(await sendError(sut)).toMatchObject({
        errorClass: ErrorClass.Transient,
        code: 'CONNECTION_REFUSED',
        ambiguous: false,
      });
    });

    it('refusal reported through happy-eyeballs AggregateError is still not ambiguous', async () => {
      const refused = Object.assign(new Error('connect ECONNREFUSED ::1:443'), { code: 'ECONNREFUSED' });
      const cause = Object.assign(new AggregateError([refused, refused]), { code: 'ECONNREFUSED' });
      const { sut } = setup(() => Promise.reject(new TypeError('fetch failed', { cause })));

      expect(await sendError(sut)).toMatchObject({ code: 'CONNECTION_REFUSED', ambiguous: false });
    });

    it('timeout: transient, ambiguous, code TIMEOUT', async () => {
      const { sut } = setup(() =>
        Promise.reject(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
      );

      expect(await sendError(sut)).toMatchObject({
        errorClass: ErrorClass.Transient,
        code: 'TIMEOUT',
        ambiguous: true,
      });
    });

    it('a provider that never answers is cut off at the request timeout: ambiguous TIMEOUT', async () => {
      const fetch = jest.fn(
        (_url: string, init: { signal?: AbortSignal }) =>
          new Promise<Response>((_resolve, reject) => {
            init.signal?.addEventListener('abort', () => reject(init.signal?.reason as Error));
          }),
      );
      const sut = new TwilioSmsProvider({ ...CONFIG, requestTimeoutMs: 30 }, fetch);

      expect(await sendError(sut)).toMatchObject({ code: 'TIMEOUT', ambiguous: true });
    });

    it('an answered send leaves no deadline running: its signal never aborts afterwards', async () => {
      const { sut, mocks } = setup(() => jsonResponse(201, CREATED), { ...CONFIG, requestTimeoutMs: 30 });

      await sut.send(REQUEST);
      await new Promise((resolve) => setTimeout(resolve, 60));

      expect(onlyFetchCall(mocks.fetch)[1].signal?.aborted).toBe(false);
    });

    it('connection reset mid-request: transient, ambiguous, code TIMEOUT', async () => {
      const { sut } = setup(() => Promise.reject(socketError('ECONNRESET')));

      const error = await sendError(sut);

      expect(error).toMatchObject({ errorClass: ErrorClass.Transient, code: 'TIMEOUT', ambiguous: true });
      expect(error.message).toContain('ECONNRESET');
    });

    it('a 201 whose body never completes is ambiguous (Twilio created the message)', async () => {
      const stalled = new ReadableStream<Uint8Array>({
        start: (controller) => controller.error(new DOMException('aborted', 'TimeoutError')),
      });
      const { sut } = setup(() => new Response(stalled, { status: 201 }));

      expect(await sendError(sut)).toMatchObject({ code: 'TIMEOUT', ambiguous: true });
    });

    it('a 400 whose body is cut short is still a plain refusal', async () => {
      const cut = new ReadableStream<Uint8Array>({ start: (controller) => controller.error(new Error('reset')) });
      const { sut } = setup(() => new Response(cut, { status: 400 }));

      expect(await sendError(sut)).toMatchObject({
        errorClass: ErrorClass.Permanent,
        code: 'HTTP_400',
        ambiguous: false,
      });
    });
  });

  describe('classifyError: every code in providers.md §1', () => {
    it.each([
      ['20429', ErrorClass.Transient],
      ['20500', ErrorClass.Transient],
      ['20503', ErrorClass.Transient],
      ['30001', ErrorClass.Transient],
      ['30003', ErrorClass.Transient],
      ['30008', ErrorClass.Transient],
      ['30036', ErrorClass.Transient],
      ['21211', ErrorClass.Permanent],
      ['21612', ErrorClass.Permanent],
      ['21614', ErrorClass.Permanent],
      ['21635', ErrorClass.Permanent],
      ['21602', ErrorClass.Permanent],
      ['21617', ErrorClass.Permanent],
      ['30004', ErrorClass.Permanent],
      ['30005', ErrorClass.Permanent],
      ['30006', ErrorClass.Permanent],
      ['30007', ErrorClass.Permanent],
      ['21610', ErrorClass.OptedOut],
      ['20003', ErrorClass.Configuration],
      ['21212', ErrorClass.Configuration],
      ['21606', ErrorClass.Configuration],
      ['21601', ErrorClass.Configuration],
      ['21408', ErrorClass.Configuration],
      ['21608', ErrorClass.Configuration],
      ['30002', ErrorClass.Configuration],
      ['30032', ErrorClass.Configuration],
      ['30034', ErrorClass.Configuration],
    ])('%s → %s', (code, errorClass) => {
      expect(setup().sut.classifyError(code)).toBe(errorClass);
    });

    it.each([
      ['12345', undefined, ErrorClass.Permanent],
      ['12345', 400, ErrorClass.Permanent],
      ['12345', 401, ErrorClass.Configuration],
      ['12345', 429, ErrorClass.Transient],
      ['12345', 500, ErrorClass.Transient],
      ['21211', 503, ErrorClass.Transient],
      ['HTTP_504', 504, ErrorClass.Transient],
    ])('unknown or conflicting: code %p, HTTP %p → %p', (code, status, errorClass) => {
      expect(setup().sut.classifyError(code, status)).toBe(errorClass);
    });
  });

  describe('verifyWebhook (X-Twilio-Signature)', () => {
    // Twilio's documented example (providers.md §1), recomputed.
    const URL_ = 'https://mycompany.com/myapp.php?foo=1&bar=2';
    const PARAMS = {
      CallSid: 'CA1234567890ABCDE',
      Caller: '+12349013030',
      Digits: '1234',
      From: '+12349013030',
      To: '+18005551212',
    };
    const SIGNATURE = '0/KCTR6DLpKmkAf8muzZqo1nDgQ=';
    const { sut } = setup(undefined, { ...CONFIG, authToken: '12345' });
    const signed = (overrides: Partial<RawWebhook> = {}): RawWebhook => ({
      ...form(PARAMS, URL_),
      headers: { 'x-twilio-signature': SIGNATURE },
      ...overrides,
    });

    it('accepts the documented test vector', () => {
      expect(sut.verifyWebhook(signed())).toBe(true);
    });

    it('accepts params in any body order and a header in any case', () => {
      const reordered = new URLSearchParams(Object.entries(PARAMS).reverse()).toString();

      expect(sut.verifyWebhook(signed({ body: reordered, headers: { 'X-Twilio-Signature': SIGNATURE } }))).toBe(true);
    });

    it('accepts the URL with an explicit default port, as the SDK does', () => {
      expect(sut.verifyWebhook(signed({ url: 'https://mycompany.com:443/myapp.php?foo=1&bar=2' }))).toBe(true);
    });

    it.each([
      ['a tampered param', { body: new URLSearchParams({ ...PARAMS, Digits: '1235' }).toString() }],
      ['an extra param', { body: `${new URLSearchParams(PARAMS).toString()}&Extra=1` }],
      ['a dropped param', { body: new URLSearchParams({ ...PARAMS, Digits: '' }).toString().replace('&Digits=', '') }],
      ['a different URL', { url: 'https://mycompany.com/myapp.php?foo=1&bar=3' }],
      ['http instead of https', { url: 'http://mycompany.com/myapp.php?foo=1&bar=2' }],
      ['a non-default port', { url: 'https://mycompany.com:8443/myapp.php?foo=1&bar=2' }],
      ['no signature header', { headers: {} }],
      ['an empty signature', { headers: { 'x-twilio-signature': '' } }],
      ['a signature of another length', { headers: { 'x-twilio-signature': 'abc' } }],
    ])('rejects %s', (_case, overrides: Partial<RawWebhook>) => {
      expect(sut.verifyWebhook(signed(overrides))).toBe(false);
    });

    it('rejects the right signature under the wrong auth token', () => {
      expect(setup().sut.verifyWebhook(signed())).toBe(false);
    });

    it('signs repeated params once per distinct value, values sorted', () => {
      const body = 'MediaUrl0=b&Body=hi&MediaUrl0=a&MediaUrl0=b';
      const signature = createHmac('sha1', '12345').update(`${URL_}BodyhiMediaUrl0aMediaUrl0b`).digest('base64');

      expect(sut.verifyWebhook(signed({ body, headers: { 'x-twilio-signature': signature } }))).toBe(true);
    });

    describe('JSON bodies (bodySHA256), twilio-node fixture', () => {
      const body = '{"property": "value", "boolean": true}';
      const url = `${URL_}&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620`;
      const json = (overrides: Partial<RawWebhook> = {}): RawWebhook => ({
        url,
        method: 'POST',
        headers: { 'x-twilio-signature': 'a9nBmqA0ju/hNViExpshrM61xv4=' },
        body,
        contentType: 'application/json',
        ...overrides,
      });

      it('accepts the fixture', () => {
        expect(sut.verifyWebhook(json())).toBe(true);
      });

      it('rejects a tampered body, and a JSON body without bodySHA256', () => {
        expect(sut.verifyWebhook(json({ body: body.replace('true', 'false') }))).toBe(false);
        expect(sut.verifyWebhook(json({ url: URL_ }))).toBe(false);
      });
    });

    it('never throws, whatever it is given', () => {
      const garbage = [
        {
          url: 'not a url',
          method: 'POST',
          headers: { 'x-twilio-signature': SIGNATURE },
          body: '%%%',
          contentType: '',
        },
        { url: URL_, method: 'GET', headers: { 'x-twilio-signature': SIGNATURE }, body: '', contentType: '' },
        { url: 'not a url', method: 'POST', headers: {}, body: '{', contentType: 'application/json' },
        {} as RawWebhook,
        null as unknown as RawWebhook,
      ];

      for (const webhook of garbage) {
        expect(sut.verifyWebhook(webhook)).toBe(false);
      }
    });
  });

  describe('parseDeliveryReports', () => {
    const { sut } = setup();
    const callback = (status: string, extra: Record<string, string> = {}) =>
      form({
        MessageSid: CREATED.sid,
        SmsSid: CREATED.sid,
        MessageStatus: status,
        SmsStatus: status,
        AccountSid: SID,
        From: '+15017122661',
        To: '+15558675310',
        ApiVersion: '2010-04-01',
        ...extra,
      });

    it('parses the providers.md example: undelivered, 30003 classified transient, RawDlrDoneDate as UTC', () => {
      expect(
        sut.parseDeliveryReports(callback('undelivered', { ErrorCode: '30003', RawDlrDoneDate: '2407011230' })),
      ).toEqual([
        {
          providerMessageId: CREATED.sid,
          status: DeliveryStatus.Undelivered,
          providerStatus: 'undelivered',
          errorCode: '30003',
          errorClass: ErrorClass.Transient,
          occurredAt: new Date('2024-07-01T12:30:00Z'),
        },
      ]);
    });

    it.each([
      ['accepted', DeliveryStatus.Queued],
      ['scheduled', DeliveryStatus.Queued],
      ['queued', DeliveryStatus.Queued],
      ['sending', DeliveryStatus.Sending],
      ['sent', DeliveryStatus.Sent],
      ['delivered', DeliveryStatus.Delivered],
      ['read', DeliveryStatus.Delivered],
      ['partially_delivered', DeliveryStatus.Delivered],
      ['undelivered', DeliveryStatus.Undelivered],
      ['failed', DeliveryStatus.Failed],
      ['canceled', DeliveryStatus.Failed],
    ])('MessageStatus %p → %p', (word, status) => {
      expect(sut.parseDeliveryReports(callback(word))).toEqual([
        { providerMessageId: CREATED.sid, status, providerStatus: word },
      ]);
    });

    it('falls back to SmsSid / SmsStatus', () => {
      const legacy = form({ SmsSid: CREATED.sid, SmsStatus: 'failed', ErrorCode: '30001' });

      expect(sut.parseDeliveryReports(legacy)).toEqual([
        {
          providerMessageId: CREATED.sid,
          status: DeliveryStatus.Failed,
          providerStatus: 'failed',
          errorCode: '30001',
          errorClass: ErrorClass.Transient,
        },
      ]);
    });

    it('classifies callback error codes: 30007 filtering is permanent, 30002 suspended is configuration', () => {
      const [filtered] = sut.parseDeliveryReports(callback('undelivered', { ErrorCode: '30007' }));
      const [suspended] = sut.parseDeliveryReports(callback('failed', { ErrorCode: '30002' }));

      expect(filtered?.errorClass).toBe(ErrorClass.Permanent);
      expect(suspended?.errorClass).toBe(ErrorClass.Configuration);
    });

    it.each(['2413011230', '2402301230', '2407012460', '240701123', 'yesterday', ''])(
      'drops an unreadable RawDlrDoneDate %p instead of guessing',
      (raw) => {
        expect(sut.parseDeliveryReports(callback('delivered', { RawDlrDoneDate: raw }))[0]).not.toHaveProperty(
          'occurredAt',
        );
      },
    );

    it.each([
      ['inbound-only status', callback('received')],
      ['unknown status', callback('teleported')],
      ['missing sid', form({ MessageStatus: 'delivered' })],
      ['missing status', form({ MessageSid: CREATED.sid })],
      ['JSON', { ...form({}), body: '{"MessageSid":"SM1","MessageStatus":"sent"}', contentType: 'application/json' }],
      ['garbage', { ...form({}), body: '%E0%A4%A&&==' }],
      ['null', null as unknown as RawWebhook],
    ])('returns [] for %s and never throws', (_case, webhook: RawWebhook) => {
      expect(sut.parseDeliveryReports(webhook)).toEqual([]);
    });
  });

  describe('parseInbound', () => {
    const { sut } = setup();
    const MO = {
      MessageSid: 'SM11111111111111111111111111111111',
      SmsSid: 'SM11111111111111111111111111111111',
      SmsMessageSid: 'SM11111111111111111111111111111111',
      AccountSid: SID,
      From: '+15558675310',
      To: '+15017122661',
      Body: 'STOP',
      NumMedia: '0',
      NumSegments: '1',
      SmsStatus: 'received',
      ApiVersion: '2010-04-01',
    };
    const expected = { providerMessageId: MO.MessageSid, from: MO.From, to: MO.To, body: 'STOP' };

    it('parses an MO form post', () => {
      expect(sut.parseInbound(form(MO, 'https://gw.example/webhooks/twilio/inbound'))).toEqual(expected);
    });

    it('parses an MO sent as GET (params in the query)', () => {
      const url = `https://gw.example/webhooks/twilio/inbound?${new URLSearchParams(MO).toString()}`;

      expect(sut.parseInbound({ url, method: 'GET', headers: {}, body: '', contentType: '' })).toEqual(expected);
    });

    it('keeps an empty Body (MMS without text)', () => {
      expect(sut.parseInbound(form({ ...MO, Body: '' }))?.body).toBe('');
    });

    it.each([
      ['a status callback', form({ MessageSid: MO.MessageSid, MessageStatus: 'delivered', From: MO.To, To: MO.From })],
      ['a status callback that happens to carry Body', form({ ...MO, SmsStatus: 'sent' })],
      ['no From', form({ ...MO, From: '' })],
      ['garbage', { ...form({}), body: '\u0000%%%' }],
      ['null', null as unknown as RawWebhook],
    ])('returns null for %s', (_case, webhook: RawWebhook) => {
      expect(sut.parseInbound(webhook)).toBeNull();
    });
  });
});

describe(parseTwilioConfig.name, () => {
  it('applies defaults for base URL and timeout, and trims a trailing slash', () => {
    expect(parseTwilioConfig({ TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN })).toEqual({
      accountSid: SID,
      authToken: TOKEN,
      baseUrl: 'https://api.twilio.com',
      requestTimeoutMs: 10_000,
    });
    expect(
      parseTwilioConfig({
        TWILIO_ACCOUNT_SID: SID,
        TWILIO_AUTH_TOKEN: TOKEN,
        TWILIO_BASE_URL: 'http://127.0.0.1:4010/sim/twilio/',
        TWILIO_REQUEST_TIMEOUT_MS: '2500',
      }),
    ).toMatchObject({ baseUrl: 'http://127.0.0.1:4010/sim/twilio', requestTimeoutMs: 2500 });
  });

  it('throws once, listing every bad key', () => {
    const bad = {
      TWILIO_ACCOUNT_SID: 'SK123',
      TWILIO_AUTH_TOKEN: '  ',
      TWILIO_BASE_URL: 'ftp://example.com',
      TWILIO_REQUEST_TIMEOUT_MS: '10s',
    };

    expect(() => parseTwilioConfig(bad)).toThrow(ConfigError);
    try {
      parseTwilioConfig(bad);
    } catch (error) {
      expect((error as ConfigError).invalidKeys).toEqual([
        'TWILIO_ACCOUNT_SID',
        'TWILIO_AUTH_TOKEN',
        'TWILIO_BASE_URL',
        'TWILIO_REQUEST_TIMEOUT_MS',
      ]);
      expect((error as Error).message).not.toContain(TOKEN);
    }
  });

  it('reports missing required keys', () => {
    expect(() => parseTwilioConfig({})).toThrow(/TWILIO_ACCOUNT_SID.*TWILIO_AUTH_TOKEN/);
  });
});
