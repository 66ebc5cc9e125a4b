import { type AwsConfig, AwsSmsProvider, parseAwsConfig } from '@sms/provider-aws';
import { DeliveryStatus, ErrorClass, ProviderError, type RawWebhook, type SendRequest } from '@sms/provider-port';
import { SignatureV4 } from '@smithy/signature-v4';
import Fastify from 'fastify';
import { NodeSha256 } from './aws-sim.sigv4';
import type { AwsSimMessage, AwsSimRejection } from './aws-sim.store';
import { generateSimulatorAccounts, httpApiAccounts } from './simulator.accounts';
import { simulatorPlugin } from './simulator.plugin';

/**
 * Fixed ports (not 0) because the SNS SigningCertURL is built from the public URL before the server listens;
 * a fresh one per test (5210..5249, this helper's range) so no kept-alive client socket meets a closed server.
 */
let PORT = 5209;
let BASE = '';
const KEYS = { accessKeyId: 'AKIASIMTEST000000000', secretAccessKey: 'sim-test-secret', region: 'eu-west-1' };

interface Received extends RawWebhook {
  readonly path: string;
}

async function setup(aws: Record<string, unknown> = {}) {
  PORT += 1;
  BASE = `http://127.0.0.1:${PORT}`;
  const app = Fastify({ logger: false });
  const received: Received[] = [];
  await app.register(simulatorPlugin, {
    ...httpApiAccounts(generateSimulatorAccounts()),
    prefix: '/sim',
    publicBaseUrl: BASE,
    // These specs study the provider behaviour; sim-access.spec.ts covers the control check.
    controlAuth: () => 'allowed',
    webhookBaseUrl: BASE,
    aws: {
      ...KEYS,
      eventsUrl: `${BASE}/webhooks/aws/status`,
      inboundUrl: `${BASE}/webhooks/aws/inbound`,
      ...aws,
    },
    seed: 11,
    callbackRetryDelayMs: 20,
  });
  await app.register((hooks, _options, registered) => {
    // SNS posts JSON as text/plain; Fastify's built-in text parser keeps it as the raw string.
    hooks.post('/webhooks/aws/*', async (request, reply) => {
      received.push({
        path: request.url,
        url: `${BASE}${request.url}`,
        method: request.method,
        headers: request.headers as Record<string, string>,
        body: request.body as string,
        contentType: String(request.headers['content-type']),
      });

      return reply.code(200).send();
    });
    registered();
  });
  await app.listen({ port: PORT, host: '127.0.0.1' });
  // `edit` changes the parsed settings: an empty AWS_CONFIGURATION_SET means the default set, so a send
  // without one is made by leaving the field out of the parsed config.
  const adapter = (env: Record<string, string> = {}, edit: (config: AwsConfig) => AwsConfig = (config) => config) =>
    new AwsSmsProvider(
      edit(
        parseAwsConfig({
          AWS_REGION: KEYS.region,
          AWS_ACCESS_KEY_ID: KEYS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey,
          AWS_SMS_ENDPOINT: `${BASE}/sim/aws`,
          AWS_CONFIGURATION_SET: 'gw-events',
          AWS_SNS_CERT_URL_ALLOW: `^http://127\\.0\\.0\\.1:${PORT}/sim/aws/`,
          AWS_REQUEST_TIMEOUT_MS: '1500',
          ...env,
        }),
      ),
    );
  const knobs = (update: unknown) =>
    fetch(`${BASE}/sim/knobs/aws`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(update),
    });
  const simLog = async () =>
    (await (await fetch(`${BASE}/sim/aws/messages`)).json()) as {
      messages: AwsSimMessage[];
      rejected: AwsSimRejection[];
      submitsByReference: Record<string, { submits: number; accepted: number }>;
    };

  return { app, received, adapter, mocks: { knobs, simLog } };
}

function request(overrides: Partial<SendRequest> = {}): SendRequest {
  return {
    messageId: crypto.randomUUID(),
    to: '+14255550156',
    from: '+12065550152',
    body: 'Hello from the AWS simulator',
    encoding: 'GSM-7',
    segments: 1,
    ...overrides,
  };
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 4_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error('condition not met in time');
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function sendError(sut: AwsSmsProvider, req: SendRequest): Promise<ProviderError> {
  const error: unknown = await sut.send(req).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ProviderError);

  return error as ProviderError;
}

async function verified(sut: AwsSmsProvider, webhook: RawWebhook): Promise<boolean> {
  await sut.prepareWebhook(webhook);

  return sut.verifyWebhook(webhook);
}

