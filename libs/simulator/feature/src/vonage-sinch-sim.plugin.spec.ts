import type { AddressInfo } from 'node:net';
import {
  DeliveryStatus,
  ErrorClass,
  ProviderError,
  type RawWebhook,
  type SendRequest,
  type SmsProvider,
} from '@sms/provider-port';
import { SinchSmsProvider } from '@sms/provider-sinch';
import { VonageSmsProvider } from '@sms/provider-vonage';
import Fastify from 'fastify';
import { generateSimulatorAccounts, httpApiAccounts } from './simulator.accounts';
import { simulatorPlugin } from './simulator.plugin';
import type { SimRejection } from './sim-message.log';
import type { SinchSimMessage } from './sinch-sim.routes';
import type { VonageSimMessage, VonageWebhookFormat } from './vonage-sim.routes';

const ACCOUNTS = generateSimulatorAccounts();
const VONAGE = ACCOUNTS.vonage;
const SINCH = ACCOUNTS.sinch;

interface SimLog<M> {
  messages: M[];
  rejected: SimRejection[];
  submitsByClientRef: Record<string, { submits: number; accepted: number }>;
}

/** A Fastify app hosting the simulator at /sim plus the gateway-side routes its webhooks land on (raw bodies). */
async function setup(options: { vonageFormat?: VonageWebhookFormat; requestTimeoutMs?: number } = {}) {
  const app = Fastify({ logger: false });
  await app.register(simulatorPlugin, {
    ...httpApiAccounts(ACCOUNTS),
    prefix: '/sim',
    publicBaseUrl: 'http://127.0.0.1',
    // These specs study the provider behaviour; sim-access.spec.ts covers the control check.
    controlAuth: () => 'allowed',
    webhookBaseUrl: () => base,
    vonage: { ...VONAGE, ...(options.vonageFormat !== undefined && { webhookFormat: options.vonageFormat }) },
    sinch: SINCH,
    seed: 11,
    callbackRetryDelayMs: 20,
  });
  const received: Record<'vonage' | 'sinch', RawWebhook[]> = { vonage: [], sinch: [] };
  await app.register((hooks, _options, registered) => {
    // Keep raw bodies: signatures are checked over exactly what arrived.
    for (const type of ['application/x-www-form-urlencoded', 'application/json']) {
      hooks.removeContentTypeParser(type);
      hooks.addContentTypeParser(type, { parseAs: 'string' }, (_req, body, done) => done(null, body));
    }
    hooks.route({
      method: ['GET', 'POST'],
      url: '/webhooks/:provider/*',
      handler: async (request, reply) => {
        const provider = (request.params as { provider: 'vonage' | 'sinch' }).provider;
        received[provider].push({
          url: `${base}${request.url}`,
          method: request.method,
          headers: request.headers as Record<string, string>,
          body: typeof request.body === 'string' ? request.body : '',
          contentType: String(request.headers['content-type'] ?? ''),
        });

        return reply.code(204).send();
      },
    });
    registered();
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const timeout = options.requestTimeoutMs ?? 2_000;
  const vonage = new VonageSmsProvider({
    apiKey: VONAGE.apiKey,
    apiSecret: VONAGE.apiSecret,
    signatureSecret: VONAGE.signatureSecret,
    signatureMethod: 'md5hash',
    baseUrl: `${base}/sim/vonage`,
    requestTimeoutMs: timeout,
  });
  const sinch = new SinchSmsProvider({
    servicePlanId: SINCH.servicePlanId,
    apiToken: SINCH.apiToken,
    callbackSecret: SINCH.callbackSecret,
    baseUrl: `${base}/sim/sinch`,
    requestTimeoutMs: timeout,
  });
  const knobs = async (provider: string, update: unknown): Promise<Response> =>
    fetch(`${base}/sim/knobs/${provider}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(update),
    });
  const simLog = async <M>(provider: 'vonage' | 'sinch') =>
    (await (await fetch(`${base}/sim/${provider}/messages`)).json()) as SimLog<M>;

  return { app, base, vonage, sinch, received, mocks: { knobs, simLog } };
}

function request(overrides: Partial<SendRequest> = {}): SendRequest {
  return {
    messageId: crypto.randomUUID(),
    to: '+447700900123',
    from: '+447700900999',
    body: 'Hello from the simulator',
    encoding: 'GSM-7',
    segments: 1,
    ...overrides,
  };
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error('condition not met in time');
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function sendError(sut: SmsProvider, req: SendRequest): Promise<ProviderError> {
  const error: unknown = await sut.send(req).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ProviderError);

  return error as ProviderError;
}

describe('simulatorPlugin (Vonage)', () => {
  let ctx: Awaited<ReturnType<typeof setup>>;

  afterEach(async () => {
    await ctx.app.close();
  });

  it.each(['POST-JSON', 'POST', 'GET'] as const)(
    'accepts a send and posts one signed DLR series per part (%s webhooks) the adapter verifies and parses',
    async (vonageFormat) => {
      ctx = await setup({ vonageFormat });
      await ctx.mocks.knobs('vonage', { dlrDelayMs: 10 });
      const req = request({ body: 'x'.repeat(200), segments: 2 });

      const result = await ctx.vonage.send({ ...req, statusCallbackUrl: `${ctx.base}/webhooks/vonage/status` });

      expect(result).toMatchObject({ status: DeliveryStatus.Queued, cost: '0.06660000', currency: 'EUR' });
      expect(result.partIds).toHaveLength(2);
      expect(result.providerMessageId).toBe(result.partIds?.[0]);
      await waitFor(() => ctx.received.vonage.length === 4);
      expect(ctx.received.vonage.every((webhook) => ctx.vonage.verifyWebhook(webhook))).toBe(true);
      const reports = ctx.received.vonage.flatMap((webhook) => ctx.vonage.parseDeliveryReports(webhook));
      for (const partId of result.partIds ?? []) {
        expect(reports.filter((r) => r.providerMessageId === partId).map((r) => r.status)).toEqual([
          DeliveryStatus.Sent,
          DeliveryStatus.Delivered,
        ]);
      }
      const log = await ctx.mocks.simLog<VonageSimMessage>('vonage');
      expect(log.submitsByClientRef[req.messageId]).toEqual({ submits: 1, accepted: 1 });
      expect(log.messages[0]).toMatchObject({ type: 'text', clientRef: req.messageId, messageIds: result.partIds });
    },
  );

  it('counts unicode parts at 70/67 and records type=unicode', async () => {
    ctx = await setup();

    const result = await ctx.vonage.send(request({ body: 'é'.repeat(71), encoding: 'UCS-2' }));

    expect(result.partIds).toHaveLength(2);
    expect((await ctx.mocks.simLog<VonageSimMessage>('vonage')).messages[0]?.type).toBe('unicode');
  });

  it('accepts signed requests (sig + timestamp) and refuses a wrong signature with status 14', async () => {
    ctx = await setup();
    const signedOnly = (signatureSecret: string) =>
      new VonageSmsProvider({
        apiKey: VONAGE.apiKey,
        signatureSecret,
        signatureMethod: 'md5hash',
        baseUrl: `${ctx.base}/sim/vonage`,
        requestTimeoutMs: 2_000,
      });

    await expect(signedOnly(VONAGE.signatureSecret).send(request())).resolves.toMatchObject({ status: 'queued' });
    expect(await sendError(signedOnly('wrong'), request())).toMatchObject({
      errorClass: ErrorClass.Configuration,
      code: '14',
    });
  });

  it('refuses bad credentials with status 4 (HTTP 200), classified as configuration', async () => {
    ctx = await setup();
    const wrong = new VonageSmsProvider({
      apiKey: VONAGE.apiKey,
      apiSecret: 'nope',
      signatureMethod: 'md5hash',
      baseUrl: `${ctx.base}/sim/vonage`,
      requestTimeoutMs: 2_000,
    });

    expect(await sendError(wrong, request())).toMatchObject({ errorClass: ErrorClass.Configuration, code: '4' });
    expect((await ctx.mocks.simLog('vonage')).rejected).toEqual([
      expect.objectContaining({ httpStatus: 200, code: '4' }),
    ]);
  });

  it('accepts the SDK JSON form of the request too', async () => {
    ctx = await setup();
    const response = await fetch(`${ctx.base}/sim/vonage/sms/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        api_key: VONAGE.apiKey,
        api_secret: VONAGE.apiSecret,
        from: 'Acme',
        to: '447700900123',
        text: 'hi',
      }),
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      'message-count': '1',
      messages: [{ status: '0', to: '447700900123' }],
    });
  });

  it('posts a signed MO on demand that the adapter verifies and parses', async () => {
    ctx = await setup();

    const response = await fetch(`${ctx.base}/sim/vonage/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        from: '+447700900123',
        to: '+447700900999',
        body: 'STOP now',
        url: `${ctx.base}/webhooks/vonage/inbound`,
      }),
    });

    expect(response.status).toBe(200);
    await waitFor(() => ctx.received.vonage.length === 1);
    const mo = ctx.received.vonage[0] as RawWebhook;
    expect(ctx.vonage.verifyWebhook(mo)).toBe(true);
    expect(ctx.vonage.parseInbound(mo)).toMatchObject({ from: '+447700900123', to: '+447700900999', body: 'STOP now' });
    expect(JSON.parse(mo.body)).toMatchObject({ keyword: 'STOP' });
    expect(ctx.vonage.verifyWebhook({ ...mo, body: mo.body.replace('STOP now', 'START') })).toBe(false);
  });

  describe('knobs', () => {
    beforeEach(async () => {
      ctx = await setup();
    });

    it.each([
      ['transient', ErrorClass.Transient, ['1', '5']],
      ['permanent', ErrorClass.Permanent, ['6', '15']],
      ['optedOut', ErrorClass.OptedOut, ['7', '33']],
      ['configuration', ErrorClass.Configuration, ['8', '9', '29']],
    ])('%s error rate → a %s status Vonage really uses', async (knob, errorClass, codes) => {
      await ctx.mocks.knobs('vonage', { errorRate: { [knob]: 1 } });

      const error = await sendError(ctx.vonage, request());

      expect(error).toMatchObject({ errorClass, ambiguous: false });
      expect(codes).toContain(error.code);
    });

    it('throttle → status 1, transient; nothing created for the throttled submit', async () => {
      await ctx.mocks.knobs('vonage', { throttleRatePerSecond: 1 });
      const second = request();

      await ctx.vonage.send(request());

      expect(await sendError(ctx.vonage, second)).toMatchObject({ errorClass: ErrorClass.Transient, code: '1' });
      expect((await ctx.mocks.simLog('vonage')).submitsByClientRef[second.messageId]).toEqual({
        submits: 1,
        accepted: 0,
      });
    });

    it('latency delays the answer', async () => {
      await ctx.mocks.knobs('vonage', { latencyMs: 150 });
      const started = Date.now();

      await ctx.vonage.send(request());

      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    });

    it('timeout after accept → ambiguous TIMEOUT while the DLRs still come, matching by client-ref', async () => {
      await ctx.app.close();
      ctx = await setup({ requestTimeoutMs: 300 });
      await ctx.mocks.knobs('vonage', { timeoutAfterAcceptRate: 1, dlrDelayMs: 10 });
      const req = request();

      const error = await sendError(ctx.vonage, { ...req, statusCallbackUrl: `${ctx.base}/webhooks/vonage/status` });

      expect(error).toMatchObject({ errorClass: ErrorClass.Transient, code: 'TIMEOUT', ambiguous: true });
      await waitFor(() => ctx.received.vonage.length === 2);
      expect(JSON.parse(ctx.received.vonage[1]?.body ?? '{}')).toMatchObject({ 'client-ref': req.messageId });
    });

    it('out-of-order and duplicate rates → final, accepted, final again', async () => {
      await ctx.mocks.knobs('vonage', { dlrDelayMs: 10, outOfOrderDlrRate: 1, duplicateDlrRate: 1 });

      await ctx.vonage.send({ ...request(), statusCallbackUrl: `${ctx.base}/webhooks/vonage/status` });

      await waitFor(() => ctx.received.vonage.length === 3);
      const words = ctx.received.vonage.flatMap((w) => ctx.vonage.parseDeliveryReports(w)).map((r) => r.providerStatus);
      expect(words).toEqual(['delivered', 'accepted', 'delivered']);
    });

    it('undelivered and failed outcomes carry classified err-codes; rejected comes without accepted', async () => {
      await ctx.mocks.knobs('vonage', { dlrDelayMs: 10, dlrOutcomes: { delivered: 0, undelivered: 1 } });
      await ctx.vonage.send({ ...request(), statusCallbackUrl: `${ctx.base}/webhooks/vonage/status` });
      await waitFor(() => ctx.received.vonage.length === 2);
      await ctx.mocks.knobs('vonage', { dlrOutcomes: { undelivered: 0, failed: 1 } });
      await ctx.vonage.send({ ...request(), statusCallbackUrl: `${ctx.base}/webhooks/vonage/status` });
      await waitFor(() => ctx.received.vonage.length === 3);

      const reports = ctx.received.vonage.flatMap((w) => ctx.vonage.parseDeliveryReports(w));
      expect(reports.map((r) => r.status)).toEqual([
        DeliveryStatus.Sent,
        DeliveryStatus.Undelivered,
        DeliveryStatus.Failed,
      ]);
      expect(reports[1]).toMatchObject({ errorCode: expect.stringMatching(/^[1-8]$/), errorClass: expect.any(String) });
      expect(['11', '99']).toContain(reports[2]?.errorCode);
    });
  });
});

describe('simulatorPlugin (Sinch)', () => {
  let ctx: Awaited<ReturnType<typeof setup>>;

  /** The sim has no account-default callback URL, so a batch asking for reports must name one (403 otherwise). */
  const withCallback = () => request({ statusCallbackUrl: `${ctx.base}/webhooks/sinch/status` });

  beforeEach(async () => {
    ctx = await setup();
  });

  afterEach(async () => {
    await ctx.app.close();
  });

  it('accepts a batch, then posts HMAC-signed Dispatched and Delivered reports the adapter verifies and parses', async () => {
    await ctx.mocks.knobs('sinch', { dlrDelayMs: 10 });
    const req = request();

    const result = await ctx.sinch.send({ ...req, statusCallbackUrl: `${ctx.base}/webhooks/sinch/status` });

    expect(result).toEqual({ providerMessageId: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/), status: 'queued' });
    await waitFor(() => ctx.received.sinch.length === 2);
    expect(ctx.received.sinch.every((webhook) => ctx.sinch.verifyWebhook(webhook))).toBe(true);
    const reports = ctx.received.sinch.flatMap((webhook) => ctx.sinch.parseDeliveryReports(webhook));
    expect(reports.map((r) => [r.providerMessageId, r.status])).toEqual([
      [result.providerMessageId, DeliveryStatus.Sent],
      [result.providerMessageId, DeliveryStatus.Delivered],
    ]);
    expect(JSON.parse(ctx.received.sinch[1]?.body ?? '{}')).toMatchObject({
      type: 'recipient_delivery_report_sms',
      recipient: '447700900123',
      client_reference: req.messageId,
    });
    const tampered = ctx.received.sinch[1] as RawWebhook;
    expect(ctx.sinch.verifyWebhook({ ...tampered, body: tampered.body.replace('Delivered', 'Failed') })).toBe(false);
    expect((await ctx.mocks.simLog<SinchSimMessage>('sinch')).submitsByClientRef[req.messageId]).toEqual({
      submits: 1,
      accepted: 1,
    });
  });

  it('refuses a wrong token with 401, a wrong content type with 415, and a bad batch with 400', async () => {
    const wrong = new SinchSmsProvider({
      servicePlanId: SINCH.servicePlanId,
      apiToken: 'nope',
      baseUrl: `${ctx.base}/sim/sinch`,
      requestTimeoutMs: 2_000,
    });
    const url = `${ctx.base}/sim/sinch/xms/v1/${SINCH.servicePlanId}/batches`;
    const headers = { authorization: `Bearer ${SINCH.apiToken}` };

    expect(await sendError(wrong, withCallback())).toMatchObject({
      errorClass: ErrorClass.Configuration,
      code: 'unauthorized',
    });
    expect(await sendError(ctx.sinch, request())).toMatchObject({
      errorClass: ErrorClass.Permanent,
      code: 'missing_callback_url',
    });
    const form = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'to=1',
    });
    const bad = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ to: [], from: '1', body: 'x' }),
    });
    expect(form.status).toBe(415);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ code: 'syntax_constraint_violation', text: expect.any(String) });
  });

  it('posts a signed mo_text on demand that the adapter verifies and parses', async () => {
    const response = await fetch(`${ctx.base}/sim/sinch/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        from: '+447700900123',
        to: '+447700900999',
        body: 'STOP',
        url: `${ctx.base}/webhooks/sinch/inbound`,
      }),
    });

    expect(response.status).toBe(200);
    await waitFor(() => ctx.received.sinch.length === 1);
    const mo = ctx.received.sinch[0] as RawWebhook;
    expect(ctx.sinch.verifyWebhook(mo)).toBe(true);
    expect(ctx.sinch.parseInbound(mo)).toMatchObject({ from: '+447700900123', to: '+447700900999', body: 'STOP' });
  });

  describe('knobs', () => {
    it.each([
      ['transient', ErrorClass.Transient, ['internal_error', 'service_unavailable']],
      ['permanent', ErrorClass.Permanent, ['syntax_constraint_violation', 'unknown_group']],
      ['configuration', ErrorClass.Configuration, ['unauthorized']],
    ])('%s error rate → a %s error Sinch really uses', async (knob, errorClass, codes) => {
      await ctx.mocks.knobs('sinch', { errorRate: { [knob]: 1 } });

      const error = await sendError(ctx.sinch, withCallback());

      expect(error).toMatchObject({ errorClass, ambiguous: false });
      expect(codes).toContain(error.code);
    });

    it('opted-out rate → accepted, then Rejected in the report (Sinch refuses nobody at send time)', async () => {
      await ctx.mocks.knobs('sinch', { errorRate: { optedOut: 1 }, dlrDelayMs: 10 });

      await ctx.sinch.send({ ...request(), statusCallbackUrl: `${ctx.base}/webhooks/sinch/status` });

      await waitFor(() => ctx.received.sinch.length === 1);
      expect(ctx.sinch.parseDeliveryReports(ctx.received.sinch[0] as RawWebhook)).toEqual([
        expect.objectContaining({ status: DeliveryStatus.Failed, providerStatus: 'Rejected', errorCode: '408' }),
      ]);
    });

    it('throttle → 429, transient', async () => {
      await ctx.mocks.knobs('sinch', { throttleRatePerSecond: 1 });

      await ctx.sinch.send(withCallback());

      expect(await sendError(ctx.sinch, withCallback())).toMatchObject({
        errorClass: ErrorClass.Transient,
        code: 'too_many_requests',
      });
    });

    it('timeout after accept → ambiguous TIMEOUT while the reports still come', async () => {
      await ctx.app.close();
      ctx = await setup({ requestTimeoutMs: 300 });
      await ctx.mocks.knobs('sinch', { timeoutAfterAcceptRate: 1, dlrDelayMs: 10 });

      const error = await sendError(ctx.sinch, {
        ...request(),
        statusCallbackUrl: `${ctx.base}/webhooks/sinch/status`,
      });

      expect(error).toMatchObject({ code: 'TIMEOUT', ambiguous: true });
      await waitFor(() => ctx.received.sinch.length === 2);
    });

    it('out-of-order, duplicate and undelivered → final, Dispatched, final again with a classified code', async () => {
      await ctx.mocks.knobs('sinch', {
        dlrDelayMs: 10,
        outOfOrderDlrRate: 1,
        duplicateDlrRate: 1,
        dlrOutcomes: { delivered: 0, undelivered: 1 },
      });

      await ctx.sinch.send({ ...request(), statusCallbackUrl: `${ctx.base}/webhooks/sinch/status` });

      await waitFor(() => ctx.received.sinch.length === 3);
      const reports = ctx.received.sinch.flatMap((w) => ctx.sinch.parseDeliveryReports(w));
      expect(reports.map((r) => r.status)).toEqual([
        DeliveryStatus.Undelivered,
        DeliveryStatus.Sent,
        DeliveryStatus.Undelivered,
      ]);
      expect(['402', '404', '406']).toContain(reports[0]?.errorCode);
    });

    it('knobs are per provider: Vonage faults leave Sinch alone', async () => {
      await ctx.mocks.knobs('vonage', { errorRate: { transient: 1 } });

      await expect(ctx.sinch.send(withCallback())).resolves.toMatchObject({ status: 'queued' });
      expect(await (await fetch(`${ctx.base}/sim/knobs/sinch`)).json()).toMatchObject({ errorRate: { transient: 0 } });
    });
  });

  it('reset clears both logs', async () => {
    await ctx.vonage.send(request());
    await ctx.sinch.send(withCallback());

    await fetch(`${ctx.base}/sim/reset`, { method: 'POST' });

    expect((await ctx.mocks.simLog('vonage')).messages).toEqual([]);
    expect((await ctx.mocks.simLog('sinch')).messages).toEqual([]);
  });
});
