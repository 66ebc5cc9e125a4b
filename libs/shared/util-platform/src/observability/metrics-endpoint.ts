import { createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { renderMetrics } from '@sms/metrics';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AppConfig } from '../config/app.config';

/**
 * /metrics names providers, countries, backlogs and consumer groups: operational detail that is nobody's
 * business on the public API port. It is served in two ways, each opt-in:
 *  - a separate listener (METRICS_PORT > 0) on METRICS_HOST, 127.0.0.1 unless a deployment opens it to
 *    its scraper (the pod network in k8s, the compose network); nothing else is served there;
 *  - the API port, only with METRICS_TOKEN set, and then only to `Authorization: Bearer <token>`.
 * With neither set, no listener serves /metrics: the default never exposes it unauthenticated. A token,
 * when set, is required on the separate listener too.
 */

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Constant-time comparison of a presented bearer token with the configured one. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer +(\S+)$/i.exec(header ?? '');

  return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), digest(token));
}

/** Registers GET /metrics on `fastify`; with a token, anything but the right bearer gets 401. */
export function serveMetrics(fastify: FastifyInstance, token: string): void {
  fastify.get('/metrics', async (request, reply) => {
    if (token !== '' && !bearerMatches(request.headers.authorization, token)) {
      await reply
        .status(401)
        .header('www-authenticate', 'Bearer realm="metrics"')
        .send({
          error: { code: 'UNAUTHORIZED', message: 'Metrics need the metrics token (Authorization: Bearer <token>)' },
        });

      return;
    }
    const { contentType, body } = await renderMetrics();
    await reply.header('content-type', contentType).send(body);
  });
}

export interface MetricsListener {
  readonly port: number;
  close(): Promise<void>;
}

/** Starts the separate metrics listener when METRICS_PORT is set (0 = none). */
export async function startMetricsListener(config: Pick<AppConfig, 'metrics'>): Promise<MetricsListener | null> {
  if (config.metrics.port === 0) {
    return null;
  }
  const fastify = Fastify({ logger: false });
  serveMetrics(fastify, config.metrics.token);
  fastify.setNotFoundHandler(async (_request, reply) => {
    await reply.status(404).send({ error: { code: 'NOT_FOUND', message: 'Only /metrics is served here' } });
  });
  await fastify.listen({ port: config.metrics.port, host: config.metrics.host });

  return {
    port: (fastify.server.address() as AddressInfo).port,
    close: () => fastify.close(),
  };
}