describe('simulatorPlugin (AWS)', () => {
  let ctx: Awaited<ReturnType<typeof setup>>;
  afterEach(async () => {
    await ctx.app.close();
  });

  describe('End User Messaging SMS v2 through the real adapter', () => {
    beforeEach(async () => {
      ctx = await setup();
      await ctx.mocks.knobs({ dlrDelayMs: 20 });
    });

    it('accepts a SigV4-signed SendTextMessage and posts signed SNS events the adapter verifies and parses', async () => {
      const sut = ctx.adapter();
      const req = request();

      const result = await sut.send(req);

      expect(result).toEqual({
        providerMessageId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/),
        status: DeliveryStatus.Queued,
      });
      const log = await ctx.mocks.simLog();
      expect(log.messages).toEqual([
        expect.objectContaining({
          messageId: result.providerMessageId,
          api: 'eum',
          to: req.to,
          originationIdentity: req.from,
          configurationSet: 'gw-events',
          context: { gwMessageId: req.messageId },
        }),
      ]);
      expect(log.submitsByReference[req.messageId]).toEqual({ submits: 1, accepted: 1 });
      await waitFor(() => ctx.received.length === 2);
      for (const webhook of ctx.received) {
        expect(webhook.path).toBe('/webhooks/aws/status');
        expect(webhook.contentType).toBe('text/plain; charset=UTF-8');
        expect(webhook.headers['x-amz-sns-message-type']).toBe('Notification');
        expect(await verified(sut, webhook)).toBe(true);
        expect(sut.verifyWebhook({ ...webhook, body: webhook.body.replace('TEXT_', 'TEXT_X') })).toBe(false);
      }
      const reports = ctx.received.flatMap((webhook) => sut.parseDeliveryReports(webhook));
      expect(reports.map((report) => report.status)).toEqual([DeliveryStatus.Sent, DeliveryStatus.Delivered]);
      expect(reports.every((report) => report.providerMessageId === result.providerMessageId)).toBe(true);
      const envelope = JSON.parse(ctx.received[1]!.body) as { Message: string; SigningCertURL: string };
      expect(JSON.parse(envelope.Message)).toMatchObject({ context: { gwMessageId: req.messageId }, isFinal: true });
      expect(envelope.SigningCertURL).toBe(`${BASE}/sim/aws/sns-cert.pem`);
    });

    it('serves the signing certificate as PEM', async () => {
      const response = await fetch(`${BASE}/sim/aws/sns-cert.pem`);

      expect(response.status).toBe(200);
      expect(await response.text()).toMatch(/^-----BEGIN CERTIFICATE-----/);
    });

    it('refuses a wrong secret key (InvalidSignatureException) and an unknown key id, as configuration errors', async () => {
      const wrongSecret = await sendError(ctx.adapter({ AWS_SECRET_ACCESS_KEY: 'not-the-secret' }), request());
      const wrongKey = await sendError(ctx.adapter({ AWS_ACCESS_KEY_ID: 'AKIAUNKNOWN000000000' }), request());
      const wrongRegion = await sendError(ctx.adapter({ AWS_REGION: 'us-west-2' }), request());

      expect(wrongSecret).toMatchObject({ errorClass: ErrorClass.Configuration, code: 'InvalidSignatureException' });
      expect(wrongKey).toMatchObject({ errorClass: ErrorClass.Configuration, code: 'UnrecognizedClientException' });
      expect(wrongRegion).toMatchObject({ errorClass: ErrorClass.Configuration, code: 'InvalidSignatureException' });
      expect((await ctx.mocks.simLog()).messages).toEqual([]);
    });

    it('refuses a body changed after signing, and a request without the JSON 1.0 target', async () => {
      const signer = new SignatureV4({
        credentials: KEYS,
        region: KEYS.region,
        service: 'sms-voice',
        sha256: NodeSha256,
      });
      const body = JSON.stringify({ DestinationPhoneNumber: '+14255550156', MessageBody: 'original' });
      const signed = await signer.sign({
        method: 'POST',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: PORT,
        path: '/sim/aws/',
        headers: {
          host: `127.0.0.1:${PORT}`,
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'PinpointSMSVoiceV2.SendTextMessage',
        },
        body,
      });
      const post = (payload: string, headers = signed.headers) =>
        fetch(`${BASE}/sim/aws/`, { method: 'POST', headers, body: payload });

      const good = await post(body);
      const tampered = await post(body.replace('original', 'tampered'));
      const noTarget = await post(body, { ...signed.headers, 'x-amz-target': 'PinpointSMSVoiceV2.DeletePool' });

      expect(good.status).toBe(200);
      expect(tampered.status).toBe(403);
      expect(await tampered.json()).toMatchObject({ __type: 'InvalidSignatureException' });
      expect(tampered.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
      // The target is a signed header, so changing it breaks the signature before the operation is looked at.
      expect(noTarget.status).toBe(403);
    });

    it.each([
      ['optedOut', ErrorClass.OptedOut, 'ConflictException:DESTINATION_PHONE_NUMBER_OPTED_OUT'],
      ['permanent', ErrorClass.Permanent, 'ValidationException:INVALID_PARAMETER'],
    ])('errorRate.%s = 1 → %s (%s)', async (knob, errorClass, code) => {
      await ctx.mocks.knobs({ errorRate: { [knob]: 1 } });

      expect(await sendError(ctx.adapter(), request())).toMatchObject({ errorClass, code, ambiguous: false });
      expect((await ctx.mocks.simLog()).rejected).toHaveLength(1);
    });

    it.each([
      ['transient', ErrorClass.Transient, /^(ThrottlingException|InternalServerException)$/],
      [
        'configuration',
        ErrorClass.Configuration,
        /^(AccessDeniedException:ACCOUNT_DISABLED|ServiceQuotaExceededException:MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT|ValidationException:DESTINATION_COUNTRY_BLOCKED)$/,
      ],
    ])('errorRate.%s = 1 → %s', async (knob, errorClass, code) => {
      await ctx.mocks.knobs({ errorRate: { [knob]: 1 } });

      const error = await sendError(ctx.adapter(), request());
      expect(error.errorClass).toBe(errorClass);
      expect(error.code).toMatch(code);
    });

    it('throttles past the configured rate with ThrottlingException (transient)', async () => {
      await ctx.mocks.knobs({ throttleRatePerSecond: 1 });
      const sut = ctx.adapter();

      await sut.send(request());
      expect(await sendError(sut, request())).toMatchObject({
        errorClass: ErrorClass.Transient,
        code: 'ThrottlingException',
      });
    });

    it('withholds the answer past the client timeout: ambiguous TIMEOUT, yet the message exists and is reported', async () => {
      await ctx.mocks.knobs({ timeoutAfterAcceptRate: 1 });
      const req = request();

      const error = await sendError(ctx.adapter({ AWS_REQUEST_TIMEOUT_MS: '200' }), req);

      expect(error).toMatchObject({ errorClass: ErrorClass.Transient, code: 'TIMEOUT', ambiguous: true });
      await waitFor(() => ctx.received.length === 2);
      const [message] = (await ctx.mocks.simLog()).messages;
      expect(message).toMatchObject({ responseWithheld: true, context: { gwMessageId: req.messageId } });
    });

    it('adds latency before answering', async () => {
      await ctx.mocks.knobs({ latencyMs: 150 });
      const started = Date.now();

      await ctx.adapter().send(request());

      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    });

    it('dlrOutcomes and duplicates/out-of-order: one undelivered outcome posted twice, final before sent', async () => {
      await ctx.mocks.knobs({
        dlrOutcomes: { delivered: 0, undelivered: 1, failed: 0 },
        duplicateDlrRate: 1,
        outOfOrderDlrRate: 1,
      });
      const sut = ctx.adapter();

      await sut.send(request());

      await waitFor(() => ctx.received.length === 3);
      const statuses = ctx.received.flatMap((webhook) => sut.parseDeliveryReports(webhook)).map((r) => r.status);
      expect(statuses).toEqual([DeliveryStatus.Undelivered, DeliveryStatus.Sent, DeliveryStatus.Undelivered]);
    });

    it('failed outcomes are reported without TEXT_SENT', async () => {
      await ctx.mocks.knobs({ dlrOutcomes: { delivered: 0, undelivered: 0, failed: 1 } });
      const sut = ctx.adapter();

      await sut.send(request());

      await waitFor(() => ctx.received.length === 1);
      await new Promise((resolve) => setTimeout(resolve, 60));
      expect(ctx.received.flatMap((webhook) => sut.parseDeliveryReports(webhook))).toEqual([
        expect.objectContaining({ status: DeliveryStatus.Failed }),
      ]);
    });

    it('emits no events for a send without a configuration set', async () => {
      const req = request();
      const withoutSet = ctx.adapter({}, ({ configurationSet: _none, ...config }) => config);
      const { providerMessageId } = await withoutSet.send(req);

      const logged = (await ctx.mocks.simLog()).messages.find((m) => m.messageId === providerMessageId);
      expect(logged?.configurationSet).toBeNull();
      // Ten times the events' 20 ms delay: a send with a set would have posted both by then.
      await new Promise((resolve) => setTimeout(resolve, 200));
      // Only this send's events count: on a busy machine an earlier case's events (posted to the same
      // receiver port after their delay) can still arrive during this one.
      expect(ctx.received.filter((webhook) => webhook.body.includes(req.messageId))).toEqual([]);
    });

    it('posts a signed two-way MO the adapter parses', async () => {
      const sut = ctx.adapter();

      const response = await fetch(`${BASE}/sim/aws/inbound`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from: '+14255550182', to: '+12125550101', body: 'STOP please' }),
      });

      expect(response.status).toBe(200);
      const [webhook] = ctx.received;
      expect(webhook?.path).toBe('/webhooks/aws/inbound');
      expect(await verified(sut, webhook!)).toBe(true);
      expect(sut.parseInbound(webhook!)).toEqual({
        providerMessageId: ((await response.json()) as { inboundMessageId: string }).inboundMessageId,
        from: '+14255550182',
        to: '+12125550101',
        body: 'STOP please',
        receivedAt: expect.any(Date),
      });
    });

    it('refuses an inbound request without sender, recipient and body', async () => {
      const response = await fetch(`${BASE}/sim/aws/inbound`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from: '+14255550182' }),
      });

      expect(response.status).toBe(400);
    });

    it('subscribes a new endpoint with a SubscriptionConfirmation the adapter confirms by GET SubscribeURL', async () => {
      const sut = ctx.adapter();
      await fetch(`${BASE}/sim/aws/subscriptions`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ events: `${BASE}/webhooks/aws/status?fresh=1` }),
      });
      const [confirmation] = ctx.received;
      expect(confirmation?.headers['x-amz-sns-message-type']).toBe('SubscriptionConfirmation');
      const subscriptions = async () =>
        ((await (await fetch(`${BASE}/sim/aws/subscriptions`)).json()) as { events: { confirmed: boolean } }).events;
      expect(await subscriptions()).toMatchObject({ confirmed: false });

      await sut.send(request());
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(ctx.received).toHaveLength(1); // unconfirmed: SNS delivers nothing

      await sut.prepareWebhook(confirmation!);
      expect(await sut.acknowledgeWebhook(confirmation!)).toBe(true);
      expect(await subscriptions()).toMatchObject({ confirmed: true });
      expect(sut.parseDeliveryReports(confirmation!)).toEqual([]);
    });
  });

  describe('SNS Publish mode and SignatureVersion 1', () => {
    beforeEach(async () => {
      ctx = await setup({ signatureVersion: '1' });
      await ctx.mocks.knobs({ dlrDelayMs: 20 });
    });

    it('publishes to a phone number through the query API and returns the MessageId', async () => {
      const sut = ctx.adapter({ AWS_SMS_MODE: 'sns' });

      const result = await sut.send(request({ from: '+18005550100' }));

      const [message] = (await ctx.mocks.simLog()).messages;
      expect(message).toMatchObject({
        messageId: result.providerMessageId,
        api: 'sns',
        to: '+14255550156',
        originationIdentity: '+18005550100',
      });
    });

    it('classifies Publish errors: InvalidParameter permanent, AuthorizationError configuration, bad key', async () => {
      const sut = ctx.adapter({ AWS_SMS_MODE: 'sns' });
      await ctx.mocks.knobs({ errorRate: { permanent: 1 } });
      expect(await sendError(sut, request())).toMatchObject({ errorClass: ErrorClass.Permanent });
      await ctx.mocks.knobs({ errorRate: { permanent: 0, configuration: 1 } });
      expect(await sendError(sut, request())).toMatchObject({ errorClass: ErrorClass.Configuration });
      await ctx.mocks.knobs({ errorRate: { configuration: 0 } });
      expect(
        await sendError(ctx.adapter({ AWS_SMS_MODE: 'sns', AWS_SECRET_ACCESS_KEY: 'wrong' }), request()),
      ).toMatchObject({ errorClass: ErrorClass.Configuration });
    });

    it('signs SNS deliveries with SHA1 when configured for SignatureVersion 1', async () => {
      const sut = ctx.adapter();

      await sut.send(request());

      await waitFor(() => ctx.received.length === 2);
      const envelope = JSON.parse(ctx.received[0]!.body) as { SignatureVersion: string };
      expect(envelope.SignatureVersion).toBe('1');
      expect(await verified(sut, ctx.received[0]!)).toBe(true);
    });
  });
});
