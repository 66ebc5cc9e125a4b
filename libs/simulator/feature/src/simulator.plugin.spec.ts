import type { AddressInfo } from 'node:net';
import { DeliveryStatus, ErrorClass, ProviderError, type RawWebhook, type SendRequest } from '@sms/provider-port';
import { TwilioSmsProvider } from '@sms/provider-twilio';
import Fastify from 'fastify';
import type { SimulatorKnobs } from './simulator.knobs';
import { generateSimulatorAccounts, httpApiAccounts } from './simulator.accounts';
import { simulatorPlugin } from './simulator.plugin';
import type { TwilioSimMessage } from './twilio-sim.store';

const SID = 'ACsimulator00000000000000000000000';
const TOKEN = 'sim-auth-token';

interface Received extends RawWebhook {
  readonly path: string;
}

/** A Fastify app hosting the simulator at /sim plus the gateway-side routes its webhooks land on. */
async function setup(options: { failFirstCallbacks?: number; webhookBase?: string } = {}) {
  const app = Fastify({ logger: false });
  await app.register(simulatorPlugin, {
    ...httpApiAccounts(generateSimulatorAccounts()),
    prefix: '/sim',
    publicBaseUrl: 'http://127.0.0.1',
    // These specs study the provider behaviour; sim-access.spec.ts covers the control check.
    controlAuth: () => 'allowed',
    webhookBaseUrl: () => options.webhookBase ?? base,
    twilio: { accountSid: SID, authToken: TOKEN },
    seed: 7,
    callbackRetryDelayMs: 20,
  });
  const received: Received[] = [];
  let failures = options.failFirstCallbacks ?? 0;
  await app.register((hooks, _options, registered) => {
    // Keep the raw form: signatures are checked over exactly what arrived.
    hooks.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
      done(null, body),
    );
    hooks.post('/webhooks/twilio/*', async (request, reply) => {
      if (failures > 0) {
        failures -= 1;

        return reply.code(500).send();
      }
      received.push({
        path: request.url,
        url: `${base}${request.url}`,
        method: request.method,
        headers: request.headers as Record<string, string>,
        body: request.body as string,
        contentType: String(request.headers['content-type']),
      });

      return reply.code(204).send();
    });
    registered();
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const sut = new TwilioSmsProvider({
    accountSid: SID,
    authToken: TOKEN,
    baseUrl: `${base}/sim/twilio`,
    requestTimeoutMs: 2_000,
  });

  const knobs = async (update: unknown): Promise<Response> =>
    fetch(`${base}/sim/knobs/twilio`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(update),
    });
  const simLog = async () =>
    (await (await fetch(`${base}/sim/twilio/messages`)).json()) as {
      messages: TwilioSimMessage[];
      rejected: { code: number; httpStatus: number }[];
      submitsByToken: Record<string, { submits: number; accepted: number }>;
    };

  return { app, base, sut, received, mocks: { knobs, simLog } };
}

