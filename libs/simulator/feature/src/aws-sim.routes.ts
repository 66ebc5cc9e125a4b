import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger, FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import {
  type AwsApiError,
  EUM_TARGET,
  EUM_THROTTLE,
  eumErrorBody,
  injectedEumError,
  injectedSnsError,
  SNS_THROTTLE,
  snsErrorXml,
  snsPublishXml,
  validatePublish,
  validateSendText,
} from './aws-sim.responses';
import { checkSigV4, type AwsSimCredentials } from './aws-sim.sigv4';
import { eventJson, finalEventType } from './aws-sim.events';
import type { AwsSimApi, AwsSimMessage, AwsSimOutcome, AwsSimStore } from './aws-sim.store';
import { SNS_TOPICS, type SnsTopic, SnsTopics } from './aws-sim.topics';
import { PROVIDER_API_ROUTE } from './sim-access';
import type { CallbackSettings } from './simulator.callbacks';
import type { SimulatorKnobs } from './simulator.knobs';
import { pickWeighted } from './simulator.rng';
import type { SimulatorState } from './simulator.state';

/** What the simulated AWS account is: credentials, and where its SNS topics deliver over HTTPS. */
export interface AwsSimSettings extends AwsSimCredentials {
  readonly accountId?: string;
  /** Subscription endpoint of the events topic (configuration-set destination); null = no subscriber yet. */
  readonly eventsUrl?: string | null;
  /** Subscription endpoint of the two-way (MO) topic. */
  readonly inboundUrl?: string | null;
  /** SNS signature version of deliveries: "2" (SHA256, default) or "1" (SHA1). */
  readonly signatureVersion?: '1' | '2';
}

export interface AwsSimOptions {
  readonly state: SimulatorState;
  readonly store: AwsSimStore;
  readonly log: FastifyBaseLogger;
  readonly settings: AwsSimSettings;
  /** Absolute URL of this plugin's mount point (`…/sim/aws`): SigningCertURL and SubscribeURL are built on it. */
  readonly publicUrl: string;
  readonly callback: Omit<CallbackSettings, 'log' | 'scheduler'>;
}

const WITHHOLD_MS = 300_000;
const AMZ_JSON = 'application/x-amz-json-1.0';
const FORM = 'application/x-www-form-urlencoded';

/**
 * AWS End User Messaging SMS v2 `SendTextMessage` (JSON 1.0) and SNS `Publish` (query) on one endpoint, told
 * apart like AWS's front door does (X-Amz-Target vs form `Action`), each checked for a real SigV4 signature.
 * Events and MOs go out as signed SNS HTTPS deliveries to the topics' subscription endpoints.
 */
export const awsSimRoutes: FastifyPluginCallback<AwsSimOptions> = (app, options, done) => {
  const sim = new AwsSim(options);

  // Raw strings: the SigV4 check hashes the body exactly as received. Scoped to this plugin.
  for (const type of [AMZ_JSON, FORM]) {
    if (app.hasContentTypeParser(type)) {
      app.removeContentTypeParser(type);
    }
    app.addContentTypeParser(type, { parseAs: 'string' }, (_request, body, parsed) => parsed(null, body));
  }

  app.post<{ Body: string | undefined }>('/', { config: PROVIDER_API_ROUTE }, (request, reply) =>
    sim.action(request, reply),
  );

  app.get('/sns-cert.pem', { config: PROVIDER_API_ROUTE }, (_request, reply) => sim.certificate(reply));

  /** The SubscribeURL: GET confirms the pending subscription holding this token. */
  app.get<{ Querystring: { Token?: string } }>(
    '/confirm-subscription',
    { config: PROVIDER_API_ROUTE },
    (request, reply) => sim.confirmSubscription(request, reply),
  );

  /** SNS `Subscribe` to an HTTPS endpoint: posts a signed SubscriptionConfirmation; deliveries wait for it. */
  app.put<{ Body: unknown }>('/subscriptions', (request, reply) => sim.subscribe(request, reply));

  app.get('/subscriptions', () => sim.topics.describe());

  /** Two-way SMS: a subscriber texts our number; posted to the inbound topic's endpoint (or `url`). */
  app.post<{ Body: unknown }>('/inbound', (request, reply) => sim.inbound(request, reply));

  app.get('/messages', () => sim.store.snapshot());
  done();
};

