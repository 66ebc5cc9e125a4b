import type { FastifyBaseLogger, FastifyPluginAsync } from 'fastify';
import { awsSimRoutes, type AwsSimSettings, DEFAULT_AWS_SIM } from './aws-sim.routes';
import { AwsSimStore } from './aws-sim.store';
import { isSimulatedProvider, SIMULATED_PROVIDERS, updateKnobs } from './simulator.knobs';
import { SimulatorState } from './simulator.state';
import { twilioSimRoutes } from './twilio-sim.routes';
import { TwilioSimStore } from './twilio-sim.store';

export interface SimulatorOptions {
  /**
   * Where this simulator is reachable from outside, e.g. `http://localhost:4010/sim` (the prefix is appended
   * when missing, so `http://localhost:4010` works too). Used in logs only.
   */
  readonly publicBaseUrl: string;
  /** The credentials the simulated Twilio accepts and signs its webhooks with. */
  readonly twilio: { readonly accountSid: string; readonly authToken: string };
  /** The simulated AWS account (key pair the SigV4 check accepts, region, SNS subscription endpoints). */
  readonly aws?: Partial<AwsSimSettings>;
  readonly logger?: FastifyBaseLogger;
  /** Seeds every knob-driven roll (errors, outcomes, duplicates, ordering) for reproducible runs. */
  readonly seed?: number;
  /** Per-attempt timeout of the webhooks the simulator posts. Default 5000 ms, like Twilio's connect budget. */
  readonly callbackTimeoutMs?: number;
  /** Pause before the single retry of a webhook answered 5xx. Default 1000 ms. */
  readonly callbackRetryDelayMs?: number;
}

/**
 * Provider simulator as a plain (encapsulated) Fastify plugin, so the same code runs inside the embedded
 * gateway's Fastify instance and as its own app. Register it with a prefix, e.g. `/sim`:
 *
 * - `{prefix}/twilio/2010-04-01/Accounts/:sid/Messages.json`: Twilio's Messages API (point the adapter's
 *   base URL at `{publicBaseUrl}{prefix}/twilio`); status callbacks are posted, signed, to `StatusCallback`.
 * - `POST {prefix}/twilio/inbound` `{from,to,body,url}`: posts a signed MO webhook to `url`.
 * - `GET {prefix}/twilio/messages`: what was received, and submits per `I-Twilio-Idempotency-Token`.
 * - `POST {prefix}/aws/`: EUM SMS v2 `SendTextMessage` (X-Amz-Target) and SNS `Publish` (query), SigV4-checked;
 *   events go out as signed SNS deliveries to the events topic's subscriber; `GET {prefix}/aws/sns-cert.pem`
 *   serves the signing certificate; `POST {prefix}/aws/inbound` `{from,to,body,url?}` posts an MO;
 *   `PUT {prefix}/aws/subscriptions` `{events?,inbound?}` subscribes endpoints (SubscriptionConfirmation first);
 *   `GET {prefix}/aws/messages`.
 * - `GET|PUT {prefix}/knobs/:provider`: fault injection (PUT merges a partial update), `POST {prefix}/reset`.
 */
export const simulatorPlugin: FastifyPluginAsync<SimulatorOptions> = async (app, options) => {
  const log = options.logger ?? app.log;
  const state = new SimulatorState(options.seed);
  const twilioStore = new TwilioSimStore();
  const awsStore = new AwsSimStore();
  state.onReset(() => twilioStore.reset());
  state.onReset(() => awsStore.reset());
  const root = options.publicBaseUrl.replace(/\/+$/, '');
  const base = root.endsWith(app.prefix) ? root : `${root}${app.prefix}`;
  const callback = {
    timeoutMs: options.callbackTimeoutMs ?? 5_000,
    retryDelayMs: options.callbackRetryDelayMs ?? 1_000,
  };

  // preClose runs before Fastify waits for in-flight requests: release withheld responses so close completes.
  app.addHook('preClose', (done) => {
    state.scheduler.close();
    done();
  });
  app.addHook('onClose', (_instance, done) => {
    state.scheduler.close();
    done();
  });

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

  await app.register(twilioSimRoutes, {
    prefix: '/twilio',
    state,
    store: twilioStore,
    log,
    accountSid: options.twilio.accountSid,
    authToken: options.twilio.authToken,
    callback,
  });
  await app.register(awsSimRoutes, {
    prefix: '/aws',
    state,
    store: awsStore,
    log,
    settings: { ...DEFAULT_AWS_SIM, ...options.aws },
    publicUrl: `${base}/aws`,
    callback,
  });

  log.info(
    { twilioBaseUrl: `${base}/twilio`, awsEndpoint: `${base}/aws`, knobs: `${base}/knobs/:provider` },
    'provider simulator ready',
  );
};
