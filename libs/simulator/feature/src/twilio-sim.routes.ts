import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger, FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { injectedMo, PROVIDER_API_ROUTE } from './sim-access';
import { ClientGone } from './sim-http';
import { postWebhook, type CallbackSettings } from './simulator.callbacks';
import type { SimulatorKnobs } from './simulator.knobs';
import { pickOne, pickWeighted } from './simulator.rng';
import type { SimulatorState } from './simulator.state';
import {
  AUTH_ERROR,
  errorBody,
  NOT_FOUND_ERROR,
  estimateSegments,
  injectedError,
  messageResource,
  newMessageSid,
  rawDlrDoneDate,
  THROTTLE_ERROR,
  TWILIO_API_VERSION,
  type TwilioApiError,
  validateSubmit,
} from './twilio-sim.responses';
import { signTwilioWebhook } from './twilio-sim.signature';
import type { TwilioSimMessage, TwilioSimOutcome, TwilioSimStore } from './twilio-sim.store';

export interface TwilioSimOptions {
  readonly state: SimulatorState;
  readonly store: TwilioSimStore;
  readonly log: FastifyBaseLogger;
  readonly accountSid: string;
  readonly authToken: string;
  readonly callback: Omit<CallbackSettings, 'log' | 'scheduler'>;
  /** The gateway's Twilio inbound webhook: where injected MOs go. */
  readonly inboundUrl: () => string;
}

/**
 * How long a "timeout after accept" withholds its 201. Far beyond any sane client timeout; the hold ends as
 * soon as the client hangs up, or when the simulator closes.
 */
const WITHHOLD_MS = 300_000;

const FORM = 'application/x-www-form-urlencoded';

type StatusStep = { readonly status: 'sent' | TwilioSimOutcome; readonly errorCode?: string };

interface SubmitRoute {
  Params: { accountSid: string };
  Body: Record<string, string> | undefined;
}
interface FetchRoute {
  Params: { accountSid: string; resource: string };
}
interface ListRoute {
  Params: { accountSid: string };
  Querystring: Record<string, string | undefined>;
}
interface InboundRoute {
  Body: unknown;
}

