import type { FastifyBaseLogger, FastifyInstance, FastifyPluginAsync } from 'fastify';
import { guardControlRoutes, type SimulatorControlAuth, webhookTargetPolicy } from './sim-access';
import { SimMessageLog } from './sim-message.log';
import { type SinchSimCredentials, type SinchSimMessage, sinchSimRoutes } from './sinch-sim.routes';
import { awsSimRoutes, type AwsSimSettings } from './aws-sim.routes';
import { AwsSimStore } from './aws-sim.store';
import { isSimulatedProvider, SIMULATED_PROVIDERS, updateKnobs } from './simulator.knobs';
import { SimulatorState } from './simulator.state';
import { SmppSimServer } from './smpp-sim.server';
import { lookupSimRoutes } from './lookup-sim.routes';
import { twilioSimRoutes } from './twilio-sim.routes';
import { TwilioSimStore } from './twilio-sim.store';
import { type VonageSimCredentials, type VonageSimMessage, vonageSimRoutes } from './vonage-sim.routes';

export interface SimulatorOptions {
  /**
   * Checks the credential of every control route (knobs, reset, inbound injection, message logs): the
   * embedded gateway asks its API keys for an admin one, the stand-alone app compares SIM_CONTROL_TOKEN.
   */
  readonly controlAuth: SimulatorControlAuth;
  /**
   * The gateway whose webhooks this simulator calls (e.g. `http://127.0.0.1:3000`): status callbacks, MOs and
   * SNS deliveries go only to `{webhookBaseUrl}/webhooks/...`, and an inbound injection posts to
   * `{webhookBaseUrl}/webhooks/{provider}/inbound` without taking a URL from its caller. A function is read
   * on each post (a test server that learns its port only once listening).
   */
  readonly webhookBaseUrl: string | (() => string);
  /**
   * Where this simulator is reachable from outside, e.g. `http://localhost:4010/sim` (the prefix is appended
   * when missing, so `http://localhost:4010` works too). Used in logs only.
   */
  readonly publicBaseUrl: string;
  /** The credentials the simulated Twilio accepts and signs its webhooks with. */
  readonly twilio: { readonly accountSid: string; readonly authToken: string };
  /** The Vonage account the simulated SMS API accepts and signs its webhooks with. */
  readonly vonage: VonageSimCredentials;
  /** The Sinch service plan the simulated xms API accepts and signs its callbacks with. */
  readonly sinch: SinchSimCredentials;
  /** The simulated AWS account (key pair the SigV4 check accepts, region, SNS subscription endpoints). */
  /** The simulated AWS account; the region defaults to us-east-1. */
  readonly aws: Omit<AwsSimSettings, 'region'> & { readonly region?: string };
  readonly logger?: FastifyBaseLogger;
  /** Seeds every knob-driven roll (errors, outcomes, duplicates, ordering) for reproducible runs. */
  readonly seed?: number;
  /** Per-attempt timeout of the webhooks the simulator posts. Default 5000 ms, like Twilio's connect budget. */
  readonly callbackTimeoutMs?: number;
  /** Pause before the first retry of a webhook answered 5xx/429 or not answered; doubling after. Default 1000 ms. */
  readonly callbackRetryDelayMs?: number;
  /**
   * Also run the SMPP SMSC (a TCP listener beside the HTTP routes) on `port` (0 = any free port, reported to
   * `onListening`). Its knobs are `{prefix}/knobs/smpp`; MO is pushed with `POST {prefix}/smpp/inbound`.
   */
  readonly smpp?: {
    readonly port: number;
    readonly host?: string;
    readonly systemId: string;
    readonly password: string;
    readonly onListening?: (port: number) => void;
  };
}