function request(overrides: Partial<SendRequest> = {}): SendRequest {
  return {
    messageId: crypto.randomUUID(),
    to: '+15558675310',
    from: '+15017122661',
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

async function sendError(sut: TwilioSmsProvider, req: SendRequest): Promise<ProviderError> {
  const error: unknown = await sut.send(req).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ProviderError);

  return error as ProviderError;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('simulatorPlugin (Twilio)', () => {
  let ctx: Awaited<ReturnType<typeof setup>>;

  afterEach(async () => {
    await ctx.app.close();
  });

  describe('happy path through the real adapter', () => {
    beforeEach(async () => {
      ctx = await setup();
      await ctx.mocks.knobs({ dlrDelayMs: 20 });
    });

    it('accepts a send, then posts signed `sent` and `delivered` callbacks the adapter verifies and parses', async () => {
      const req = request();
      const statusCallbackUrl = `${ctx.base}/webhooks/twilio/status?m=${req.messageId}`;

      const result = await ctx.sut.send({ ...req, statusCallbackUrl });

      expect(result).toEqual({
        providerMessageId: expect.stringMatching(/^SM[0-9a-f]{32}$/),
        status: DeliveryStatus.Queued,
      });
      await waitFor(() => ctx.received.length === 2);
      for (const webhook of ctx.received) {
        expect(webhook.path).toBe(`/webhooks/twilio/status?m=${req.messageId}`);
        expect(ctx.sut.verifyWebhook(webhook)).toBe(true);
        expect(ctx.sut.verifyWebhook({ ...webhook, body: webhook.body.replace('Status=', 'Status=x') })).toBe(false);
      }
      const reports = ctx.received.flatMap((webhook) => ctx.sut.parseDeliveryReports(webhook));
      expect(reports.map((report) => report.status)).toEqual([DeliveryStatus.Sent, DeliveryStatus.Delivered]);
      expect(reports.every((report) => report.providerMessageId === result.providerMessageId)).toBe(true);
      expect(reports[1]?.occurredAt).toBeInstanceOf(Date);
      expect((await ctx.mocks.simLog()).submitsByToken[req.messageId]).toEqual({ submits: 1, accepted: 1 });
    });

    it('answers with a realistic 201 body: snake_case, string num_segments, null price', async () => {
      const response = await fetch(`${ctx.base}/sim/twilio/2010-04-01/Accounts/${SID}/Messages.json`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ To: '+15558675310', From: '+15017122661', Body: 'x'.repeat(161) }).toString(),
      });

      expect(response.status).toBe(201);
      expect(await response.json()).toMatchObject({
        sid: expect.stringMatching(/^SM[0-9a-f]{32}$/),
        account_sid: SID,
        status: 'queued',
        num_segments: '2',
        num_media: '0',
        direction: 'outbound-api',
        price: null,
        error_code: null,
        date_created: expect.stringMatching(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/),
      });
    });

    it('posts a signed MO webhook on demand that the adapter verifies and parses', async () => {
      const url = `${ctx.base}/webhooks/twilio/inbound`;
      const response = await fetch(`${ctx.base}/sim/twilio/inbound`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from: '+15558675310', to: '+15017122661', body: 'STOP please', url }),
      });

      expect(response.status).toBe(200);
      const { messageSid } = (await response.json()) as { messageSid: string };
      const [webhook] = ctx.received;
      expect(webhook && ctx.sut.verifyWebhook(webhook)).toBe(true);
      expect(webhook && ctx.sut.parseInbound(webhook)).toEqual({
        providerMessageId: messageSid,
        from: '+15558675310',
        to: '+15017122661',
        body: 'STOP please',
      });
      expect(webhook && ctx.sut.parseDeliveryReports(webhook)).toEqual([]);
    });
  });

  describe('request checks', () => {
    beforeEach(async () => {
      ctx = await setup();
    });

    it('refuses bad credentials with 401 / 20003, classified as configuration', async () => {
      const wrong = new TwilioSmsProvider({
        accountSid: SID,
        authToken: 'not-the-token',
        baseUrl: `${ctx.base}/sim/twilio`,
        requestTimeoutMs: 2_000,
      });

      expect(await sendError(wrong, request())).toMatchObject({ errorClass: ErrorClass.Configuration, code: '20003' });
    });

    it.each([
      [{ From: '+15017122661', Body: 'hi' }, 21604],
      [{ To: '+15558675310', From: '+15017122661' }, 21602],
      [{ To: '+15558675310', Body: 'hi' }, 21603],
      [{ To: '5551234567', From: '+15017122661', Body: 'hi' }, 21211],
    ])('answers %p with 400 and Twilio error %p', async (params, code) => {
      const response = await fetch(`${ctx.base}/sim/twilio/2010-04-01/Accounts/${SID}/Messages.json`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams(params).toString(),
      });

      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        code,
        message: expect.any(String),
        more_info: `https://www.twilio.com/docs/errors/${code}`,
        status: 400,
      });
    });
  });

  describe('knobs', () => {
    beforeEach(async () => {
      ctx = await setup();
    });

    it('permanent error rate → a permanent ProviderError with a real Twilio code', async () => {
      await ctx.mocks.knobs({ errorRate: { permanent: 1 } });

      const error = await sendError(ctx.sut, request());

      expect(error).toMatchObject({ errorClass: ErrorClass.Permanent, ambiguous: false });
      expect(['21211', '21612', '21614']).toContain(error.code);
    });

    it('opted-out rate → 21610, classified opted-out', async () => {
      await ctx.mocks.knobs({ errorRate: { optedOut: 1 } });

      expect(await sendError(ctx.sut, request())).toMatchObject({ errorClass: ErrorClass.OptedOut, code: '21610' });
    });

    it('transient and configuration rates map onto 5xx and config codes', async () => {
      await ctx.mocks.knobs({ errorRate: { transient: 1 } });
      const transient = await sendError(ctx.sut, request());
      await ctx.mocks.knobs({ errorRate: { transient: 0, configuration: 1 } });
      const configuration = await sendError(ctx.sut, request());

      expect(transient).toMatchObject({ errorClass: ErrorClass.Transient, ambiguous: false });
      expect(['20500', '20503']).toContain(transient.code);
      expect(configuration.errorClass).toBe(ErrorClass.Configuration);
    });

    it('throttle → 429 with 20429, transient; nothing is created for the throttled submit', async () => {
      await ctx.mocks.knobs({ throttleRatePerSecond: 1 });
      const second = request();

      await ctx.sut.send(request());
      const error = await sendError(ctx.sut, second);

      expect(error).toMatchObject({ errorClass: ErrorClass.Transient, code: '20429', ambiguous: false });
      const log = await ctx.mocks.simLog();
      expect(log.submitsByToken[second.messageId]).toEqual({ submits: 1, accepted: 0 });
      expect(log.rejected).toEqual([expect.objectContaining({ httpStatus: 429, code: 20429 })]);
    });

    it('timeout after accept → ambiguous TIMEOUT, while the sim did create the message and still reports it', async () => {
      await ctx.mocks.knobs({ timeoutAfterAcceptRate: 1, dlrDelayMs: 10 });
      const impatient = new TwilioSmsProvider({
        accountSid: SID,
        authToken: TOKEN,
        baseUrl: `${ctx.base}/sim/twilio`,
        requestTimeoutMs: 300,
      });
      const req = request();

      const error = await sendError(impatient, { ...req, statusCallbackUrl: `${ctx.base}/webhooks/twilio/status` });

      expect(error).toMatchObject({ errorClass: ErrorClass.Transient, code: 'TIMEOUT', ambiguous: true });
      const log = await ctx.mocks.simLog();
      expect(log.submitsByToken[req.messageId]).toEqual({ submits: 1, accepted: 1 });
      expect(log.messages[0]).toMatchObject({ responseWithheld: true, idempotencyToken: req.messageId });
      await waitFor(() => ctx.received.length === 2);
      expect(ctx.sut.parseDeliveryReports(ctx.received[1] as RawWebhook)[0]?.providerMessageId).toBe(
        log.messages[0]?.sid,
      );
    });

    it('out-of-order and duplicate rates → final, then sent, then the final again', async () => {
      await ctx.mocks.knobs({ dlrDelayMs: 10, outOfOrderDlrRate: 1, duplicateDlrRate: 1 });

      await ctx.sut.send({ ...request(), statusCallbackUrl: `${ctx.base}/webhooks/twilio/status` });

      await waitFor(() => ctx.received.length === 3);
      const words = ctx.received
        .flatMap((webhook) => ctx.sut.parseDeliveryReports(webhook))
        .map((r) => r.providerStatus);
      expect(words).toEqual(['delivered', 'sent', 'delivered']);
      expect(ctx.received.every((webhook) => ctx.sut.verifyWebhook(webhook))).toBe(true);
    });

    it('undelivered outcome carries a classified ErrorCode; failed is reported without a prior `sent`', async () => {
      await ctx.mocks.knobs({ dlrDelayMs: 10, dlrOutcomes: { delivered: 0, undelivered: 1 } });
      await ctx.sut.send({ ...request(), statusCallbackUrl: `${ctx.base}/webhooks/twilio/status` });
      await waitFor(() => ctx.received.length === 2);
      await ctx.mocks.knobs({ dlrOutcomes: { undelivered: 0, failed: 1 } });
      await ctx.sut.send({ ...request(), statusCallbackUrl: `${ctx.base}/webhooks/twilio/status` });
      await waitFor(() => ctx.received.length === 3);

      const reports = ctx.received.flatMap((webhook) => ctx.sut.parseDeliveryReports(webhook));
      expect(reports.map((report) => report.status)).toEqual([
        DeliveryStatus.Sent,
        DeliveryStatus.Undelivered,
        DeliveryStatus.Failed,
      ]);
      expect(reports[1]).toMatchObject({
        errorCode: expect.stringMatching(/^3000[3567]$/),
        errorClass: expect.any(String),
      });
      expect(['30001', '30036']).toContain(reports[2]?.errorCode);
    });

    it('are readable, merge partial updates and reject bad values with 400', async () => {
      const ok = await ctx.mocks.knobs({ latencyMs: 5, errorRate: { transient: 0.25 } });
      const merged = (await ok.json()) as SimulatorKnobs;
      const bad = await ctx.mocks.knobs({
        latencyMs: -1,
        errorRate: { transient: 0.8, permanent: 0.5 },
        dlrOutcomes: { delivered: 0 },
        throttleRatePerSecond: 'fast',
        typo: true,
      });
      const unknown = await fetch(`${ctx.base}/sim/knobs/pigeon`);

      expect(merged).toMatchObject({ latencyMs: 5, errorRate: { transient: 0.25, permanent: 0 }, dlrDelayMs: 200 });
      expect(await (await fetch(`${ctx.base}/sim/knobs/twilio`)).json()).toEqual(merged);
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { problems: string[] }).problems).toHaveLength(5);
      expect(unknown.status).toBe(404);
    });
  });

  describe('callbacks, reset and close', () => {
    it.each([
      [1, [500, 204]],
      [3, [500, 500, 500, 204]],
      [9, [500, 500, 500, 500, 500, 500]],
    ])(
      'retries a callback after a 5xx with backoff, five times at most (%p failures → %p)',
      async (failures, statuses) => {
        ctx = await setup({ failFirstCallbacks: failures });
        await ctx.mocks.knobs({ dlrDelayMs: 10, dlrOutcomes: { delivered: 0, failed: 1 } });

        await ctx.sut.send({ ...request(), statusCallbackUrl: `${ctx.base}/webhooks/twilio/status` });

        await waitFor(async () => (await ctx.mocks.simLog()).messages[0]?.callbacks.length === statuses.length);
        await sleep(100);
        expect((await ctx.mocks.simLog()).messages[0]?.callbacks.map((attempt) => attempt.httpStatus)).toEqual(
          statuses,
        );
        expect(ctx.received).toHaveLength(statuses.filter((status) => status < 300).length);
      },
    );

    it('retries a refused connection like a 5xx (a receiver restarting)', async () => {
      const closed = Fastify({ logger: false });
      await closed.listen({ port: 0, host: '127.0.0.1' });
      const port = (closed.server.address() as AddressInfo).port;
      await closed.close(); // nothing listens there now
      // The gateway's webhooks are at the dead port: the target policy lets the posts through to fail.
      ctx = await setup({ webhookBase: `http://127.0.0.1:${port}` });
      await ctx.mocks.knobs({ dlrDelayMs: 10, dlrOutcomes: { delivered: 0, failed: 1 } });

      await ctx.sut.send({ ...request(), statusCallbackUrl: `http://127.0.0.1:${port}/webhooks/twilio/status` });

      await waitFor(async () => (await ctx.mocks.simLog()).messages[0]?.callbacks.length === 6);
      await sleep(100);
      const attempts = (await ctx.mocks.simLog()).messages[0]?.callbacks ?? [];
      expect(attempts).toHaveLength(6);
      expect(attempts.every((a) => a.error !== undefined && a.httpStatus === undefined)).toBe(true);
    });

    it('never retries a 4xx', async () => {
      ctx = await setup();
      await ctx.mocks.knobs({ dlrDelayMs: 10, dlrOutcomes: { delivered: 0, failed: 1 } });

      await ctx.sut.send({ ...request(), statusCallbackUrl: `${ctx.base}/webhooks/nowhere/status` });

      await waitFor(async () => (await ctx.mocks.simLog()).messages[0]?.callbacks.length === 1);
      await sleep(300);
      expect((await ctx.mocks.simLog()).messages[0]?.callbacks.map((a) => a.httpStatus)).toEqual([404]);
    });

    it('reset cancels pending callbacks and clears the log and knobs', async () => {
      ctx = await setup();
      await ctx.mocks.knobs({ dlrDelayMs: 300, latencyMs: 1 });
      await ctx.sut.send({ ...request(), statusCallbackUrl: `${ctx.base}/webhooks/twilio/status` });

      const reset = await fetch(`${ctx.base}/sim/reset`, { method: 'POST' });
      await sleep(500);

      expect(reset.status).toBe(204);
      expect(ctx.received).toEqual([]);
      expect((await ctx.mocks.simLog()).messages).toEqual([]);
      expect(await (await fetch(`${ctx.base}/sim/knobs/twilio`)).json()).toMatchObject({ latencyMs: 0 });
    });

    it('closes promptly while a response is withheld and callbacks are pending', async () => {
      ctx = await setup();
      await ctx.mocks.knobs({ timeoutAfterAcceptRate: 1, dlrDelayMs: 60_000 });
      const pending = fetch(`${ctx.base}/sim/twilio/2010-04-01/Accounts/${SID}/Messages.json`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({
          To: '+15558675310',
          From: '+15017122661',
          Body: 'hi',
          StatusCallback: `${ctx.base}/webhooks/twilio/status`,
        }).toString(),
      });
      await waitFor(async () => (await ctx.mocks.simLog()).messages.length === 1);

      const started = Date.now();
      await ctx.app.close();

      expect(Date.now() - started).toBeLessThan(1_000);
      expect((await pending).status).toBe(201);
    });
  });

  it('connection refused before anything is sent → transient, not ambiguous', async () => {
    ctx = await setup();
    const port = (ctx.app.server.address() as AddressInfo).port;
    await ctx.app.close();
    const closed = new TwilioSmsProvider({
      accountSid: SID,
      authToken: TOKEN,
      baseUrl: `http://127.0.0.1:${port}/sim/twilio`,
      requestTimeoutMs: 2_000,
    });

    expect(await sendError(closed, request())).toMatchObject({
      errorClass: ErrorClass.Transient,
      code: 'CONNECTION_REFUSED',
      ambiguous: false,
    });
  });
});
