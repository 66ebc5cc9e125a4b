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
import { jsonResponse, onlyFetchCall, onlyFetchBody, rejectionOf } from '@sms/testing';
import { type SinchConfig, parseSinchConfig } from './sinch.config';
import { SinchSmsProvider } from './sinch.provider';

const PLAN = 'f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6';
const CONFIG: SinchConfig = {
  servicePlanId: PLAN,
  apiToken: 'sinch-api-token',
  callbackSecret: 'SMSWebhooksSecret',
  baseUrl: 'https://eu.sms.api.sinch.com',
  requestTimeoutMs: 10_000,
};
const BATCHES_URL = `https://eu.sms.api.sinch.com/xms/v1/${PLAN}/batches`;
const NOW = new Date('2024-07-01T12:00:00.000Z');

const REQUEST: SendRequest = {
  messageId: '7d7c3d4e-6a0e-4bd3-9d0e-3f4f8d1c2b10',
  to: '+15551231234',
  from: '12345',
  body: 'Hello',
  encoding: 'GSM-7',
  segments: 1,
};

/** The 201 body from providers.md §3. */
const CREATED = {
  id: '01FC66621XXXXX119Z8PMV1QPQ',
  to: ['15551231234'],
  from: '12345',
  canceled: false,
  body: 'Hello',
  type: 'mt_text',
  created_at: '2024-07-01T12:00:00.000Z',
  modified_at: '2024-07-01T12:00:00.000Z',
  delivery_report: 'per_recipient',
  expire_at: '2024-07-04T12:00:00.000Z',
  client_reference: REQUEST.messageId,
};

function setup(respond: () => Promise<Response> | Response = () => jsonResponse(201, CREATED), config = CONFIG) {
  const fetch = jest.fn<Promise<Response>, [input: string, init: RequestInit]>(() => Promise.resolve().then(respond));
  const sut = new SinchSmsProvider(config, fetch, () => NOW);

  return { sut, mocks: { fetch } };
}

function sendError(sut: SinchSmsProvider, request = REQUEST): Promise<ProviderError> {
  return rejectionOf(sut.send(request), ProviderError);
}

const VECTOR_NONCE = '01JHFFHWYY7HSS4FWTMDTQEK8V';
const VECTOR_TIMESTAMP = '1736760161';
/** The per-recipient DLR of providers.md §3, minified with sorted keys: the signature test vector's body. */
const VECTOR_BODY =
  '{"at":"2025-01-13T09:22:40.914Z","batch_id":"01JHFFHQ0P99JPPNQPJDV7JTBP","client_reference":"a client reference",' +
  '"code":0,"operator_status_at":"2025-01-13T09:22:00Z","recipient":"33662162466","status":"Delivered",' +
  '"type":"recipient_delivery_report_sms"}';
const VECTOR_SIGNATURE = 'ZoHei66PPN/kZjw7hFVfGhJOnml3iGNCMWoyQVcE5o0=';

function webhook(body: string, headers: Record<string, string> = {}): RawWebhook {
  return {
    url: 'https://gw.example/webhooks/sinch/status',
    method: 'POST',
    headers,
    body,
    contentType: 'application/json',
  };
}

function signatureHeaders(signature: string, nonce = VECTOR_NONCE, timestamp = VECTOR_TIMESTAMP) {
  return {
    'x-sinch-webhook-signature': signature,
    'x-sinch-webhook-signature-algorithm': 'HmacSHA256',
    'x-sinch-webhook-signature-nonce': nonce,
    'x-sinch-webhook-signature-timestamp': timestamp,
  };
}

function signedWebhook(body: string, secret = 'SMSWebhooksSecret'): RawWebhook {
  const signature = createHmac('sha256', secret).update(`${body}.n1.1700000000`).digest('base64');

  return webhook(body, signatureHeaders(signature, 'n1', '1700000000'));
}

function recipientReport(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    type: 'recipient_delivery_report_sms',
    batch_id: '01JHFFHQ0P99JPPNQPJDV7JTBP',
    recipient: '33662162466',
    code: 0,
    status: 'Delivered',
    at: '2025-01-13T09:22:40.914Z',
    operator_status_at: '2025-01-13T09:22:00Z',
    client_reference: 'a client reference',
    ...overrides,
  });
}

