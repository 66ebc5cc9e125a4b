import { type Context, context, propagation, ROOT_CONTEXT, type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import { metrics } from '@sms/metrics';
import { isTracingActive, SpanKind, tracer } from '@sms/tracing';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Routes that a scrape or a probe hits every few seconds: counted, never traced. */
const UNTRACED = new Set(['/metrics', '/healthz', '/readyz']);

interface Observed {
  readonly startedAt: number;
  readonly span?: Span;
  readonly context?: Context;
}

const observedRequests = new WeakMap<FastifyRequest, Observed>();

/**
 * Adds to any Fastify instance (the embedded gateway, each service):
 *  - request rate, errors (status_code label) and latency per route template;
 *  - a SERVER span per request, child of an incoming `traceparent`, made active for the handler.
 *
 * The span is re-activated in preHandler, not only in onRequest: the body is parsed on the socket's
 * stream events, which would otherwise run the handler outside the request's async context.
 */
export function installHttpObservability(fastify: FastifyInstance, service: string): void {
  // Decided once: tracing is installed before the app is built (createHttpApp), or never.
  const tracing = isTracingActive();
  fastify.addHook('onRequest', (request, _reply, done) => {
    const path = request.url.split('?')[0] ?? request.url;
    if (!tracing || UNTRACED.has(path)) {
      observedRequests.set(request, { startedAt: performance.now() });
      done();

      return;
    }
    const parent = propagation.extract(ROOT_CONTEXT, request.headers, {
      keys: (carrier) => Object.keys(carrier),
      get: (carrier, key) => {
        const value = carrier[key];

        return Array.isArray(value) ? value[0] : value;
      },
    });
    const span = tracer().startSpan(
      `${request.method} ${request.routeOptions.url ?? 'unmatched'}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': request.method,
          'http.route': request.routeOptions.url ?? 'unmatched',
          'url.path': path,
          'sms.service': service,
        },
      },
      parent,
    );
    const active = trace.setSpan(parent, span);
    observedRequests.set(request, { startedAt: performance.now(), span, context: active });
    context.with(active, done);
  });

  if (tracing) {
    fastify.addHook('preHandler', (request, _reply, done) => {
      const observed = observedRequests.get(request);
      if (observed?.context) {
        context.with(observed.context, done);

        return;
      }
      done();
    });
  }

  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done) => {
    const observed = observedRequests.get(request);
    const labels = {
      service,
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status_code: String(reply.statusCode),
    };
    metrics.httpRequests.inc(labels);
    if (observed) {
      metrics.httpRequestDuration.observe(labels, (performance.now() - observed.startedAt) / 1000);
      if (observed.span) {
        observed.span.setAttribute('http.response.status_code', reply.statusCode);
        if (reply.statusCode >= 500) {
          observed.span.setStatus({ code: SpanStatusCode.ERROR });
        }
        observed.span.end();
      }
    }
    done();
  });
}
