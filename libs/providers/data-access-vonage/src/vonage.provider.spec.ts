import { ConfigError } from '@sms/config-kit';
import { createHash, createHmac } from 'node:crypto';
import {
  DeliveryStatus,
  ErrorClass,
  ProviderError,
  ProviderId,
  type RawWebhook,
  type SendRequest,
} from '@sms/provider-port';
import { jsonResponse, onlyFetchCall, onlyFetchBody, rejectionOf } from '@sms/testing';
import { type VonageConfig, parseVonageConfig } from './vonage.config';
import { VonageSmsProvider } from './vonage.provider';

const CONFIG: VonageConfig = {
  apiKey: 'abcd1234',
  apiSecret: 'abcdef0123456789',
  signatureSecret: 'my_secret_key_for_testing',
  signatureMethod: 'md5hash',
  baseUrl: 'https://rest.nexmo.com',
  requestTimeoutMs: 10_000,
};
const SEND_URL = 'https://rest.nexmo.com/sms/json';
const NOW = new Date('2024-07-01T12:00:00.000Z');

const REQUEST: SendRequest = {
  messageId: '7d7c3d4e-6a0e-4bd3-9d0e-3f4f8d1c2b10',
  to: '+447700900000',
  from: 'AcmeInc',
  body: 'Hello',
  encoding: 'GSM-7',
  segments: 1,
};

/** The 200 body from providers.md §2. */
const ACCEPTED = {
  'message-count': '1',
  messages: [
    {
      to: '447700900000',
      'message-id': '0A0000000123ABCD1',
      status: '0',
      'remaining-balance': '3.14159265',
      'message-price': '0.03330000',
      network: '12345',
      'client-ref': REQUEST.messageId,
    },
  ],
};

function setup(respond: () => Promise<Response> | Response = () => jsonResponse(200, ACCEPTED), config = CONFIG) {
  const fetch = jest.fn<Promise<Response>, [input: string, init: RequestInit]>(() => Promise.resolve().then(respond));
  const sut = new VonageSmsProvider(config, fetch, () => NOW);

  return { sut, mocks: { fetch } };
}

function refused(status: string, errorText = 'refused'): Response {
  return jsonResponse(200, { 'message-count': '1', messages: [{ status, 'error-text': errorText }] });
}

function sendError(sut: VonageSmsProvider, request = REQUEST): Promise<ProviderError> {
  return rejectionOf(sut.send(request), ProviderError);
}

const DLR_URL = 'https://gw.example/webhooks/vonage/status';

/** A DLR from providers.md §2, with whatever fields the case overrides. */
function dlr(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    msisdn: '447700900000',
    to: 'AcmeInc',
    'network-code': '23410',
    messageId: '0A0000000123ABCD1',
    price: '0.03330000',
    status: 'delivered',
    scts: '2001011400',
    'err-code': '0',
    'api-key': 'abcd1234',
    'client-ref': 'msg_123',
    'message-timestamp': '2020-01-01 12:00:00',
    ...overrides,
  };
}

/** Adds `timestamp`, `nonce` and `sig` the way Vonage signs webhooks (md5hash unless told). */
function signed(params: Record<string, string>, secret = CONFIG.signatureSecret ?? '', hmac?: string) {
  const all = { ...params, timestamp: '1385047698', nonce: 'a2b1c3d4-0000-4000-8000-000000000000' };
  const s = Object.keys(all)
    .sort()
    .map((key) => `&${key}=${(all[key as keyof typeof all] ?? '').replace(/[&=]/g, '_')}`)
    .join('');
  const sig =
    hmac === undefined
      ? createHash('md5')
          .update(s + secret)
          .digest('hex')
      : createHmac(hmac, secret).update(s).digest('hex');

  return { ...all, sig };
}

function post(params: Record<string, string>, url = DLR_URL): RawWebhook {
  return {
    url,
    method: 'POST',
    headers: {},
    body: new URLSearchParams(params).toString(),
    contentType: 'application/x-www-form-urlencoded',
  };
}

function postJson(params: Record<string, string>, url = DLR_URL): RawWebhook {
  return { url, method: 'POST', headers: {}, body: JSON.stringify(params), contentType: 'application/json' };
}