/** The simulated AWS account behind the routes: one method per route, its SNS topics and the events they post. */
class AwsSim {
  readonly state: AwsSimOptions['state'];
  readonly store: AwsSimOptions['store'];
  readonly log: AwsSimOptions['log'];
  readonly settings: AwsSimOptions['settings'];
  readonly publicUrl: AwsSimOptions['publicUrl'];
  readonly callbackSettings: CallbackSettings;
  readonly topics: SnsTopics;

  constructor(readonly options: AwsSimOptions) {
    const { state, store, log, settings, publicUrl } = options;
    const callbackSettings: CallbackSettings = { ...options.callback, scheduler: state.scheduler, log };
    const topics = new SnsTopics({
      region: settings.region,
      accountId: settings.accountId ?? '123456789012',
      publicUrl,
      signatureVersion: settings.signatureVersion ?? '2',
      callback: callbackSettings,
    });
    topics.presubscribe('events', settings.eventsUrl);
    topics.presubscribe('inbound', settings.inboundUrl);
    this.state = state;
    this.store = store;
    this.log = log;
    this.settings = settings;
    this.publicUrl = publicUrl;
    this.callbackSettings = callbackSettings;
    this.topics = topics;
  }

  async action(request: FastifyRequest<{ Body: string | undefined }>, reply: FastifyReply) {
    const target = request.headers['x-amz-target'];
    const body = typeof request.body === 'string' ? request.body : '';
    const clientGone = new AbortController();
    reply.raw.once('close', () => clientGone.abort());
    if (target !== undefined) {
      return this.sendTextMessage(request, reply, String(target), body, clientGone.signal);
    }
    const form = new URLSearchParams(body);
    if (form.get('Action') === 'Publish') {
      return this.publish(request, reply, form, body, clientGone.signal);
    }

    return reply
      .code(400)
      .header('content-type', 'text/xml')
      .send(snsErrorXml({ status: 400, type: 'InvalidAction', message: 'Unknown or missing Action', fault: 'Sender' }));
  }

  async certificate(reply: FastifyReply) {
    const { topics } = this;

    return reply.header('content-type', 'application/x-pem-file').send(await topics.certificatePem());
  }

  confirmSubscription(request: FastifyRequest<{ Querystring: { Token?: string } }>, reply: FastifyReply) {
    const { log, topics } = this;
    const arn = topics.confirm(request.query.Token);
    if (arn === null) {
      return reply
        .code(404)
        .header('content-type', 'text/xml')
        .send(snsErrorXml(notFound('Token')));
    }
    log.info('simulated SNS subscription confirmed');

    return reply
      .header('content-type', 'text/xml')
      .send(
        `<ConfirmSubscriptionResponse><ConfirmSubscriptionResult><SubscriptionArn>${arn}</SubscriptionArn>` +
          '</ConfirmSubscriptionResult></ConfirmSubscriptionResponse>',
      );
  }

  async subscribe(request: FastifyRequest<{ Body: unknown }>, reply: FastifyReply) {
    const { options, topics } = this;
    const input = request.body;
    const valid =
      typeof input === 'object' &&
      input !== null &&
      Object.entries(input).every(
        ([topic, url]) =>
          (SNS_TOPICS as readonly string[]).includes(topic) &&
          (url === null || (typeof url === 'string' && options.callback.allowTarget(url))),
      );
    if (!valid) {
      return reply
        .code(400)
        .send({ error: "expected JSON {events?, inbound?}, each null or one of the gateway's webhook URLs" });
    }
    const results: Record<string, unknown> = {};
    for (const [topic, url] of Object.entries(input) as [SnsTopic, string | null][]) {
      if (url === null) {
        topics.unsubscribe(topic);
        results[topic] = null;
      } else {
        results[topic] = { url, attempts: await topics.subscribe(topic, url) };
      }
    }

    return results;
  }

  async inbound(request: FastifyRequest<{ Body: unknown }>, reply: FastifyReply) {
    const { options, topics } = this;
    const input = (request.body ?? {}) as Record<string, unknown>;
    const [from, to, body, url] = [input['from'], input['to'], input['body'], input['url']];
    if (typeof from !== 'string' || typeof to !== 'string' || typeof body !== 'string') {
      return reply.code(400).send({ error: 'expected JSON {from, to, body, url?}' });
    }
    if (url !== undefined && url !== null && (typeof url !== 'string' || !options.callback.allowTarget(url))) {
      return reply.code(400).send({ error: "url must be one of the gateway's webhook URLs" });
    }
    const inboundMessageId = randomUUID();
    const message = JSON.stringify({
      originationNumber: from,
      destinationNumber: to,
      messageKeyword: body.trim().split(/\s+/)[0]?.toUpperCase() ?? '',
      messageBody: body,
      inboundMessageId,
      previousPublishedMessageId: randomUUID(),
    });
    const attempts = await topics.publish('inbound', message, typeof url === 'string' ? url : undefined);
    if (attempts === null) {
      return reply.code(409).send({ error: 'the inbound topic has no confirmed subscription; pass url' });
    }

    return { inboundMessageId, attempts };
  }

