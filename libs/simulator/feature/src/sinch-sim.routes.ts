import type { FastifyBaseLogger, FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { injectedMo, PROVIDER_API_ROUTE } from './sim-access';
import { answerJson, clientGoneSignal, countParts, WITHHOLD_MS } from './sim-http';
import type { SimCallback, SimMessageLog, SimOutcome } from './sim-message.log';
import { postWebhook, type CallbackSettings, type WebhookPost } from './simulator.callbacks';
import type { SimulatorKnobs } from './simulator.knobs';
import { pickOne, pickWeighted } from './simulator.rng';
import type { SimulatorState } from './simulator.state';
import {
  injectedSinchError,
  newSinchId,
  type SinchApiError,
  type SinchDeliveryReport,
  sinchSignatureHeaders,
  SINCH_THROTTLED,
  SINCH_UNAUTHORIZED,
  validateSinchBatch,
} from './sinch-sim.responses';

export interface SinchSimCredentials {
  readonly servicePlanId: string;
  readonly apiToken: string;
  /** Signs every callback with Sinch's HMAC headers. */
  readonly callbackSecret: string;
}

/** A batch the simulated xms API accepted (one per recipient in practice: the gateway sends one each). */
export interface SinchSimMessage {
  readonly batchId: string;
  readonly to: string[];
  readonly from: string;
  readonly body: string;
  readonly deliveryReport: SinchDeliveryReport;
  readonly callbackUrl: string | null;
  readonly clientRef: string | null;
  readonly createdAt: string;
  readonly outcome: SimOutcome | 'opted-out';
  /** The final report (status and code), picked at accept so callbacks and lookups agree. */
  readonly finalReport: { readonly status: string; readonly code: number };
  /** When the final report is due: lookups answer `Dispatched` before it and the final report after. */
  readonly finalAt: string;
  readonly responseWithheld: boolean;
  readonly callbacks: SimCallback[];
}

export interface SinchSimOptions {
  readonly state: SimulatorState;
  readonly store: SimMessageLog<SinchSimMessage>;
  readonly log: FastifyBaseLogger;
  readonly credentials: SinchSimCredentials;
  readonly callback: Omit<CallbackSettings, 'log' | 'scheduler'>;
  /** The gateway's inbound webhook for this provider: where injected MOs go. */
  readonly inboundUrl: () => string;
}

type ReportStep = { readonly status: string; readonly code: number };

/** Sinch's batches API, delivery reports and MO callbacks (providers.md §3), mounted under `{prefix}/sinch`. */
export const sinchSimRoutes: FastifyPluginCallback<SinchSimOptions> = (app, options, done) => {
  const sim = new SinchSim(options);

  app.post<{ Params: { plan: string }; Body: unknown }>(
    '/xms/v1/:plan/batches',
    { config: PROVIDER_API_ROUTE },
    (request, reply) => sim.submitBatch(request, reply),
  );

  // A recipient's delivery report: `GET /xms/v1/{plan}/batches/{batch_id}/delivery_report/{recipient_msisdn}`.
  app.get<{ Params: { plan: string; batchId: string; recipient: string } }>(
    '/xms/v1/:plan/batches/:batchId/delivery_report/:recipient',
    { config: PROVIDER_API_ROUTE },
    (request, reply) => sim.deliveryReport(request, reply),
  );

  // List batches: `GET /xms/v1/{plan}/batches?client_reference=&start_date=&end_date=&page_size=`, newest first.
  app.get<{ Params: { plan: string }; Querystring: Record<string, string | undefined> }>(
    '/xms/v1/:plan/batches',
    { config: PROVIDER_API_ROUTE },
    (request, reply) => sim.listBatches(request, reply),
  );

  app.post<{ Body: unknown }>('/inbound', (request, reply) => sim.inbound(request, reply));

  app.get('/messages', () => sim.store.snapshot());
  done();
};

/** The simulated Sinch service plan behind the routes: one method per route and the callbacks it posts. */
class SinchSim {
  readonly state: SinchSimOptions['state'];
  readonly store: SinchSimOptions['store'];
  readonly log: SinchSimOptions['log'];
  readonly credentials: SinchSimOptions['credentials'];
  readonly callbackSettings: CallbackSettings;

  constructor(readonly options: SinchSimOptions) {
    const { state, store, log, credentials } = options;
    const callbackSettings: CallbackSettings = { ...options.callback, scheduler: state.scheduler, log };
    this.state = state;
    this.store = store;
    this.log = log;
    this.credentials = credentials;
    this.callbackSettings = callbackSettings;
  }

  async submitBatch(request: FastifyRequest<{ Params: { plan: string }; Body: unknown }>, reply: FastifyReply) {
    const { state, store, credentials } = this;
    const knobs = state.knobs('sinch');
    const clientGone = clientGoneSignal(reply);
    const batch = isRecord(request.body) ? request.body : {};
    const clientRef = typeof batch['client_reference'] === 'string' ? batch['client_reference'] : null;
    store.recordSubmit(clientRef);

    const isJson = String(request.headers['content-type'] ?? '').includes('application/json');
    const authorized =
      request.headers.authorization === `Bearer ${credentials.apiToken}` &&
      request.params.plan === credentials.servicePlanId;
    const refusal = isJson ? this.refuseSubmit(authorized, batch, knobs) : UNSUPPORTED_MEDIA;
    if (refusal !== null && refusal !== 'opted-out') {
      const to = Array.isArray(batch['to']) && typeof batch['to'][0] === 'string' ? batch['to'][0] : null;
      store.recordRejection({
        at: new Date().toISOString(),
        clientRef,
        to,
        httpStatus: refusal.status,
        code: refusal.code,
      });
      await state.scheduler.hold(knobs.latencyMs, clientGone);

      return answerJson(reply, clientGone, state.scheduler.isClosed, refusal.status, {
        code: refusal.code,
        text: refusal.text,
      });
    }

    const now = new Date();
    const withhold = state.rng() < knobs.timeoutAfterAcceptRate;
    const deliveryReport = (batch['delivery_report'] as SinchDeliveryReport | undefined) ?? 'none';
    const outcome = refusal === 'opted-out' ? 'opted-out' : pickWeighted(state.rng, knobs.dlrOutcomes);
    const finalReport = this.finalStep(outcome);
    const message: SinchSimMessage = {
      batchId: newSinchId(now.getTime()),
      // Sinch echoes MSISDNs without the `+`.
      to: (batch['to'] as string[]).map((n) => n.replace(/^\+/, '')),
      from: String(batch['from']),
      body: String(batch['body']),
      deliveryReport,
      callbackUrl: typeof batch['callback_url'] === 'string' ? batch['callback_url'] : null,
      clientRef,
      createdAt: now.toISOString(),
      outcome,
      finalReport,
      finalAt: new Date(now.getTime() + knobs.dlrDelayMs * (finalReport.status === 'Rejected' ? 1 : 2)).toISOString(),
      responseWithheld: withhold,
      callbacks: [],
    };
    store.recordAccepted(message.batchId, message, message.clientRef);
    this.scheduleReports(message, knobs);
    await state.scheduler.hold(knobs.latencyMs + (withhold ? WITHHOLD_MS : 0), clientGone);

    const expireAt =
      typeof batch['expire_at'] === 'string'
        ? batch['expire_at']
        : new Date(now.getTime() + 3 * 86_400_000).toISOString();

    return answerJson(reply, clientGone, state.scheduler.isClosed, 201, {
      ...batchJson(message),
      expire_at: expireAt,
      flash_message: false,
    });
  }

  async deliveryReport(
    request: FastifyRequest<{ Params: { plan: string; batchId: string; recipient: string } }>,
    reply: FastifyReply,
  ) {
    const { store } = this;
    if (!this.isAuthorized(request.headers.authorization, request.params.plan)) {
      return reply.code(401).send({ code: 'unauthorized', text: 'Unauthorized' });
    }
    const message = store.get(request.params.batchId);
    const recipient = request.params.recipient.replace(/^\+/, '');
    if (message === undefined || !message.to.includes(recipient)) {
      return reply.code(404).send({ code: 'not_found', text: 'Batch or recipient not found' });
    }
    const final = Date.now() >= Date.parse(message.finalAt);
    const report = final ? message.finalReport : { status: 'Dispatched', code: 401 };

    return reply.send({
      at: final ? message.finalAt : message.createdAt,
      batch_id: message.batchId,
      code: report.code,
      recipient,
      status: report.status,
      type: 'recipient_delivery_report_sms',
      ...(message.clientRef !== null && { client_reference: message.clientRef }),
    });
  }

  async listBatches(
    request: FastifyRequest<{ Params: { plan: string }; Querystring: Record<string, string | undefined> }>,
    reply: FastifyReply,
  ) {
    const { store } = this;
    if (!this.isAuthorized(request.headers.authorization, request.params.plan)) {
      return reply.code(401).send({ code: 'unauthorized', text: 'Unauthorized' });
    }
    const { client_reference: clientRef, start_date: start, end_date: end } = request.query;
    const from = start === undefined ? Date.now() - 86_400_000 : Date.parse(start);
    const until = end === undefined ? Number.POSITIVE_INFINITY : Date.parse(end);
    const pageSize = Math.min(100, Math.max(1, Number(request.query['page_size'] ?? 30) || 30));
    const matching = store
      .list()
      .filter((message) => {
        const created = Date.parse(message.createdAt);

        return (clientRef === undefined || message.clientRef === clientRef) && created >= from && created < until;
      })
      .reverse();

    return reply.send({
      count: matching.length,
      page: 0,
      page_size: pageSize,
      batches: matching.slice(0, pageSize).map(batchJson),
    });
  }

  async inbound(request: FastifyRequest<{ Body: unknown }>, reply: FastifyReply) {
    const { options, callbackSettings } = this;
    const mo = injectedMo(request.body, options.inboundUrl, options.callback.allowTarget);
    if ('error' in mo) {
      return reply.code(400).send({ error: mo.error });
    }
    const { from, to, body, url } = mo;
    const id = newSinchId();
    const now = new Date().toISOString();
    const payload = JSON.stringify({
      type: 'mo_text',
      id,
      from: from.replace(/^\+/, ''),
      to: to.replace(/^\+/, ''),
      body,
      received_at: now,
      sent_at: now,
      operator_id: '23410',
    });
    const attempts = await postWebhook(this.signedPost(url, payload, 'inbound'), callbackSettings);

    return { id, attempts };
  }

  private isAuthorized(authorization: string | undefined, plan: string): boolean {
    const { credentials } = this;

    return authorization === `Bearer ${credentials.apiToken}` && plan === credentials.servicePlanId;
  }

  /** Sinch's order: credentials, outstanding-request limit, request validation, then the injected faults. */
  private refuseSubmit(
    authorized: boolean,
    batch: Readonly<Record<string, unknown>>,
    knobs: SimulatorKnobs,
  ): SinchApiError | 'opted-out' | null {
    const { state, store } = this;
    if (!authorized) {
      return SINCH_UNAUTHORIZED;
    }
    if (!store.takeThrottleToken(knobs.throttleRatePerSecond, Date.now())) {
      return SINCH_THROTTLED;
    }

    return validateSinchBatch(batch) ?? injectedSinchError(state.rng, knobs.errorRate);
  }

  /** Intermediate `Dispatched` only for `per_recipient`; batch reports (`summary`/`full`) carry the final only. */
  private scheduleReports(message: SinchSimMessage, knobs: SimulatorKnobs): void {
    const { state, callbackSettings } = this;
    const url = message.callbackUrl;
    if (url === null || message.deliveryReport === 'none') {
      return;
    }
    const final = message.finalReport;
    const intermediate = message.deliveryReport === 'per_recipient' && final.status !== 'Rejected';
    const steps: ReportStep[] = intermediate ? [{ status: 'Dispatched', code: 401 }, final] : [final];
    if (steps.length > 1 && state.rng() < knobs.outOfOrderDlrRate) {
      steps.reverse();
    }
    if (state.rng() < knobs.duplicateDlrRate) {
      steps.push(final);
    }
    steps.forEach((step, index) => {
      state.scheduler.after(knobs.dlrDelayMs * (index + 1), async () => {
        const attempts = await postWebhook(this.reportPost(message, url, step), callbackSettings);
        message.callbacks.push(...attempts.map((attempt) => ({ status: step.status, ...attempt })));
      });
    });
  }

  private finalStep(outcome: SinchSimMessage['outcome']): ReportStep {
    const { state } = this;
    switch (outcome) {
      case 'delivered':
        return { status: 'Delivered', code: 0 };
      case 'undelivered': // unroutable, temporary delivery failure; or expired at the operator
        return pickOne(state.rng, [
          { status: 'Failed', code: pickOne(state.rng, [402, 404]) },
          { status: 'Expired', code: 406 },
        ]);
      case 'failed': // refused by the SMSC before any delivery attempt
        return pickOne(state.rng, [
          { status: 'Rejected', code: 408 },
          { status: 'Aborted', code: 402 },
        ]);
      case 'opted-out': // an operator-side block list: what a STOPped recipient looks like at Sinch
        return { status: 'Rejected', code: 408 };
    }
  }

  private reportPost(message: SinchSimMessage, url: string, step: ReportStep): WebhookPost {
    const at = new Date().toISOString();
    const recipient = message.to[0] ?? '';
    const clientRef = message.clientRef === null ? {} : { client_reference: message.clientRef };
    const body = message.deliveryReport.startsWith('per_recipient')
      ? {
          type: 'recipient_delivery_report_sms',
          batch_id: message.batchId,
          recipient,
          code: step.code,
          status: step.status,
          at,
          operator_status_at: at,
          applied_originator: message.from,
          encoding: /^[\x20-\x7e\r\n]*$/.test(message.body) ? 'GSM' : 'UNICODE',
          number_of_message_parts: countParts(message.body, false),
          ...clientRef,
        }
      : {
          type: 'delivery_report_sms',
          batch_id: message.batchId,
          total_message_count: message.to.length,
          statuses: [
            {
              code: step.code,
              count: message.to.length,
              status: step.status,
              ...(message.deliveryReport === 'full' && { recipients: message.to }),
            },
          ],
          ...clientRef,
        };

    return this.signedPost(url, JSON.stringify(body), step.status);
  }

  private signedPost(url: string, body: string, label: string): WebhookPost {
    const { credentials } = this;

    return {
      url,
      label,
      body,
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'Sinch-Sim/1.0',
        ...sinchSignatureHeaders(credentials.callbackSecret, body),
      },
    };
  }
}

/** A batch as Sinch's API shows it, in the send answer and the batch list alike. */
function batchJson(message: SinchSimMessage): Record<string, unknown> {
  return {
    id: message.batchId,
    to: message.to,
    from: message.from,
    canceled: false,
    body: message.body,
    type: 'mt_text',
    created_at: message.createdAt,
    modified_at: message.createdAt,
    delivery_report: message.deliveryReport,
    ...(message.clientRef !== null && { client_reference: message.clientRef }),
  };
}

const UNSUPPORTED_MEDIA: SinchApiError = {
  status: 415,
  code: 'unsupported_media_type',
  text: 'Content-Type must be application/json',
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