function get(params: Record<string, string>, url = DLR_URL): RawWebhook {
  return {
    url: `${url}?${new URLSearchParams(params).toString()}`,
    method: 'GET',
    headers: {},
    body: '',
    contentType: '',
  };
}

describe('VonageSmsProvider', () => {
  it('identifies itself as vonage', () => {
    expect(setup().sut.id).toBe(ProviderId.Vonage);
  });

  describe('send: the outbound request', () => {
    it('posts the form with api_key/api_secret, E.164 digits without +, client-ref and callback', async () => {
      const { sut, mocks } = setup();

      await sut.send({ ...REQUEST, statusCallbackUrl: 'https://gw.example/webhooks/vonage/status' });

      const [url, init] = onlyFetchCall(mocks.fetch);
      expect(url).toBe(SEND_URL);
      expect(init.method).toBe('POST');
      expect(init.headers).toEqual({
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
      });
      expect(init.body).toBe(
        'api_key=abcd1234&api_secret=abcdef0123456789&from=AcmeInc&to=447700900000&text=Hello&type=text' +
          '&callback=https%3A%2F%2Fgw.example%2Fwebhooks%2Fvonage%2Fstatus&status-report-req=true' +
          '&client-ref=7d7c3d4e-6a0e-4bd3-9d0e-3f4f8d1c2b10',
      );
    });

    it('sends UCS-2 text as type=unicode', async () => {
      const { sut, mocks } = setup();

      await sut.send({ ...REQUEST, body: 'Привет 👋', encoding: 'UCS-2' });

      const params = new URLSearchParams(onlyFetchBody(mocks.fetch));
      expect(params.get('type')).toBe('unicode');
      expect(params.get('text')).toBe('Привет 👋');
    });

    it('strips the + of a numeric sender and omits callback when none is given', async () => {
      const { sut, mocks } = setup();

      await sut.send({ ...REQUEST, from: '+447700900999' });

      const params = new URLSearchParams(onlyFetchBody(mocks.fetch));
      expect(params.get('from')).toBe('447700900999');
      expect(params.has('callback')).toBe(false);
      expect(params.has('status-report-req')).toBe(false);
    });

    it.each([
      [3600, '3600000'],
      [1, '20000'],
      [30 * 24 * 3600, '604800000'],
    ])('maps validity %i s to ttl %s ms, clamped to Vonage range', async (seconds, ttl) => {
      const { sut, mocks } = setup();

      await sut.send({ ...REQUEST, validitySeconds: seconds });

      expect(new URLSearchParams(onlyFetchBody(mocks.fetch)).get('ttl')).toBe(ttl);
    });

    it('signs the request with timestamp + sig when only the signature secret is configured', async () => {
      const { apiSecret: _unused, ...withoutSecret } = CONFIG;
      const { sut, mocks } = setup(undefined, withoutSecret);

      await sut.send(REQUEST);

      const params = Object.fromEntries(new URLSearchParams(onlyFetchBody(mocks.fetch)));
      expect(params['api_secret']).toBeUndefined();
      expect(params['timestamp']).toBe(String(NOW.getTime() / 1000));
      const { sig, ...rest } = params;
      const s = Object.keys(rest)
        .sort()
        .map((key) => `&${key}=${(rest[key] ?? '').replace(/[&=]/g, '_')}`)
        .join('');
      expect(sig).toBe(
        createHash('md5')
          .update(s + 'my_secret_key_for_testing')
          .digest('hex'),
      );
    });
  });

  describe('send: the response', () => {
    it('returns part 1 as the provider id, every part id, and the summed price', async () => {
      const twoParts = {
        'message-count': '2',
        messages: [
          { ...ACCEPTED.messages[0], 'message-id': '0A0000000123ABCD1' },
          { ...ACCEPTED.messages[0], 'message-id': '0A0000000123ABCD2', 'message-price': '0.03330001' },
        ],
      };
      const { sut } = setup(() => jsonResponse(200, twoParts));

      await expect(sut.send(REQUEST)).resolves.toEqual({
        providerMessageId: '0A0000000123ABCD1',
        partIds: ['0A0000000123ABCD1', '0A0000000123ABCD2'],
        status: DeliveryStatus.Queued,
        cost: '0.06660001',
        currency: 'EUR',
      });
    });

    it('omits the cost when a part has no price', async () => {
      const { 'message-price': _price, ...noPrice } = ACCEPTED.messages[0] as Record<string, string>;
      const { sut } = setup(() => jsonResponse(200, { 'message-count': '1', messages: [noPrice] }));

      await expect(sut.send(REQUEST)).resolves.toEqual({
        providerMessageId: '0A0000000123ABCD1',
        partIds: ['0A0000000123ABCD1'],
        status: DeliveryStatus.Queued,
      });
    });

    it.each([
      ['1', ErrorClass.Transient],
      ['5', ErrorClass.Transient],
      ['10', ErrorClass.Transient],
      ['2', ErrorClass.Permanent],
      ['3', ErrorClass.Permanent],
      ['6', ErrorClass.Permanent],
      ['12', ErrorClass.Permanent],
      ['15', ErrorClass.Permanent],
      ['22', ErrorClass.Permanent],
      ['23', ErrorClass.Permanent],
      ['7', ErrorClass.OptedOut],
      ['33', ErrorClass.OptedOut],
      ['4', ErrorClass.Configuration],
      ['8', ErrorClass.Configuration],
      ['9', ErrorClass.Configuration],
      ['11', ErrorClass.Configuration],
      ['14', ErrorClass.Configuration],
      ['29', ErrorClass.Configuration],
      ['32', ErrorClass.Configuration],
      ['99', ErrorClass.Permanent],
    ])('classifies messages[].status %s as %s (HTTP 200 body)', async (status, errorClass) => {
      const { sut } = setup(() => refused(status, `error ${status}`));

      const error = await sendError(sut);

      expect(error).toMatchObject({ errorClass, code: status, message: `error ${status}`, ambiguous: false });
      expect(sut.classifyError(status)).toBe(errorClass);
    });

    it('marks a partial failure ambiguous: the accepted parts are already on their way', async () => {
      const body = {
        'message-count': '2',
        messages: [ACCEPTED.messages[0], { status: '1', 'error-text': 'Throttled' }],
      };
      const { sut } = setup(() => jsonResponse(200, body));

      await expect(sendError(sut)).resolves.toMatchObject({
        errorClass: ErrorClass.Transient,
        code: '1',
        ambiguous: true,
      });
    });

    it.each([
      [429, ErrorClass.Transient],
      [500, ErrorClass.Transient],
      [503, ErrorClass.Transient],
      [401, ErrorClass.Configuration],
      [404, ErrorClass.Permanent],
    ])('classifies HTTP %i by its status', async (httpStatus, errorClass) => {
      const { sut } = setup(() => new Response('nope', { status: httpStatus }));

      await expect(sendError(sut)).resolves.toMatchObject({ errorClass, code: `HTTP_${httpStatus}`, ambiguous: false });
    });

    it.each([
      ['not json', 'oops'],
      ['no messages', '{"message-count":"0"}'],
      ['empty messages', '{"message-count":"0","messages":[]}'],
      ['accepted without an id', '{"messages":[{"status":"0"}]}'],
    ])('treats a 200 with %s as an ambiguous transient BAD_RESPONSE', async (_case, body) => {
      const { sut } = setup(() => new Response(body, { status: 200 }));

      await expect(sendError(sut)).resolves.toMatchObject({
        errorClass: ErrorClass.Transient,
        code: 'BAD_RESPONSE',
        ambiguous: true,
      });
    });

    it('reports a refused connection as transient and not ambiguous', async () => {
      const cause = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      const { sut } = setup(() => Promise.reject(new TypeError('fetch failed', { cause })));

      await expect(sendError(sut)).resolves.toMatchObject({ code: 'CONNECTION_REFUSED', ambiguous: false });
    });

    it('reports a timeout as ambiguous: Vonage may have accepted it', async () => {
      const { sut } = setup(() => Promise.reject(new DOMException('timed out', 'TimeoutError')));

      await expect(sendError(sut)).resolves.toMatchObject({
        errorClass: ErrorClass.Transient,
        code: 'TIMEOUT',
        ambiguous: true,
      });
    });
  });

  describe('verifyWebhook', () => {
    const VECTOR = {
      'message-timestamp': '2013-11-21 15:27:30',
      messageId: '020000001B0FE827',
      msisdn: '14843472194',
      text: 'Test again',
      timestamp: '1385047698',
      to: '13239877404',
      type: 'text',
    };

    it('accepts the providers.md md5hash vector, in any case', () => {
      const { sut } = setup();

      expect(sut.verifyWebhook(post({ ...VECTOR, sig: 'd2e7b1dc968737c5998ad624e02f90b7' }))).toBe(true);
      expect(sut.verifyWebhook(post({ ...VECTOR, sig: 'D2E7B1DC968737C5998AD624E02F90B7' }))).toBe(true);
    });

    it('accepts the providers.md sha256 HMAC vector', () => {
      const { sut } = setup(undefined, { ...CONFIG, signatureMethod: 'sha256' });
      const sig = 'DDB8397C2B90AAC7F3882D306475C9A5058C92322EEF43C92B298B6E0FC0D330';

      expect(sut.verifyWebhook(post({ ...VECTOR, sig }))).toBe(true);
      expect(sut.verifyWebhook(post({ ...VECTOR, sig: 'd2e7b1dc968737c5998ad624e02f90b7' }))).toBe(false);
    });

    it.each(['md5', 'sha1', 'sha512'] as const)('accepts %s HMAC signatures', (method) => {
      const { sut } = setup(undefined, { ...CONFIG, signatureMethod: method });

      expect(sut.verifyWebhook(post(signed(dlr(), CONFIG.signatureSecret, method)))).toBe(true);
    });

    it('accepts signed DLRs sent as GET, POST form and POST JSON', () => {
      const { sut } = setup();
      const params = signed(dlr());

      expect(sut.verifyWebhook(get(params))).toBe(true);
      expect(sut.verifyWebhook(post(params))).toBe(true);
      expect(sut.verifyWebhook(postJson(params))).toBe(true);
    });

    it('covers values with & and = (replaced by _ before hashing)', () => {
      const { sut } = setup();

      expect(sut.verifyWebhook(post(signed(dlr({ 'client-ref': 'a=b&c' }))))).toBe(true);
    });

    it.each([
      ['a changed status', { status: 'failed' }],
      ['a changed message id', { messageId: '0A0000000123ABCD9' }],
      ['an added field', { extra: '1' }],
    ])('refuses a payload with %s', (_case, change) => {
      const { sut } = setup();

      expect(sut.verifyWebhook(post({ ...signed(dlr()), ...change }))).toBe(false);
    });

    it('refuses a wrong secret, a missing sig, and any webhook when no signature secret is configured', () => {
      const { signatureSecret: _unused, ...unsignedConfig } = CONFIG;
      const { sut } = setup();

      expect(sut.verifyWebhook(post(signed(dlr(), 'another secret')))).toBe(false);
      const { sig: _sig, ...unsigned } = signed(dlr());
      expect(sut.verifyWebhook(post(unsigned))).toBe(false);
      expect(setup(undefined, unsignedConfig).sut.verifyWebhook(post(signed(dlr())))).toBe(false);
    });

    it('never throws on garbage', () => {
      const { sut } = setup();

      expect(sut.verifyWebhook({ url: '::', method: 'GET', headers: {}, body: '', contentType: '' })).toBe(false);
      expect(sut.verifyWebhook(postJson({}, DLR_URL))).toBe(false);
      expect(sut.verifyWebhook({ ...postJson({}), body: '[1,2' })).toBe(false);
    });
  });

  describe('parseDeliveryReports', () => {
    it.each([
      ['accepted', DeliveryStatus.Sent],
      ['buffered', DeliveryStatus.Sent],
      ['delivered', DeliveryStatus.Delivered],
      ['expired', DeliveryStatus.Undelivered],
      ['failed', DeliveryStatus.Undelivered],
      ['unknown', DeliveryStatus.Undelivered],
      ['rejected', DeliveryStatus.Failed],
    ])('maps status %s to %s', (status, expected) => {
      const { sut } = setup();

      expect(sut.parseDeliveryReports(post(dlr({ status })))).toEqual([
        {
          providerMessageId: '0A0000000123ABCD1',
          status: expected,
          providerStatus: status,
          occurredAt: new Date('2020-01-01T14:00:00.000Z'),
          price: { amount: '0.03330000', currency: 'EUR' },
          network: '23410',
        },
      ]);
    });

    it.each([
      ['no price', { price: '' }],
      ['a negative price', { price: '-0.0333' }],
      ['a price with a unit', { price: '0.0333 EUR' }],
    ])('has no price with %s, and no network with a malformed network-code', (_case, params) => {
      const { sut } = setup();
      const [report] = sut.parseDeliveryReports(post(dlr({ ...params, 'network-code': 'O2-UK' })));

      expect(report?.price).toBeUndefined();
      expect(report?.network).toBeUndefined();
      expect(report?.status).toBe(DeliveryStatus.Delivered);
    });

    it.each([
      ['1', ErrorClass.Transient],
      ['2', ErrorClass.Transient],
      ['3', ErrorClass.Permanent],
      ['4', ErrorClass.Permanent],
      ['5', ErrorClass.Permanent],
      ['6', ErrorClass.Permanent],
      ['7', ErrorClass.Transient],
      ['8', ErrorClass.Transient],
      ['9', ErrorClass.OptedOut],
      ['10', ErrorClass.Permanent],
      ['11', ErrorClass.Transient],
      ['12', ErrorClass.Permanent],
      ['13', ErrorClass.Permanent],
      ['14', ErrorClass.Permanent],
      ['15', ErrorClass.Permanent],
      ['99', ErrorClass.Permanent],
      ['42', ErrorClass.Permanent],
    ])('classifies err-code %s as %s', (code, errorClass) => {
      const { sut } = setup();

      expect(sut.parseDeliveryReports(post(dlr({ status: 'failed', 'err-code': code })))).toEqual([
        expect.objectContaining({ status: DeliveryStatus.Undelivered, errorCode: code, errorClass }),
      ]);
    });

    it('reports an opted-out recipient (rejected + err-code 9) as failed and opted out', () => {
      const { sut } = setup();

      expect(sut.parseDeliveryReports(post(dlr({ status: 'rejected', 'err-code': '9' })))).toEqual([
        expect.objectContaining({ status: DeliveryStatus.Failed, errorCode: '9', errorClass: ErrorClass.OptedOut }),
      ]);
    });

    it('reads the same DLR from GET, form and JSON', () => {
      const { sut } = setup();
      const expected = [
        expect.objectContaining({ providerMessageId: '0A0000000123ABCD1', status: DeliveryStatus.Delivered }),
      ];

      expect(sut.parseDeliveryReports(get(dlr()))).toEqual(expected);
      expect(sut.parseDeliveryReports(post(dlr()))).toEqual(expected);
      expect(sut.parseDeliveryReports(postJson(dlr()))).toEqual(expected);
    });

    it('reports each part of a long message on its own (one DLR per part)', () => {
      const { sut } = setup();

      const parts = ['0A0000000123ABCD1', '0A0000000123ABCD2'].flatMap((messageId) =>
        sut.parseDeliveryReports(post(dlr({ messageId }))),
      );

      expect(parts.map((report) => report.providerMessageId)).toEqual(['0A0000000123ABCD1', '0A0000000123ABCD2']);
    });

    it('falls back to message-timestamp when scts is unreadable', () => {
      const { sut } = setup();

      expect(sut.parseDeliveryReports(post(dlr({ scts: '9913991400' })))[0]?.occurredAt).toEqual(
        new Date('2020-01-01T12:00:00.000Z'),
      );
    });

    it.each([
      ['an empty body', post({})],
      ['an unknown status', post(dlr({ status: 'teleported' }))],
      ['no messageId', post(dlr({ messageId: '' }))],
      ['broken JSON', { ...postJson(dlr()), body: '{"status":' }],
      ['a JSON array', { ...postJson(dlr()), body: '[]' }],
      ['a bad GET url', { ...get(dlr()), url: 'not a url' }],
      ['an inbound message', post({ msisdn: '447700900001', to: '447700900999', messageId: 'X1', text: 'hi' })],
    ])('returns nothing for %s, never throws', (_case, webhook) => {
      expect(setup().sut.parseDeliveryReports(webhook)).toEqual([]);
    });
  });

  describe('parseInbound', () => {
    const MO = {
      'api-key': 'abcd1234',
      msisdn: '447700900001',
      to: '447700900999',
      messageId: '0A0000001234567B',
      text: 'STOP please',
      type: 'text',
      keyword: 'STOP',
      'message-timestamp': '2024-07-01 12:30:00',
    };

    it.each([
      ['GET', get(MO)],
      ['POST form', post(MO)],
      ['POST JSON', postJson(MO)],
    ])('reads an MO sent as %s, numbers back in E.164', (_case, webhook) => {
      expect(setup().sut.parseInbound(webhook)).toEqual({
        providerMessageId: '0A0000001234567B',
        from: '+447700900001',
        to: '+447700900999',
        body: 'STOP please',
        receivedAt: new Date('2024-07-01T12:30:00.000Z'),
      });
    });

    it.each([
      ['a DLR', post(dlr())],
      ['a binary MO', post({ ...MO, text: '', type: 'binary', data: '48656c6c6f', udh: '050003cc0201' })],
      ['an empty body', post({})],
      ['broken JSON', { ...postJson(MO), body: '{' }],
    ])('returns null for %s', (_case, webhook) => {
      expect(setup().sut.parseInbound(webhook)).toBeNull();
    });
  });

  describe('parseVonageConfig', () => {
    const RAW = { VONAGE_API_KEY: 'abcd1234', VONAGE_API_SECRET: 'secret' };

    it('applies defaults', () => {
      expect(parseVonageConfig(RAW)).toEqual({
        apiKey: 'abcd1234',
        apiSecret: 'secret',
        signatureMethod: 'md5hash',
        baseUrl: 'https://rest.nexmo.com',
        requestTimeoutMs: 10_000,
      });
    });

    it('accepts a signature secret instead of an api secret, and trims the base URL', () => {
      expect(
        parseVonageConfig({
          VONAGE_API_KEY: 'k',
          VONAGE_SIGNATURE_SECRET: 's',
          VONAGE_SIGNATURE_METHOD: 'sha512',
          VONAGE_BASE_URL: 'http://127.0.0.1:4010/sim/vonage/',
        }),
      ).toMatchObject({ signatureSecret: 's', signatureMethod: 'sha512', baseUrl: 'http://127.0.0.1:4010/sim/vonage' });
    });

    it('lists every bad key at once', () => {
      const error = (() => {
        try {
          parseVonageConfig({
            VONAGE_SIGNATURE_METHOD: 'crc32',
            VONAGE_BASE_URL: 'ftp://x',
            VONAGE_REQUEST_TIMEOUT_MS: '0',
          });
        } catch (thrown) {
          return thrown;
        }
      })();

      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).invalidKeys).toEqual([
        'VONAGE_API_KEY',
        'VONAGE_API_SECRET',
        'VONAGE_SIGNATURE_METHOD',
        'VONAGE_BASE_URL',
        'VONAGE_REQUEST_TIMEOUT_MS',
      ]);
    });
  });
});

describe('VonageSmsProvider.webhookSignedAt', () => {
  const webhook = (query: string) => ({
    url: `https://gw.example.com/webhooks/vonage/status?${query}`,
    method: 'GET',
    headers: {},
    body: '',
    contentType: '',
  });

  it('reads the signed `timestamp` param (Unix seconds), and nothing from a webhook without one', () => {
    const { sut } = setup();

    expect(sut.webhookSignedAt(webhook('messageId=1&timestamp=1700000000&sig=x'))).toEqual(new Date(1_700_000_000_000));
    expect(sut.webhookSignedAt(webhook('messageId=1&sig=x'))).toBeUndefined();
    expect(sut.webhookSignedAt(webhook('timestamp=yesterday'))).toBeUndefined();
  });
});
