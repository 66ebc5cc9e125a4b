import { ApiError, MAX_BODY_BYTES, notFound } from '@sms/platform';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { metrics } from '@sms/metrics';
import { flatHeaders } from './request-headers';
import { SourceRateLimiter } from './source-rate-limit';
import type { WebhookIngestService, WebhookKind } from './webhook-ingest.service';

export interface WebhookRoutesOptions {
  readonly ingest: Pick<WebhookIngestService, 'knows' | 'ingest'>;
  /** The URL providers call, as they sign it (PUBLIC_BASE_URL): the request's path is appended. */
  readonly publicBaseUrl: string;
  /** Per-source token bucket (client IP); absent = no limit (the DLR bench measures the route alone). */
  readonly rateLimit?: { readonly perSecond: number; readonly burst: number };
}

/** Content types providers post webhooks with; each body is kept as the exact text received. */
const WEBHOOK_CONTENT_TYPES = ['application/json', 'application/x-www-form-urlencoded', 'text/plain'];

type WebhookRequest = FastifyRequest<{ Params: { provider: string; kind: string } }>;

/**
 * `POST|GET /webhooks/:provider/:kind` as plain Fastify routes, in an encapsulated plugin with body
 * parsers of its own. Providers authenticate by signature, not by our API keys, so nothing of Nest's
 * request pipeline (guards, pipes, interceptors) applies to them, and in a receipt storm that pipeline
 * was pure cost on top of Fastify's own (docs/performance.md, "Receipts"). The DLR bench
 * mounts this same plugin, so what it measures is what dlr-ingest serves. Errors thrown here reach the
 * application's error handler (in the services, Nest's, which formats them as api.md says).
 *
 * Every body is read as text, whatever JSON or form parsing would make of it: the raw store keeps the
 * bytes the signature covers, and a malformed body is the provider parser's business after the
 * signature check (unsigned → 401, forged → 403, before any parse error could answer 400).
 */
export function webhookRoutes(options: WebhookRoutesOptions) {
  return async (fastify: FastifyInstance): Promise<void> => {
    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser(
      WEBHOOK_CONTENT_TYPES,
      { parseAs: 'string', bodyLimit: MAX_BODY_BYTES },
      (_request, body, done) => done(null, body),
    );
    const limiter = options.rateLimit
      ? new SourceRateLimiter(options.rateLimit.perSecond, options.rateLimit.burst)
      : null;
    if (limiter) {
      // Before the body is read: a refused source costs neither the parse nor a signature check.
      fastify.addHook('onRequest', async (request: WebhookRequest) => {
        const retryAfter = limiter.take(request.ip);
        if (retryAfter > 0) {
          const provider = request.params?.provider;
          // Only configured providers become a label: a path segment an attacker picks must not mint series.
          const label = provider !== undefined && options.ingest.knows(provider) ? provider : 'other';
          metrics.dlrRejected.inc({ provider: label, reason: 'rate_limited' });
          throw new ApiError(429, 'RATE_LIMITED', 'Too many webhook requests from this address', undefined, {
            'retry-after': String(retryAfter),
          });
        }
      });
    }
    const handler = (request: WebhookRequest, reply: FastifyReply) => receive(options, request, reply);
    fastify.post('/webhooks/:provider/:kind', handler);
    // Some providers can be set to call with GET, the params in the query string (Vonage's "GET" format,
    // Twilio's MO option): the URL, query included, is what the adapter verifies and parses.
    fastify.get('/webhooks/:provider/:kind', handler);
  };
}

async function receive(options: WebhookRoutesOptions, request: WebhookRequest, reply: FastifyReply): Promise<void> {
  const { provider, kind } = request.params;
  if ((kind !== 'status' && kind !== 'inbound') || !options.ingest.knows(provider)) {
    throw notFound('Webhook');
  }
  const webhookKind: WebhookKind = kind;
  const result = await options.ingest.ingest(provider, webhookKind, {
    url: `${options.publicBaseUrl}${request.url}`,
    method: request.method,
    headers: flatHeaders(request.headers),
    body: typeof request.body === 'string' ? request.body : '',
    contentType: request.headers['content-type'] ?? '',
  });
  if (!result.verified) {
    // Counted (and sampled) either way; the answer tells an unsigned request from a forged or an expired one.
    if (result.expired === true) {
      throw new ApiError(403, 'WEBHOOK_EXPIRED', 'Webhook was signed outside the accepted time window');
    }
    if (result.signed === false) {
      throw new ApiError(401, 'SIGNATURE_MISSING', 'Webhook carries no signature');
    }
    throw new ApiError(403, 'INVALID_SIGNATURE', 'Webhook signature verification failed');
  }
  await reply.status(200).header('content-type', 'text/plain').send('');
}
