import type { FastifyBaseLogger, FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { injectedMo, PROVIDER_API_ROUTE } from './sim-access';
import { answerJson, clientGoneSignal, countParts, WITHHOLD_MS } from './sim-http';
import type { SimCallback, SimMessageLog, SimOutcome } from './sim-message.log';
import { postWebhook, type CallbackSettings, type WebhookPost } from './simulator.callbacks';
import type { SimulatorKnobs } from './simulator.knobs';
import { pickOne, pickWeighted } from './simulator.rng';
import type { SimulatorState } from './simulator.state';
import {
  checkVonageAuth,
  injectedVonageError,
  newVonageMessageId,
  signVonageParams,
  validateVonageSubmit,
  type VonageRefusal,
  VONAGE_THROTTLED,
  vonageTimes,
} from './vonage-sim.responses';

/** The dashboard's "Webhook format" for DLRs and MOs. */
export type VonageWebhookFormat = 'GET' | 'POST' | 'POST-JSON';

export interface VonageSimCredentials {
  readonly apiKey: string;
  readonly apiSecret: string;
  /** Signs every webhook (md5hash) and checks signed requests. */
  readonly signatureSecret: string;
  readonly webhookFormat?: VonageWebhookFormat;
}

/** A message the simulated SMS API accepted: one entry per message, one id and one DLR series per part. */
export interface VonageSimMessage {
  readonly messageIds: string[];
  readonly to: string;
  readonly from: string;
  readonly text: string;
  readonly type: string;
  readonly callback: string | null;
  readonly clientRef: string | null;
  readonly createdAt: string;
  readonly outcome: SimOutcome;
  /** The final DLR (status and err-code), picked at accept so callbacks and searches agree. */
  readonly finalDlr: { readonly status: string; readonly errCode: string };
  /** When the final DLR is due: searches show no final status before it. */
  readonly finalAt: string;
  readonly responseWithheld: boolean;
  readonly callbacks: (SimCallback & { readonly messageId: string })[];
}

export interface VonageSimOptions {
  readonly state: SimulatorState;
  readonly store: SimMessageLog<VonageSimMessage>;
  readonly log: FastifyBaseLogger;
  readonly credentials: VonageSimCredentials;
  readonly callback: Omit<CallbackSettings, 'log' | 'scheduler'>;
  /** The gateway's inbound webhook for this provider: where injected MOs go. */
  readonly inboundUrl: () => string;
}

const FORM = 'application/x-www-form-urlencoded';
/** Vonage's price per part in the sim, EUR. */
const PART_PRICE = '0.03330000';
const NETWORK = '23410';

type DlrStep = { readonly status: string; readonly errCode: string };

/** Vonage's SMS API, DLRs and MO webhooks (providers.md §2), mounted under `{prefix}/vonage`. */
export const vonageSimRoutes: FastifyPluginCallback<VonageSimOptions> = (app, options, done) => {
  const sim = new VonageSim(options);

  // Scoped to this plugin: the host app keeps its own body parsing. The real API takes forms (OpenAPI spec)
  // and the SDK posts JSON with the same keys, so both are accepted.
  if (app.hasContentTypeParser(FORM)) {
    app.removeContentTypeParser(FORM);
  }
  app.addContentTypeParser(FORM, { parseAs: 'string' }, (_request, body, parsed) => {
    parsed(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  app.post<{ Body: unknown }>('/sms/json', { config: PROVIDER_API_ROUTE }, (request, reply) =>
    sim.submit(request, reply),
  );

  app.post<{ Body: unknown }>('/inbound', (request, reply) => sim.inbound(request, reply));

  // The Search API: one message by id (`GET /search/message?id=`; 404 when unknown), or a day's messages to a
  // number (`GET /search/messages?date=YYYY-MM-DD&to=`), authenticated like the SMS API.
  app.get<{ Querystring: Record<string, string> }>(
    '/search/message',
    { config: PROVIDER_API_ROUTE },
    (request, reply) => sim.searchMessage(request, reply),
  );

  app.get<{ Querystring: Record<string, string> }>(
    '/search/messages',
    { config: PROVIDER_API_ROUTE },
    (request, reply) => sim.searchMessages(request, reply),
  );

  app.get('/messages', () => sim.store.snapshot());
  done();
};

/** The simulated Vonage account behind the routes: one method per route and the webhooks it posts. */
class VonageSim {
  readonly state: VonageSimOptions['state'];
  readonly store: VonageSimOptions['store'];
  readonly log: VonageSimOptions['log'];
  readonly credentials: VonageSimOptions['credentials'];
  readonly format: VonageWebhookFormat;
  readonly callbackSettings: CallbackSettings;

  constructor(readonly options: VonageSimOptions) {
    const { state, store, log, credentials } = options;
    const format = credentials.webhookFormat ?? 'POST-JSON';
    const callbackSettings: CallbackSettings = { ...options.callback, scheduler: state.scheduler, log };
    this.state = state;
    this.store = store;
    this.log = log;
    this.credentials = credentials;
    this.format = format;
    this.callbackSettings = callbackSettings;
  }

  async submit(request: FastifyRequest<{ Body: unknown }>, reply: FastifyReply) {
    const { state, store } = this;
    const knobs = state.knobs('vonage');
    const params = stringParams(request.body);
    const clientRef = params['client-ref'] ?? null;
    const clientGone = clientGoneSignal(reply);
    store.recordSubmit(clientRef);

    const refusal = this.refuseSubmit(params, knobs);
    if (refusal !== null) {
      store.recordRejection({
        at: new Date().toISOString(),
        clientRef,
        to: params['to'] ?? null,
        httpStatus: 200,
        code: refusal.status,
      });
      await state.scheduler.hold(knobs.latencyMs, clientGone);

      // Always HTTP 200: the verdict is the part's status.
      return answerJson(reply, clientGone, state.scheduler.isClosed, 200, {
        'message-count': '1',
        messages: [{ status: refusal.status, 'error-text': refusal.errorText }],
      });
    }

    const type = params['type'] ?? 'text';
    const text = params['text'] ?? '';
    const parts = countParts(text, type === 'unicode');
    const withhold = state.rng() < knobs.timeoutAfterAcceptRate;
    const outcome = pickWeighted(state.rng, knobs.dlrOutcomes);
    const finalDlr = this.finalStep(outcome);
    const createdAt = new Date();
    const message: VonageSimMessage = {
      messageIds: Array.from({ length: parts }, () => newVonageMessageId()),
      to: params['to'] ?? '',
      from: params['from'] ?? '',
      text,
      type,
      callback: params['callback'] || null,
      clientRef,
      createdAt: createdAt.toISOString(),
      outcome,
      finalDlr,
      finalAt: new Date(createdAt.getTime() + knobs.dlrDelayMs * (outcome === 'failed' ? 1 : 2)).toISOString(),
      responseWithheld: withhold,
      callbacks: [],
    };
    store.recordAccepted(message.messageIds[0] as string, message, message.clientRef);
    // Scheduled before answering: a message whose answer never arrives is still delivered and reported.
    if (params['status-report-req'] !== 'false' && params['status-report-req'] !== '0') {
      this.scheduleDlrs(message, knobs);
    }
    await state.scheduler.hold(knobs.latencyMs + (withhold ? WITHHOLD_MS : 0), clientGone);

    return answerJson(reply, clientGone, state.scheduler.isClosed, 200, {
      'message-count': String(parts),
      messages: message.messageIds.map((id, index) => ({
        to: message.to,
        'message-id': id,
        status: '0',
        'remaining-balance': (100 - 0.0333 * (index + 1)).toFixed(8),
        'message-price': PART_PRICE,
        network: NETWORK,
        ...(clientRef !== null && { 'client-ref': clientRef }),
      })),
    });
  }

  async inbound(request: FastifyRequest<{ Body: unknown }>, reply: FastifyReply) {
    const { options, credentials, callbackSettings } = this;
    const mo = injectedMo(request.body, options.inboundUrl, options.callback.allowTarget);
    if ('error' in mo) {
      return reply.code(400).send({ error: mo.error });
    }
    const { from, to, body, url } = mo;
    const messageId = newVonageMessageId();
    const unicode = !/^[\x20-\x7e\r\n]*$/.test(body);
    const params: Record<string, string> = {
      'api-key': credentials.apiKey,
      msisdn: from.replace(/^\+/, ''),
      to: to.replace(/^\+/, ''),
      messageId,
      text: body,
      type: unicode ? 'unicode' : 'text',
      keyword: (body.trim().split(/\s+/)[0] ?? '').toUpperCase(),
      'message-timestamp': vonageTimes(new Date()).messageTimestamp,
    };
    const attempts = await postWebhook(this.signedWebhook(url, params, 'inbound'), callbackSettings);

    return { messageId, attempts };
  }

  async searchMessage(request: FastifyRequest<{ Querystring: Record<string, string> }>, reply: FastifyReply) {
    const { store, credentials } = this;
    const refusal = checkVonageAuth(request.query, credentials);
    if (refusal !== null) {
      return reply.code(401).send({ 'error-code': '401', 'error-code-label': refusal.errorText });
    }
    const message = store.list().find((candidate) => candidate.messageIds.includes(request.query['id'] ?? ''));
    if (message === undefined) {
      return reply.code(404).send({ 'error-code': '404', 'error-code-label': 'message not found' });
    }

    return reply.send(this.searchRecord(message, request.query['id'] ?? ''));
  }

  async searchMessages(request: FastifyRequest<{ Querystring: Record<string, string> }>, reply: FastifyReply) {
    const { store, credentials } = this;
    const refusal = checkVonageAuth(request.query, credentials);
    if (refusal !== null) {
      return reply.code(401).send({ 'error-code': '401', 'error-code-label': refusal.errorText });
    }
    const { date, to } = request.query;
    const items = store
      .list()
      .filter((message) => message.createdAt.slice(0, 10) === date && message.to === to)
      .map((message) => this.searchRecord(message, message.messageIds[0] ?? ''));

    return reply.send({ count: items.length, items });
  }

  /** A Search API message record: `final-status` and `date-closed` once the final DLR is due. */
  private searchRecord(message: VonageSimMessage, messageId: string): Record<string, unknown> {
    const { credentials } = this;
    const closed = Date.now() >= Date.parse(message.finalAt);
    const stat: Record<string, string> = {
      delivered: 'DELIVRD',
      expired: 'EXPIRED',
      failed: 'UNDELIV',
      rejected: 'REJECTD',
    };
    const vonageTime = (iso: string): string => iso.slice(0, 19).replace('T', ' ');

    return {
      'message-id': messageId,
      'account-id': credentials.apiKey,
      network: NETWORK,
      from: message.from,
      to: message.to,
      body: message.text,
      price: PART_PRICE,
      'date-received': vonageTime(message.createdAt),
      'final-status': closed ? (stat[message.finalDlr.status] ?? 'UNKNOWN') : null,
      'date-closed': closed ? vonageTime(message.finalAt) : null,
      'error-code': closed ? message.finalDlr.errCode : null,
      latency: null,
      type: 'MT',
    };
  }

  /** Vonage's order: credentials, account rate, request validation, then the injected faults. */
  private refuseSubmit(params: Readonly<Record<string, string>>, knobs: SimulatorKnobs): VonageRefusal | null {
    const { state, store, credentials } = this;
    const auth = checkVonageAuth(params, credentials);
    if (auth !== null) {
      return auth;
    }
    if (!store.takeThrottleToken(knobs.throttleRatePerSecond, Date.now())) {
      return VONAGE_THROTTLED;
    }

    return validateVonageSubmit(params) ?? injectedVonageError(state.rng, knobs.errorRate);
  }

  /** One DLR series per part, each with its own roll for ordering and duplicates, like separate carrier DLRs. */
  private scheduleDlrs(message: VonageSimMessage, knobs: SimulatorKnobs): void {
    const { state, callbackSettings } = this;
    const url = message.callback;
    if (url === null) {
      return;
    }
    const final = message.finalDlr;
    for (const messageId of message.messageIds) {
      // `rejected` is refused up front, so no `accepted` precedes it.
      const steps: DlrStep[] = message.outcome === 'failed' ? [final] : [{ status: 'accepted', errCode: '0' }, final];
      if (steps.length > 1 && state.rng() < knobs.outOfOrderDlrRate) {
        steps.reverse();
      }
      if (state.rng() < knobs.duplicateDlrRate) {
        steps.push(final);
      }
      steps.forEach((step, index) => {
        state.scheduler.after(knobs.dlrDelayMs * (index + 1), async () => {
          const attempts = await postWebhook(this.dlrWebhook(message, messageId, url, step), callbackSettings);
          message.callbacks.push(...attempts.map((attempt) => ({ status: step.status, messageId, ...attempt })));
        });
      });
    }
  }

  private finalStep(outcome: SimOutcome): DlrStep {
    const { state } = this;
    switch (outcome) {
      case 'delivered':
        return { status: 'delivered', errCode: '0' };
      case 'undelivered': // absent subscriber (temporary / permanent), handset busy, network error; or expiry
        return pickOne(state.rng, [
          { status: 'failed', errCode: pickOne(state.rng, ['2', '3', '7', '8']) },
          { status: 'expired', errCode: '1' },
        ]);
      case 'failed': // refused before any carrier attempt: unroutable or a general error
        return { status: 'rejected', errCode: pickOne(state.rng, ['11', '99']) };
    }
  }

  private dlrWebhook(message: VonageSimMessage, messageId: string, url: string, step: DlrStep): WebhookPost {
    const { credentials } = this;
    const times = vonageTimes(new Date());
    const params: Record<string, string> = {
      msisdn: message.to,
      to: message.from,
      'network-code': NETWORK,
      messageId,
      price: PART_PRICE,
      status: step.status,
      scts: times.scts,
      'err-code': step.errCode,
      'api-key': credentials.apiKey,
      ...(message.clientRef !== null && { 'client-ref': message.clientRef }),
      'message-timestamp': times.messageTimestamp,
    };

    return this.signedWebhook(url, params, step.status);
  }

  /** Adds `timestamp`, `nonce` and `sig`, then shapes the request per the configured webhook format. */
  private signedWebhook(url: string, unsigned: Record<string, string>, label: string): WebhookPost {
    const { credentials, format } = this;
    const params = {
      ...unsigned,
      timestamp: String(Math.floor(Date.now() / 1000)),
      nonce: crypto.randomUUID(),
    };
    const all = { ...params, sig: signVonageParams(credentials.signatureSecret, params) };
    const headers = { 'User-Agent': 'Vonage-Sim/1.0' };
    if (format === 'GET') {
      const separator = url.includes('?') ? '&' : '?';

      return {
        url: `${url}${separator}${new URLSearchParams(all).toString()}`,
        method: 'GET',
        body: '',
        headers,
        label,
      };
    }
    if (format === 'POST') {
      return { url, body: new URLSearchParams(all).toString(), headers: { ...headers, 'Content-Type': FORM }, label };
    }

    return { url, body: JSON.stringify(all), headers: { ...headers, 'Content-Type': 'application/json' }, label };
  }
}

/** Form fields arrive as strings; JSON ones may be numbers or booleans, which Vonage reads as their text. */
function stringParams(body: unknown): Record<string, string> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return {};
  }

  return Object.fromEntries(
    Object.entries(body).flatMap(([key, value]) =>
      typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? [[key, String(value)]]
        : [],
    ),
  );
}