/** Twilio's Messages API, status callbacks and MO webhooks (providers.md §1), mounted under `{prefix}/twilio`. */
export const twilioSimRoutes: FastifyPluginCallback<TwilioSimOptions> = (app, options, done) => {
  const sim = new TwilioSim(options);

  // Scoped to this plugin: the host app (e.g. the embedded gateway) keeps its own body parsing.
  if (app.hasContentTypeParser(FORM)) {
    app.removeContentTypeParser(FORM);
  }
  app.addContentTypeParser(FORM, { parseAs: 'string' }, (_request, body, parsed) => {
    parsed(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  app.post<SubmitRoute>(
    `/${TWILIO_API_VERSION}/Accounts/:accountSid/Messages.json`,
    { config: PROVIDER_API_ROUTE },
    (request, reply) => sim.submit(request, reply),
  );
  // Fetch one message: `GET /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json`; 404 with code 20404 when unknown.
  app.get<FetchRoute>(
    `/${TWILIO_API_VERSION}/Accounts/:accountSid/Messages/:resource`,
    { config: PROVIDER_API_ROUTE },
    (request, reply) => sim.fetchMessage(request, reply),
  );
  // List messages: `GET …/Messages.json?To=&From=&PageSize=`, newest first, in Twilio's page envelope.
  app.get<ListRoute>(
    `/${TWILIO_API_VERSION}/Accounts/:accountSid/Messages.json`,
    { config: PROVIDER_API_ROUTE },
    (request, reply) => sim.listMessages(request, reply),
  );
  app.post<InboundRoute>('/inbound', (request, reply) => sim.inbound(request, reply));
  app.get('/messages', () => options.store.snapshot());
  done();
};

/** The simulated Twilio account behind the routes: one method per route and the webhooks it posts. */
class TwilioSim {
  private readonly state: SimulatorState;
  private readonly store: TwilioSimStore;
  private readonly accountSid: string;
  private readonly authToken: string;
  private readonly callbackSettings: CallbackSettings;
  private readonly expectedAuth: string;

  constructor(private readonly options: TwilioSimOptions) {
    const { state, log, accountSid, authToken } = options;
    this.state = state;
    this.store = options.store;
    this.accountSid = accountSid;
    this.authToken = authToken;
    this.callbackSettings = { ...options.callback, scheduler: state.scheduler, log };
    this.expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  }

  async submit(request: FastifyRequest<SubmitRoute>, reply: FastifyReply) {
    const { state, store, accountSid } = this;
    const knobs = state.knobs('twilio');
    const params = request.body ?? {};
    const header = request.headers['i-twilio-idempotency-token'];
    const token = typeof header === 'string' ? header : null;
    const clientGone = new ClientGone(reply);
    store.recordSubmit(token);

    const authorized = request.headers.authorization === this.expectedAuth && request.params.accountSid === accountSid;
    const refusal = this.refuseSubmit(authorized, params, knobs);
    if (refusal !== null) {
      store.recordRejection({
        at: new Date().toISOString(),
        idempotencyToken: token,
        to: params['To'] ?? null,
        httpStatus: refusal.status,
        code: refusal.code,
      });
      if (knobs.latencyMs > 0) {
        await state.scheduler.hold(knobs.latencyMs, clientGone.signal);
      }

      return answer(reply, clientGone, state.scheduler.isClosed, refusal.status, errorBody(refusal));
    }

    const now = new Date();
    const sid = newMessageSid();
    const withhold = state.rng() < knobs.timeoutAfterAcceptRate;
    const outcome = pickWeighted(state.rng, knobs.dlrOutcomes);
    const message: TwilioSimMessage = {
      sid,
      to: params['To'] ?? '',
      from: params['From'] ?? '',
      body: params['Body'] ?? '',
      statusCallback: params['StatusCallback'] || null,
      idempotencyToken: token,
      createdAt: now.toISOString(),
      outcome,
      finalAt: new Date(now.getTime() + knobs.dlrDelayMs * (outcome === 'failed' ? 1 : 2)).toISOString(),
      responseWithheld: withhold,
      callbacks: [],
    };
    store.recordAccepted(message.sid, message, message.idempotencyToken);
    // Callbacks are scheduled before answering: a message whose 201 never arrives is still delivered and
    // reported, which is exactly the ambiguous case the gateway must reconcile.
    this.scheduleStatusCallbacks(message, knobs);
    const holdMs = knobs.latencyMs + (withhold ? WITHHOLD_MS : 0);
    if (holdMs > 0) {
      await state.scheduler.hold(holdMs, clientGone.signal);
    }

    return answer(reply, clientGone, state.scheduler.isClosed, 201, messageResource(accountSid, sid, params, now));
  }

  async fetchMessage(request: FastifyRequest<FetchRoute>, reply: FastifyReply) {
    const { store } = this;
    if (!this.isAuthorized(request.headers.authorization, request.params.accountSid)) {
      return reply.code(401).send(errorBody(AUTH_ERROR));
    }
    const sid = request.params.resource.replace(/\.json$/, '');
    const message = request.params.resource.endsWith('.json') ? store.get(sid) : undefined;
    if (message === undefined) {
      return reply.code(404).send(errorBody(NOT_FOUND_ERROR(request.url)));
    }

    return reply.send(this.currentResource(message));
  }

  async listMessages(request: FastifyRequest<ListRoute>, reply: FastifyReply) {
    const { store, accountSid } = this;
    if (!this.isAuthorized(request.headers.authorization, request.params.accountSid)) {
      return reply.code(401).send(errorBody(AUTH_ERROR));
    }
    const { To: to, From: from } = request.query;
    const pageSize = Math.min(1000, Math.max(1, Number(request.query['PageSize'] ?? 50) || 50));
    const matching = store
      .list()
      .filter((message) => (to === undefined || message.to === to) && (from === undefined || message.from === from))
      .reverse();
    const page = matching.slice(0, pageSize).map((message) => this.currentResource(message));
    const uri = `/${TWILIO_API_VERSION}/Accounts/${accountSid}/Messages.json`;

    return reply.send({
      messages: page,
      page: 0,
      page_size: pageSize,
      start: 0,
      end: Math.max(0, page.length - 1),
      uri: `${uri}?${new URLSearchParams(request.query as Record<string, string>).toString()}`,
      first_page_uri: uri,
      previous_page_uri: null,
      next_page_uri: matching.length > pageSize ? `${uri}?PageSize=${pageSize}&Page=1` : null,
    });
  }

  async inbound(request: FastifyRequest<InboundRoute>, reply: FastifyReply) {
    const { options, accountSid } = this;
    const mo = injectedMo(request.body, options.inboundUrl, options.callback.allowTarget);
    if ('error' in mo) {
      return reply.code(400).send({ error: mo.error });
    }
    const { from, to, body, url } = mo;
    const sid = newMessageSid();
    const params: [string, string][] = [
      ['ToCountry', 'US'],
      ['SmsMessageSid', sid],
      ['NumMedia', '0'],
      ['SmsSid', sid],
      ['SmsStatus', 'received'],
      ['Body', body],
      ['To', to],
      ['NumSegments', String(estimateSegments(body))],
      ['MessageSid', sid],
      ['AccountSid', accountSid],
      ['From', from],
      ['ApiVersion', TWILIO_API_VERSION],
    ];
    const attempts = await postWebhook(this.signedPost(url, params, 'inbound'), this.callbackSettings);

    return { messageSid: sid, attempts };
  }

  private isAuthorized(authorization: string | undefined, sidInPath: string): boolean {
    return authorization === this.expectedAuth && sidInPath === this.accountSid;
  }

  /** The Message resource as Twilio shows it now: `sent` until the final status is due, then the outcome. */
  private currentResource(message: TwilioSimMessage): Record<string, unknown> {
    const created = new Date(message.createdAt);
    const resource = messageResource(
      this.accountSid,
      message.sid,
      { To: message.to, From: message.from, Body: message.body },
      created,
    );
    const final = Date.now() >= Date.parse(message.finalAt);
    const status = final ? message.outcome : 'sent';
    const errorCode = final && message.outcome !== 'delivered' ? (message.outcome === 'failed' ? 30001 : 30003) : null;

    return { ...resource, status, error_code: errorCode, date_sent: resource['date_created'] };
  }

  /** Checks in Twilio's order: credentials, rate limit, request validation, then the injected faults. */
  private refuseSubmit(
    authorized: boolean,
    params: Readonly<Record<string, string>>,
    knobs: SimulatorKnobs,
  ): TwilioApiError | null {
    const { state, store } = this;
    if (!authorized) {
      return AUTH_ERROR;
    }
    if (!store.takeThrottleToken(knobs.throttleRatePerSecond, Date.now())) {
      return THROTTLE_ERROR;
    }

    return (
      validateSubmit(params) ?? injectedError(state.rng, knobs.errorRate, params['To'] ?? '', params['From'] ?? '')
    );
  }

  private scheduleStatusCallbacks(message: TwilioSimMessage, knobs: SimulatorKnobs): void {
    const { state } = this;
    const { statusCallback } = message;
    if (statusCallback === null) {
      return;
    }
    const final: StatusStep = { status: message.outcome, ...this.finalErrorCode(message.outcome) };
    // `failed` means Twilio never handed the message to a carrier, so it is never reported `sent` first.
    const steps: StatusStep[] = message.outcome === 'failed' ? [final] : [{ status: 'sent' }, final];
    if (steps.length > 1 && state.rng() < knobs.outOfOrderDlrRate) {
      steps.reverse();
    }
    if (state.rng() < knobs.duplicateDlrRate) {
      steps.push(final);
    }
    steps.forEach((step, index) => {
      state.scheduler.after(knobs.dlrDelayMs * (index + 1), async () => {
        const attempts = await postWebhook(this.statusPost(message, statusCallback, step), this.callbackSettings);
        message.callbacks.push(...attempts.map((attempt) => ({ status: step.status, ...attempt })));
      });
    });
  }

  private finalErrorCode(outcome: TwilioSimOutcome): { errorCode?: string } {
    const { state } = this;
    switch (outcome) {
      case 'delivered':
        return {};
      case 'undelivered': // unreachable handset, unknown handset, landline, carrier filtering
        return { errorCode: pickOne(state.rng, ['30003', '30005', '30006', '30007']) };
      case 'failed': // queue overflow, validity period expired
        return { errorCode: pickOne(state.rng, ['30001', '30036']) };
    }
  }

  private statusPost(message: TwilioSimMessage, url: string, step: StatusStep) {
    const carrierDone = step.status === 'delivered' || step.status === 'undelivered';
    const params: [string, string][] = [
      ['MessageSid', message.sid],
      ['SmsSid', message.sid],
      ['MessageStatus', step.status],
      ['SmsStatus', step.status],
      ...(step.errorCode === undefined ? [] : [['ErrorCode', step.errorCode] as [string, string]]),
      ['AccountSid', this.accountSid],
      ['From', message.from],
      ['To', message.to],
      ['ApiVersion', TWILIO_API_VERSION],
      ...(carrierDone ? [['RawDlrDoneDate', rawDlrDoneDate(new Date())] as [string, string]] : []),
    ];

    return this.signedPost(url, params, step.status);
  }

  private signedPost(url: string, params: [string, string][], label: string) {
    return {
      url,
      label,
      body: new URLSearchParams(params).toString(),
      headers: {
        'Content-Type': FORM,
        'User-Agent': 'TwilioProxy/1.1',
        'X-Twilio-Signature': signTwilioWebhook(this.authToken, url, params),
        // Twilio repeats this token on its own retries of the same webhook; receivers dedupe on it.
        'I-Twilio-Idempotency-Token': randomUUID(),
      },
    };
  }
}

/**
 * Sends unless the client already hung up (then there is nobody to answer). A response released by the
 * simulator closing also closes its connection: Node's server.close() only drops connections idle at the time
 * it is called, so a kept-alive socket would otherwise hold the close open until the keep-alive timeout.
 */
function answer(reply: FastifyReply, clientGone: ClientGone, closing: boolean, status: number, body: unknown) {
  if (clientGone.aborted) {
    return reply.hijack();
  }
  if (closing) {
    void reply.header('connection', 'close');
  }

  return reply.code(status).header('content-type', 'application/json; charset=utf-8').send(body);
}