describe('SinchSmsProvider', () => {
  it('identifies itself as sinch', () => {
    expect(setup().sut.id).toBe(ProviderId.Sinch);
  });

  describe('send: the outbound request', () => {
    it('posts a JSON batch with a Bearer token, per-recipient reports, callback and client reference', async () => {
      const { sut, mocks } = setup();

      await sut.send({ ...REQUEST, statusCallbackUrl: 'https://gw.example/webhooks/sinch/status' });

      const [url, init] = onlyFetchCall(mocks.fetch);
      expect(url).toBe(BATCHES_URL);
      expect(init.method).toBe('POST');
      expect(init.headers).toEqual({
        Authorization: 'Bearer sinch-api-token',
        'Content-Type': 'application/json',
        Accept: 'application/json',
      });
      expect(init.body).toBe(
        '{"from":"12345","to":["15551231234"],"body":"Hello","delivery_report":"per_recipient",' +
          '"callback_url":"https://gw.example/webhooks/sinch/status","client_reference":"7d7c3d4e-6a0e-4bd3-9d0e-3f4f8d1c2b10"}',
      );
    });

    it('sends UCS-2 text as is (Sinch picks the encoding) and strips + from a numeric sender', async () => {
      const { sut, mocks } = setup();

      await sut.send({ ...REQUEST, from: '+447700900999', body: 'Привет 👋', encoding: 'UCS-2' });

      expect(JSON.parse(onlyFetchBody(mocks.fetch))).toEqual({
        from: '447700900999',
        to: ['15551231234'],
        body: 'Привет 👋',
        delivery_report: 'per_recipient',
        client_reference: REQUEST.messageId,
      });
    });

    it.each([
      [3600, '2024-07-01T13:00:00.000Z'],
      [30 * 24 * 3600, '2024-07-04T12:00:00.000Z'],
    ])('maps validity %i s to expire_at %s (at most 3 days)', async (seconds, expireAt) => {
      const { sut, mocks } = setup();

      await sut.send({ ...REQUEST, validitySeconds: seconds });

      expect(JSON.parse(onlyFetchBody(mocks.fetch))).toMatchObject({ expire_at: expireAt });
    });
  });

  describe('send: the response', () => {
    it('returns the batch id as the provider id', async () => {
      await expect(setup().sut.send(REQUEST)).resolves.toEqual({
        providerMessageId: '01FC66621XXXXX119Z8PMV1QPQ',
        status: DeliveryStatus.Queued,
      });
    });

    it.each([
      [400, 'syntax_invalid_json', ErrorClass.Permanent],
      [400, 'syntax_invalid_parameter_format', ErrorClass.Permanent],
      [400, 'syntax_constraint_violation', ErrorClass.Permanent],
      [403, 'unknown_group', ErrorClass.Permanent],
      [403, 'unknown_campaign', ErrorClass.Permanent],
      [403, 'missing_callback_url', ErrorClass.Permanent],
      [401, 'unauthorized', ErrorClass.Configuration],
      [429, 'too_many_requests', ErrorClass.Transient],
      [500, 'internal_error', ErrorClass.Transient],
      [503, 'service_unavailable', ErrorClass.Transient],
    ])('classifies HTTP %i %s as %s', async (httpStatus, code, errorClass) => {
      const { sut } = setup(() => jsonResponse(httpStatus, { code, text: `text of ${code}` }));

      await expect(sendError(sut)).resolves.toMatchObject({
        errorClass,
        code,
        message: `text of ${code}`,
        ambiguous: false,
      });
      expect(sut.classifyError(code, httpStatus)).toBe(errorClass);
    });

    it.each([
      [404, ErrorClass.Permanent],
      [405, ErrorClass.Permanent],
      [415, ErrorClass.Permanent],
      [401, ErrorClass.Configuration],
      [502, ErrorClass.Transient],
    ])('classifies a bodiless HTTP %i as %s', async (httpStatus, errorClass) => {
      const { sut } = setup(() => new Response('', { status: httpStatus }));

      await expect(sendError(sut)).resolves.toMatchObject({ errorClass, code: `HTTP_${httpStatus}` });
    });

    it('treats a 201 without an id as an ambiguous transient BAD_RESPONSE', async () => {
      const { sut } = setup(() => jsonResponse(201, { to: ['15551231234'] }));

      await expect(sendError(sut)).resolves.toMatchObject({
        errorClass: ErrorClass.Transient,
        code: 'BAD_RESPONSE',
        ambiguous: true,
      });
    });

    it('reports a refused connection as not ambiguous and a timeout as ambiguous', async () => {
      const cause = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      const refusedSut = setup(() => Promise.reject(new TypeError('fetch failed', { cause }))).sut;
      const timedOutSut = setup(() => Promise.reject(new DOMException('timed out', 'TimeoutError'))).sut;

      await expect(sendError(refusedSut)).resolves.toMatchObject({ code: 'CONNECTION_REFUSED', ambiguous: false });
      await expect(sendError(timedOutSut)).resolves.toMatchObject({ code: 'TIMEOUT', ambiguous: true });
    });
  });

  describe('verifyWebhook', () => {
    it('accepts the providers.md test vector', () => {
      expect(setup().sut.verifyWebhook(webhook(VECTOR_BODY, signatureHeaders(VECTOR_SIGNATURE)))).toBe(true);
    });

    it('accepts header names in any case', () => {
      const headers = Object.fromEntries(
        Object.entries(signatureHeaders(VECTOR_SIGNATURE)).map(([name, value]) => [name.toUpperCase(), value]),
      );

      expect(setup().sut.verifyWebhook(webhook(VECTOR_BODY, headers))).toBe(true);
    });

    it.each([
      ['a tampered body', webhook(VECTOR_BODY.replace('Delivered', 'Failed'), signatureHeaders(VECTOR_SIGNATURE))],
      [
        're-serialised JSON',
        webhook(JSON.stringify(JSON.parse(VECTOR_BODY), null, 1), signatureHeaders(VECTOR_SIGNATURE)),
      ],
      ['another nonce', webhook(VECTOR_BODY, signatureHeaders(VECTOR_SIGNATURE, 'other'))],
      ['another timestamp', webhook(VECTOR_BODY, signatureHeaders(VECTOR_SIGNATURE, VECTOR_NONCE, '1736760162'))],
      [
        'another algorithm',
        webhook(VECTOR_BODY, {
          ...signatureHeaders(VECTOR_SIGNATURE),
          'x-sinch-webhook-signature-algorithm': 'HmacSHA1',
        }),
      ],
      ['no headers', webhook(VECTOR_BODY)],
      ['a wrong secret', signedWebhook(VECTOR_BODY, 'not the secret')],
    ])('refuses %s', (_case, raw) => {
      expect(setup().sut.verifyWebhook(raw)).toBe(false);
    });

    it('refuses everything when no callback secret is configured', () => {
      const { callbackSecret: _unused, ...unsigned } = CONFIG;

      expect(
        setup(undefined, unsigned).sut.verifyWebhook(webhook(VECTOR_BODY, signatureHeaders(VECTOR_SIGNATURE))),
      ).toBe(false);
    });
  });

  describe('parseDeliveryReports', () => {
    it.each([
      ['Queued', DeliveryStatus.Queued],
      ['Dispatched', DeliveryStatus.Sent],
      ['Delivered', DeliveryStatus.Delivered],
      ['Unknown', DeliveryStatus.Sent],
    ])('maps %s to %s without an error', (status, expected) => {
      const code = { Queued: 400, Dispatched: 401, Delivered: 0, Unknown: 0 }[status];

      expect(setup().sut.parseDeliveryReports(signedWebhook(recipientReport({ status, code })))).toEqual([
        {
          providerMessageId: '01JHFFHQ0P99JPPNQPJDV7JTBP',
          status: expected,
          providerStatus: status,
          occurredAt: new Date('2025-01-13T09:22:00Z'),
        },
      ]);
    });

    it.each([
      ['Aborted', DeliveryStatus.Failed],
      ['Cancelled', DeliveryStatus.Failed],
      ['Rejected', DeliveryStatus.Failed],
      ['Failed', DeliveryStatus.Undelivered],
      ['Expired', DeliveryStatus.Undelivered],
      ['Deleted', DeliveryStatus.Undelivered],
    ])('maps %s to %s with its code', (status, expected) => {
      expect(setup().sut.parseDeliveryReports(webhook(recipientReport({ status, code: 402 })))).toEqual([
        expect.objectContaining({
          status: expected,
          providerStatus: status,
          errorCode: '402',
          errorClass: ErrorClass.Permanent,
        }),
      ]);
    });

    it.each([
      [402, ErrorClass.Permanent],
      [403, ErrorClass.Transient],
      [404, ErrorClass.Transient],
      [405, ErrorClass.Permanent],
      [406, ErrorClass.Transient],
      [407, ErrorClass.Permanent],
      [408, ErrorClass.Permanent],
      [410, ErrorClass.Configuration],
      [411, ErrorClass.Permanent],
      [412, ErrorClass.Configuration],
      [413, ErrorClass.Configuration],
      [414, ErrorClass.Permanent],
      [415, ErrorClass.Permanent],
      [416, ErrorClass.Permanent],
      [417, ErrorClass.Permanent],
      [418, ErrorClass.Permanent],
      [11, ErrorClass.Permanent],
    ])('classifies failure code %i as %s', (code, errorClass) => {
      const reports = setup().sut.parseDeliveryReports(webhook(recipientReport({ status: 'Failed', code })));

      expect(reports).toEqual([expect.objectContaining({ errorCode: String(code), errorClass })]);
      expect(setup().sut.classifyError(String(code))).toBe(errorClass);
    });

    it('falls back to `at` when the operator time is missing', () => {
      const body = recipientReport({ operator_status_at: undefined });

      expect(setup().sut.parseDeliveryReports(webhook(body))[0]?.occurredAt).toEqual(
        new Date('2025-01-13T09:22:40.914Z'),
      );
    });

    it('reads batch reports, one report per status bucket', () => {
      const body = JSON.stringify({
        type: 'delivery_report_sms',
        batch_id: '01FC66621XXXXX119Z8PMV1QPQ',
        total_message_count: 1,
        statuses: [
          { code: 0, count: 1, status: 'Delivered', recipients: ['15551231234'] },
          { code: 404, count: 1, status: 'Failed' },
        ],
        client_reference: 'msg_123',
      });

      expect(setup().sut.parseDeliveryReports(webhook(body))).toEqual([
        {
          providerMessageId: '01FC66621XXXXX119Z8PMV1QPQ',
          status: DeliveryStatus.Delivered,
          providerStatus: 'Delivered',
        },
        {
          providerMessageId: '01FC66621XXXXX119Z8PMV1QPQ',
          status: DeliveryStatus.Undelivered,
          providerStatus: 'Failed',
          errorCode: '404',
          errorClass: ErrorClass.Transient,
        },
      ]);
    });

    it.each([
      ['an empty body', ''],
      ['broken JSON', '{"type":'],
      ['an array', '[]'],
      ['no batch id', recipientReport({ batch_id: undefined })],
      ['an unknown status', recipientReport({ status: 'Teleported' })],
      ['an unknown type', recipientReport({ type: 'something_else' })],
      ['statuses not an array', JSON.stringify({ type: 'delivery_report_sms', batch_id: 'B', statuses: 'x' })],
      ['an MO', JSON.stringify({ type: 'mo_text', id: 'X', from: '1', to: '2', body: 'hi' })],
    ])('returns nothing for %s, never throws', (_case, body) => {
      expect(setup().sut.parseDeliveryReports(webhook(body))).toEqual([]);
    });
  });

  describe('parseInbound', () => {
    const MO = {
      type: 'mo_text',
      id: '01XXXXX21XXXXX119Z8P1XXXXX',
      from: '16051234567',
      to: '13185551234',
      body: 'STOP',
      received_at: '2024-01-10T08:49:58.429Z',
      sent_at: '2024-01-10T08:49:57.000Z',
      operator_id: '31000',
    };

    it('reads a text MO, numbers back in E.164', () => {
      expect(setup().sut.parseInbound(webhook(JSON.stringify(MO)))).toEqual({
        providerMessageId: '01XXXXX21XXXXX119Z8P1XXXXX',
        from: '+16051234567',
        to: '+13185551234',
        body: 'STOP',
        receivedAt: new Date('2024-01-10T08:49:58.429Z'),
      });
    });

    it.each([
      ['a binary MO', JSON.stringify({ ...MO, type: 'mo_binary', body: 'SGVsbG8=', udh: '050003cc0201' })],
      ['a delivery report', recipientReport()],
      ['broken JSON', '{'],
      ['a body that is not text', JSON.stringify({ ...MO, body: 42 })],
    ])('returns null for %s', (_case, body) => {
      expect(setup().sut.parseInbound(webhook(body))).toBeNull();
    });
  });

  describe('parseSinchConfig', () => {
    it('applies defaults', () => {
      expect(parseSinchConfig({ SINCH_SERVICE_PLAN_ID: PLAN, SINCH_API_TOKEN: 't' })).toEqual({
        servicePlanId: PLAN,
        apiToken: 't',
        baseUrl: 'https://us.sms.api.sinch.com',
        requestTimeoutMs: 10_000,
      });
    });

    it('lists every bad key at once', () => {
      let error: unknown;
      try {
        parseSinchConfig({
          SINCH_SERVICE_PLAN_ID: 'has spaces',
          SINCH_BASE_URL: 'nope',
          SINCH_REQUEST_TIMEOUT_MS: '1.5',
        });
      } catch (thrown) {
        error = thrown;
      }

      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).invalidKeys).toEqual([
        'SINCH_SERVICE_PLAN_ID',
        'SINCH_API_TOKEN',
        'SINCH_BASE_URL',
        'SINCH_REQUEST_TIMEOUT_MS',
      ]);
    });
  });
});

describe('SinchSmsProvider.webhookSignedAt', () => {
  const webhook = (headers: Record<string, string>) => ({
    url: 'https://gw.example.com/webhooks/sinch/status',
    method: 'POST',
    headers,
    body: '{}',
    contentType: 'application/json',
  });

  it('reads the signature timestamp header (Unix seconds), and nothing without it', () => {
    const { sut } = setup();

    expect(sut.webhookSignedAt(webhook({ 'X-Sinch-Webhook-Signature-Timestamp': '1700000000' }))).toEqual(
      new Date(1_700_000_000_000),
    );
    expect(sut.webhookSignedAt(webhook({}))).toBeUndefined();
    expect(sut.webhookSignedAt(webhook({ 'x-sinch-webhook-signature-timestamp': 'soon' }))).toBeUndefined();
  });
});