/**
 * Provider simulator as a plain (encapsulated) Fastify plugin, so the same code runs inside the embedded
 * gateway's Fastify instance and as its own app. Register it with a prefix, e.g. `/sim`:
 *
 * - `{prefix}/twilio/2010-04-01/Accounts/:sid/Messages.json`: Twilio's Messages API (point the adapter's
 *   base URL at `{publicBaseUrl}{prefix}/twilio`); status callbacks are posted, signed, to `StatusCallback`.
 * - `GET {prefix}/twilio-lookups/v2/PhoneNumbers/:number`: Twilio Lookup v2 (line type, carrier, MCC/MNC) from a
 *   porting table: `GET|PUT {prefix}/twilio-lookups/knobs`, `GET {prefix}/twilio-lookups/requests` (counts).
 * - `POST {prefix}/twilio/inbound` `{from,to,body}`: posts a signed MO webhook to the gateway's Twilio inbound URL.
 * - `GET {prefix}/twilio/messages`: what was received, and submits per `I-Twilio-Idempotency-Token`.
 * - `{prefix}/vonage/sms/json`: Vonage's SMS API (base URL `{publicBaseUrl}{prefix}/vonage`); one signed DLR
 *   per part is sent to `callback`; `POST {prefix}/vonage/inbound` and `GET {prefix}/vonage/messages` as above.
 * - `{prefix}/sinch/xms/v1/:plan/batches`: Sinch's batches API (base URL `{publicBaseUrl}{prefix}/sinch`);
 *   HMAC-signed delivery reports go to `callback_url`; `POST {prefix}/sinch/inbound`, `GET {prefix}/sinch/messages`.
 * - `POST {prefix}/aws/`: EUM SMS v2 `SendTextMessage` (X-Amz-Target) and SNS `Publish` (query), SigV4-checked;
 *   events go out as signed SNS deliveries to the events topic's subscriber; `GET {prefix}/aws/sns-cert.pem`
 *   serves the signing certificate; `POST {prefix}/aws/inbound` `{from,to,body,url?}` posts an MO;
 *   `PUT {prefix}/aws/subscriptions` `{events?,inbound?}` subscribes endpoints (SubscriptionConfirmation first);
 *   `GET {prefix}/aws/messages`.
 * - SMPP SMSC on its own TCP port when `smpp` is given; `POST {prefix}/smpp/inbound` `{from,to,body}` pushes an
 *   MO deliver_sm on a bound session; `GET {prefix}/smpp/messages` shows submits and receipts.
 * - `GET|PUT {prefix}/knobs/:provider`: fault injection (PUT merges a partial update), `POST {prefix}/reset`.
 *
 * Every route but the provider APIs themselves needs the control credential ({@link SimulatorOptions.controlAuth}),
 * and every webhook goes to the gateway's own webhook URLs only ({@link SimulatorOptions.webhookBaseUrl}).
 */
export const simulatorPlugin: FastifyPluginAsync<SimulatorOptions> = async (app, options) => {
  const log = options.logger ?? app.log;
  const state = new SimulatorState(options.seed);
  const stores = simulatorStores(state);
  const root = options.publicBaseUrl.replace(/\/+$/, '');
  const base = root.endsWith(app.prefix) ? root : `${root}${app.prefix}`;
  const webhooks = webhookSettings(options);
  guardControlRoutes(app, options.controlAuth);
  releaseWithheldOnClose(app, state);
  knobAndResetRoutes(app, state, log);
  await registerProviderRoutes(app, { options, state, log, stores, base, ...webhooks });

  if (options.smpp) {
    await registerSmppSim(app, state, log, options.smpp);
  }

  log.info(
    {
      twilioBaseUrl: `${base}/twilio`,
      twilioLookupBaseUrl: `${base}/twilio-lookups`,
      vonageBaseUrl: `${base}/vonage`,
      sinchBaseUrl: `${base}/sinch`,
      awsEndpoint: `${base}/aws`,
      knobs: `${base}/knobs/:provider`,
    },
    'provider simulator ready',
  );
};

/** Each provider's message log, emptied by `POST {prefix}/reset`. */
function simulatorStores(state: SimulatorState) {
  const twilioStore = new TwilioSimStore();
  const vonageStore = new SimMessageLog<VonageSimMessage>();
  const sinchStore = new SimMessageLog<SinchSimMessage>();
  state.onReset(() => twilioStore.reset());
  state.onReset(() => vonageStore.reset());
  state.onReset(() => sinchStore.reset());
  const awsStore = new AwsSimStore();
  state.onReset(() => awsStore.reset());

  return { twilioStore, vonageStore, sinchStore, awsStore };
}

/** How the simulated providers post their webhooks, and to which of the gateway's URLs. */
function webhookSettings(options: SimulatorOptions) {
  const allowTarget = webhookTargetPolicy(options.webhookBaseUrl);
  const webhookBase = (): string =>
    (typeof options.webhookBaseUrl === 'function' ? options.webhookBaseUrl() : options.webhookBaseUrl).replace(
      /\/+$/,
      '',
    );
  const callback = {
    timeoutMs: options.callbackTimeoutMs ?? 5_000,
    retryDelayMs: options.callbackRetryDelayMs ?? 1_000,
    allowTarget,
  };
  const inboundUrl = (provider: string) => () => `${webhookBase()}/webhooks/${provider}/inbound`;

  return { callback, inboundUrl };
}

function releaseWithheldOnClose(app: FastifyInstance, state: SimulatorState): void {
  // preClose runs before Fastify waits for in-flight requests: release withheld responses so close completes.
  app.addHook('preClose', (done) => {
    state.scheduler.close();
    done();
  });
  app.addHook('onClose', (_instance, done) => {
    state.scheduler.close();
    done();
  });
}

