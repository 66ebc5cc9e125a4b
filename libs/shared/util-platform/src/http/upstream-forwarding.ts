import replyFrom from '@fastify/reply-from';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './api-error';

/** A public path prefix another service owns, and that service's base URL. */
export interface UpstreamRoute {
  /** `/v1/providers`: the prefix itself and everything under it (`/v1/providers/...`). */
  readonly prefix: string;
  readonly upstream: string;
}

export interface UpstreamForwardingOptions {
  /** Longest wait for the upstream's connection and for its answer's headers, and between body chunks. */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
// HEAD comes with GET (Fastify exposes a HEAD route for every GET route).
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * Request headers a proxy must not pass on as the client sent them: hop-by-hop ones (reply-from drops those
 * and every header `Connection` names) and the forwarding headers this proxy sets itself, so a caller cannot
 * pose as another host or scheme to the service behind it. `X-Forwarded-For` keeps its chain with the peer
 * this proxy saw appended, as every proxy does: the service decides how many hops it trusts.
 */
const DROPPED_REQUEST_HEADERS = ['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'forwarded', 'x-real-ip'];

function forwardedFor(request: Pick<FastifyRequest, 'headers' | 'socket'>): string {
  const chain = request.headers['x-forwarded-for'];
  const previous = (Array.isArray(chain) ? chain.join(', ') : (chain ?? '')).trim();
  const peer = request.socket.remoteAddress ?? 'unknown';

  return previous === '' ? peer : `${previous}, ${peer}`;
}

const upstreamUnavailable = (prefix: string): ApiError =>
  new ApiError(502, 'UPSTREAM_UNAVAILABLE', `The service that serves ${prefix} could not be reached in time`);

/**
 * Forwards the public paths other services own to them (distributed mode), so a browser talks to one origin.
 * The request goes as it came: method, path and query, the body as received, the API key (the service
 * authenticates it itself). Hop-by-hop and forwarding headers are rebuilt by this proxy; no retries (a
 * POST must not run twice); an upstream that cannot be reached or answer in time is 502 UPSTREAM_UNAVAILABLE
 * in the API's error shape. A prefix with an empty upstream is not registered.
 */
export async function forwardUpstreams(
  fastify: FastifyInstance,
  routes: readonly UpstreamRoute[],
  options: UpstreamForwardingOptions = {},
): Promise<void> {
  const active = routes.filter((route) => route.upstream !== '');
  if (active.length === 0) {
    return;
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  await fastify.register(replyFrom, {
    undici: { connections: 64, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connect: { timeout: timeoutMs } },
    disableRequestLogging: true,
  });
  for (const route of active) {
    const upstream = route.upstream.replace(/\/$/, '');
    const handler = (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
      const raw = (request as FastifyRequest & { rawBody?: Buffer }).rawBody;
      const contentType = request.headers['content-type'];

      return reply.from(`${upstream}${request.url}`, {
        // Never retried: the upstream may have acted on a request whose answer was lost.
        retryDelay: () => null,
        ...(raw !== undefined && typeof contentType === 'string' ? { body: raw.toString('utf8'), contentType } : {}),
        rewriteRequestHeaders: (original, headers) => {
          const forwarded: Record<string, string | string[] | undefined> = { ...headers };
          for (const name of DROPPED_REQUEST_HEADERS) {
            delete forwarded[name];
          }

          return { ...forwarded, 'x-forwarded-for': forwardedFor(original), 'x-forwarded-proto': original.protocol };
        },
        onError: (failed) => {
          const error = upstreamUnavailable(route.prefix);
          void failed.code(error.status).type('application/json').send(error.toBody());
        },
      });
    };
    fastify.route({ method: [...METHODS], url: route.prefix, handler });
    fastify.route({ method: [...METHODS], url: `${route.prefix}/*`, handler });
  }
}
