import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Who may drive the simulator. Its control routes (knobs, reset, inbound injection, the message logs that
 * show what was sent, SNS subscriptions, SMPP MO) change what the gateway believes providers said, so they
 * answer only an operator: `allowed` passes, `forbidden` is a known caller without the right (403), and
 * `unknown` a missing or unknown credential (401).
 */
export type SimulatorControlVerdict = 'allowed' | 'forbidden' | 'unknown';
export type SimulatorControlAuth = (
  credential: string | null,
) => Promise<SimulatorControlVerdict> | SimulatorControlVerdict;

/**
 * Route config of the simulated provider APIs (submit, SNS certificate, subscription confirmation): these
 * authenticate the way the real provider does (account credentials, SigV4) or are public at the real provider
 * too, so the control check passes them by. Every other route of the plugin needs the control credential.
 */
export const PROVIDER_API_ROUTE = { simulatorProviderApi: true } as const;

/** `Authorization: Bearer <credential>` or `X-Api-Key: <credential>`, as the gateway's /v1 API reads keys. */
export function presentedCredential(headers: FastifyRequest['headers']): string | null {
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    return /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] ?? null;
  }
  const header = headers['x-api-key'];

  return typeof header === 'string' && header.length > 0 ? header : null;
}

/** The stand-alone simulator's check: one shared token (SIM_CONTROL_TOKEN), compared in constant time. */
export function tokenControlAuth(token: string): SimulatorControlAuth {
  if (token.length < 24) {
    throw new Error('the simulator control token must be at least 24 characters');
  }
  const expected = digest(token);

  return (credential) => (credential !== null && timingSafeEqual(digest(credential), expected) ? 'allowed' : 'unknown');
}

/** A random control token (the stand-alone app's, when a script generates one for a run). */
export const generateSimulatorToken = (): string => `simctl_${randomBytes(24).toString('base64url')}`;

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** Installs the control check on every route of `app` not marked {@link PROVIDER_API_ROUTE}. */
export function guardControlRoutes(app: FastifyInstance, controlAuth: SimulatorControlAuth): void {
  // A callback hook, not an async one: the provider APIs (a send and two receipts per message) pass straight
  // on, where an async hook made a promise and a microtask turn per request before the route could run.
  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
    const config = request.routeOptions.config as { simulatorProviderApi?: boolean } | undefined;
    if (config?.simulatorProviderApi === true) {
      done();

      return;
    }
    Promise.resolve()
      .then(() => controlAuth(presentedCredential(request.headers)))
      .then((verdict) => {
        if (verdict === 'allowed') {
          done();
        } else {
          refuseControl(reply, verdict);
        }
      }, done);
  });
}

/** The answer to a control call the check did not allow; the hook then goes no further (Fastify's early reply). */
function refuseControl(reply: FastifyReply, verdict: 'forbidden' | 'unknown'): void {
  if (verdict === 'forbidden') {
    void reply
      .code(403)
      .send({ error: { code: 'FORBIDDEN', message: 'The simulator answers operators only (admin key)' } });

    return;
  }
  void reply
    .code(401)
    .header('www-authenticate', 'Bearer')
    .send({ error: { code: 'UNAUTHORIZED', message: 'The simulator needs a credential (Authorization: Bearer)' } });
}

/**
 * The only URLs the simulator posts to: the gateway's own webhook routes (`{base}/webhooks/...`) on the
 * gateway's origin. A caller-given URL elsewhere would make the simulator a signed-request cannon aimed
 * at anything the host can reach; the path is compared after URL normalisation, so `..` cannot step out.
 */
export function webhookTargetPolicy(webhookBaseUrl: string | (() => string)): (url: string) => boolean {
  // The verdict for the last (base, url) pair is kept: every receipt of a run goes to the same callback URL,
  // and parsing both URLs again for each one was a visible part of the simulator's CPU per receipt. The
  // verdict is a function of the two strings alone, so a changed base or URL is judged afresh.
  let last: { base: string; url: string; allowed: boolean } | undefined;

  return (url) => {
    const baseUrl = typeof webhookBaseUrl === 'function' ? webhookBaseUrl() : webhookBaseUrl;
    if (last !== undefined && last.url === url && last.base === baseUrl) {
      return last.allowed;
    }
    const allowed = isGatewayWebhook(baseUrl, url);
    last = { base: baseUrl, url, allowed };

    return allowed;
  };
}

function isGatewayWebhook(baseUrl: string, url: string): boolean {
  try {
    const base = new URL(baseUrl);
    const prefix = `${base.pathname.replace(/\/+$/, '')}/webhooks/`;
    const target = new URL(url);

    return target.origin === base.origin && target.pathname.startsWith(prefix) && target.username === '';
  } catch {
    return false;
  }
}

/**
 * Where an inbound injection posts: the gateway's inbound URL for the provider. A caller may still name a URL
 * (older scripts pass `url`), but only one the target policy allows; anything else is refused (400), never
 * posted to.
 */
export function inboundTarget(
  given: unknown,
  fallback: string,
  allowTarget: (url: string) => boolean,
): { url: string } | { error: string } {
  if (given === undefined || given === null) {
    return { url: fallback };
  }
  if (typeof given === 'string' && allowTarget(given)) {
    return { url: given };
  }

  return { error: "url must be one of the gateway's webhook URLs (leave it out to use the provider's inbound URL)" };
}

/**
 * The `{from, to, body, url?}` of an MO injection and the webhook URL it goes to (inboundTarget), or the error
 * a 400 answers with. `fallback` is read only once the fields are valid, as each route did.
 */
export function injectedMo(
  input: unknown,
  fallback: () => string,
  allowTarget: (url: string) => boolean,
): { from: string; to: string; body: string; url: string } | { error: string } {
  const fields = (input ?? {}) as Record<string, unknown>;
  const [from, to, body] = [fields['from'], fields['to'], fields['body']];
  if (typeof from !== 'string' || typeof to !== 'string' || typeof body !== 'string') {
    return { error: 'expected JSON {from, to, body}' };
  }
  const target = inboundTarget(fields['url'], fallback(), allowTarget);

  return 'error' in target ? target : { from, to, body, url: target.url };
}