/** `GET|PUT {prefix}/knobs/:provider` and `POST {prefix}/reset`. */
function knobAndResetRoutes(app: FastifyInstance, state: SimulatorState, log: FastifyBaseLogger): void {
  app.get('/knobs', () => Object.fromEntries(SIMULATED_PROVIDERS.map((provider) => [provider, state.knobs(provider)])));

  app.get<{ Params: { provider: string } }>('/knobs/:provider', (request, reply) => {
    const { provider } = request.params;
    if (!isSimulatedProvider(provider)) {
      return reply.code(404).send({ error: `no simulated provider '${provider}'`, providers: SIMULATED_PROVIDERS });
    }

    return state.knobs(provider);
  });

  app.put<{ Params: { provider: string }; Body: unknown }>('/knobs/:provider', (request, reply) => {
    const { provider } = request.params;
    if (!isSimulatedProvider(provider)) {
      return reply.code(404).send({ error: `no simulated provider '${provider}'`, providers: SIMULATED_PROVIDERS });
    }
    const update = updateKnobs(state.knobs(provider), request.body);
    if (!update.ok) {
      return reply.code(400).send({ error: 'invalid knobs', problems: update.problems });
    }
    state.setKnobs(provider, update.knobs);
    log.info({ provider, knobs: update.knobs }, 'simulator knobs updated');

    return update.knobs;
  });

  app.post<{ Body: { seed?: unknown } | undefined }>('/reset', (request, reply) => {
    const seed = request.body?.seed;
    if (seed !== undefined && !Number.isInteger(seed)) {
      return reply.code(400).send({ error: 'seed must be an integer' });
    }
    state.reset(seed as number | undefined);

    return reply.code(204).send();
  });
}

interface ProviderRoutesContext extends ReturnType<typeof webhookSettings> {
  readonly options: SimulatorOptions;
  readonly state: SimulatorState;
  readonly log: FastifyBaseLogger;
  readonly stores: ReturnType<typeof simulatorStores>;
  /** Where this simulator is reachable from outside, its prefix included. */
  readonly base: string;
}

async function registerProviderRoutes(
  app: FastifyInstance,
  { options, state, log, stores, base, callback, inboundUrl }: ProviderRoutesContext,
): Promise<void> {
  await app.register(twilioSimRoutes, {
    prefix: '/twilio',
    state,
    store: stores.twilioStore,
    log,
    accountSid: options.twilio.accountSid,
    authToken: options.twilio.authToken,
    callback,
    inboundUrl: inboundUrl('twilio'),
  });
  await app.register(lookupSimRoutes, {
    prefix: '/twilio-lookups',
    state,
    log,
    accountSid: options.twilio.accountSid,
    authToken: options.twilio.authToken,
  });
  await app.register(awsSimRoutes, {
    prefix: '/aws',
    state,
    store: stores.awsStore,
    log,
    settings: { region: 'us-east-1', ...options.aws },
    publicUrl: `${base}/aws`,
    callback,
  });
  await app.register(vonageSimRoutes, {
    prefix: '/vonage',
    state,
    store: stores.vonageStore,
    log,
    credentials: options.vonage,
    callback,
    inboundUrl: inboundUrl('vonage'),
  });
  await app.register(sinchSimRoutes, {
    prefix: '/sinch',
    state,
    store: stores.sinchStore,
    log,
    credentials: options.sinch,
    callback,
    inboundUrl: inboundUrl('sinch'),
  });
}

async function registerSmppSim(
  app: FastifyInstance,
  state: SimulatorState,
  log: FastifyBaseLogger,
  settings: NonNullable<SimulatorOptions['smpp']>,
): Promise<void> {
  const smsc = new SmppSimServer({ state, log, systemId: settings.systemId, password: settings.password });
  const port = await smsc.listen(settings.port, settings.host ?? '127.0.0.1');
  settings.onListening?.(port);
  log.info({ port }, 'simulated SMPP SMSC listening');
  app.addHook('onClose', async () => {
    await smsc.close();
  });
  app.post<{ Body: unknown }>('/smpp/inbound', (request, reply) => {
    const input = (request.body ?? {}) as Record<string, unknown>;
    const [from, to, body] = [input['from'], input['to'], input['body']];
    if (typeof from !== 'string' || typeof to !== 'string' || typeof body !== 'string' || body === '') {
      return reply.code(400).send({ error: 'expected JSON {from, to, body} with a non-empty body' });
    }
    if (!smsc.deliverMo(from, to, body)) {
      return reply.code(409).send({ error: 'no ESME is bound to the simulated SMSC' });
    }

    return reply.code(202).send({ queued: true });
  });
  app.get('/smpp/messages', () => smsc.snapshot());
}