  private async sendTextMessage(
    request: FastifyRequest,
    reply: FastifyReply,
    target: string,
    body: string,
    clientGone: AbortSignal,
  ) {
    const { state, store } = this;
    const knobs = state.knobs('aws');
    let input: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(body);
      input = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as typeof input) : {};
    } catch {
      input = {};
    }
    const context = stringMap(input['Context']);
    const reference = context['gwMessageId'] ?? null;
    store.recordSubmit(reference);
    const refusal = await this.refuse('sms-voice', request, body, knobs, () => {
      if (target !== EUM_TARGET) {
        return { status: 400, type: 'UnknownOperationException', message: `Unknown operation ${target}` };
      }
      if (!String(request.headers['content-type']).startsWith(AMZ_JSON)) {
        return { status: 400, type: 'SerializationException', message: `Content-Type must be ${AMZ_JSON}` };
      }

      return validateSendText(input) ?? injectedEumError(state.rng, knobs.errorRate);
    });
    if (refusal !== null) {
      this.record('eum', refusal, reference, typeof input['DestinationPhoneNumber'] === 'string' ? input : {});
      await state.scheduler.hold(knobs.latencyMs, clientGone);

      return this.answer(reply, clientGone, refusal.status, AMZ_JSON, eumErrorBody(refusal), {
        'x-amzn-ErrorType': refusal.type,
      });
    }
    const message = this.accept('eum', knobs, {
      to: String(input['DestinationPhoneNumber']),
      originationIdentity: typeof input['OriginationIdentity'] === 'string' ? input['OriginationIdentity'] : null,
      body: typeof input['MessageBody'] === 'string' ? input['MessageBody'] : '',
      configurationSet: typeof input['ConfigurationSetName'] === 'string' ? input['ConfigurationSetName'] : null,
      context,
    });
    store.recordAccepted(message.messageId, message, reference);
    this.scheduleEvents(message, knobs);
    await state.scheduler.hold(knobs.latencyMs + (message.responseWithheld ? WITHHOLD_MS : 0), clientGone);

    return this.answer(reply, clientGone, 200, AMZ_JSON, { MessageId: message.messageId });
  }

  private async publish(
    request: FastifyRequest,
    reply: FastifyReply,
    form: URLSearchParams,
    body: string,
    clientGone: AbortSignal,
  ) {
    const { state, store } = this;
    const knobs = state.knobs('aws');
    let optedOut = false;
    const refusal = await this.refuse('sns', request, body, knobs, () => {
      const invalid = validatePublish(form);
      if (invalid !== null) {
        return invalid;
      }
      const injected = injectedSnsError(state.rng, knobs.errorRate);
      optedOut = injected === 'opted-out';

      return injected === 'opted-out' ? null : injected;
    });
    const xml = 'text/xml';
    if (refusal !== null) {
      this.record('sns', refusal, null, { DestinationPhoneNumber: form.get('PhoneNumber') });
      await state.scheduler.hold(knobs.latencyMs, clientGone);

      return this.answer(reply, clientGone, refusal.status, xml, snsErrorXml(refusal));
    }
    const attributes = messageAttributes(form);
    const message = this.accept(
      'sns',
      knobs,
      {
        to: form.get('PhoneNumber') ?? '',
        originationIdentity: attributes['AWS.MM.SMS.OriginationNumber'] ?? attributes['AWS.SNS.SMS.SenderID'] ?? null,
        body: form.get('Message') ?? '',
        configurationSet: null,
        context: {},
      },
      optedOut ? 'undelivered' : undefined,
    );
    store.recordAccepted(message.messageId, message, null);
    // Publish has no delivery webhooks (status only in CloudWatch Logs), so nothing is scheduled.
    await state.scheduler.hold(knobs.latencyMs + (message.responseWithheld ? WITHHOLD_MS : 0), clientGone);

    return this.answer(reply, clientGone, 200, xml, snsPublishXml(message.messageId));
  }

  /** Checks in AWS's order: signature, rate limit, then the API's own validation and the injected faults. */
  private async refuse(
    service: string,
    request: FastifyRequest,
    body: string,
    knobs: SimulatorKnobs,
    validate: () => AwsApiError | null,
  ): Promise<AwsApiError | null> {
    const { store, settings } = this;
    const auth = await checkSigV4(
      { method: request.method, url: request.url, headers: request.headers, body },
      settings,
      service,
    );
    if (auth !== null) {
      const status = auth.type === 'InvalidSignatureException' ? 403 : 400;
      const type =
        service === 'sns'
          ? auth.type === 'UnrecognizedClientException'
            ? 'InvalidClientTokenId'
            : 'SignatureDoesNotMatch'
          : auth.type;

      return { status: service === 'sns' ? 403 : status, type, message: auth.message, fault: 'Sender' };
    }
    if (!store.takeThrottleToken(knobs.throttleRatePerSecond, Date.now())) {
      return service === 'sns' ? SNS_THROTTLE : EUM_THROTTLE;
    }

    return validate();
  }

  private record(api: AwsSimApi, error: AwsApiError, reference: string | null, input: Record<string, unknown>) {
    const { store } = this;
    const to = input['DestinationPhoneNumber'];
    store.recordRejection({
      at: new Date().toISOString(),
      api,
      clientReference: reference,
      to: typeof to === 'string' ? to : null,
      httpStatus: error.status,
      type: error.type,
      reason: error.reason ?? null,
    });
  }

  private accept(
    api: AwsSimApi,
    knobs: SimulatorKnobs,
    fields: Pick<AwsSimMessage, 'to' | 'originationIdentity' | 'body' | 'configurationSet' | 'context'>,
    outcome?: AwsSimOutcome,
  ): AwsSimMessage {
    const { state } = this;

    return {
      messageId: randomUUID(),
      api,
      ...fields,
      createdAt: new Date().toISOString(),
      outcome: outcome ?? pickWeighted(state.rng, knobs.dlrOutcomes),
      responseWithheld: state.rng() < knobs.timeoutAfterAcceptRate,
      events: [],
    };
  }

  /** TEXT_SENT then the final event; `failed` never reached a carrier so it has no TEXT_SENT. */
  private scheduleEvents(message: AwsSimMessage, knobs: SimulatorKnobs): void {
    const { state, topics } = this;
    if (message.configurationSet === null) {
      return; // no configuration set, no event destination: AWS emits nothing
    }
    const final = finalEventType(state.rng, message.outcome);
    const steps: string[] = message.outcome === 'failed' ? [final] : ['TEXT_SENT', final];
    if (steps.length > 1 && state.rng() < knobs.outOfOrderDlrRate) {
      steps.reverse();
    }
    if (state.rng() < knobs.duplicateDlrRate) {
      steps.push(final);
    }
    steps.forEach((eventType, index) => {
      state.scheduler.after(knobs.dlrDelayMs * (index + 1), async () => {
        const attempts = await topics.publish('events', eventJson(message, eventType));
        message.events.push(...(attempts ?? []).map((attempt) => ({ eventType, ...attempt })));
      });
    });
  }

  private answer(
    reply: FastifyReply,
    clientGone: AbortSignal,
    status: number,
    contentType: string,
    body: unknown,
    headers: Record<string, string> = {},
  ) {
    const { state } = this;
    if (clientGone.aborted) {
      return reply.hijack();
    }
    if (state.scheduler.isClosed) {
      void reply.header('connection', 'close');
    }

    return reply
      .code(status)
      .headers({ 'content-type': contentType, 'x-amzn-RequestId': randomUUID(), ...headers })
      .send(typeof body === 'string' ? body : JSON.stringify(body));
  }
}

function notFound(what: string): AwsApiError {
  return { status: 404, type: 'NotFound', message: `${what} not found`, fault: 'Sender' };
}

function stringMap(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {};
  }

  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

/** `MessageAttributes.entry.N.Name` / `.Value.StringValue` pairs of a Publish form. */
function messageAttributes(form: URLSearchParams): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const [key, name] of form) {
    const match = /^MessageAttributes\.entry\.(\d+)\.Name$/.exec(key);
    const value = match ? form.get(`MessageAttributes.entry.${match[1]}.Value.StringValue`) : null;
    if (value !== null) {
      attributes[name] = value;
    }
  }

  return attributes;
}
