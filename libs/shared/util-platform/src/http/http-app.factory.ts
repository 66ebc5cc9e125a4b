import { type DynamicModule, type INestApplication, Logger, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { fastify as createFastify, type FastifyInstance } from 'fastify';
import type { AppConfig } from '../config/app.config';
import { ShutdownRegistry } from '../lifecycle/shutdown.registry';
import { JsonLogger } from '../logging/json.logger';
import { otelDiagLogger } from '../logging/otel-diag.adapter';
import { ApiErrorFilter, type UnavailablePredicate } from './api-error.filter';
import { acceptEmptyBodylessRequests } from './empty-body';
import { buildOpenApiDocument } from './openapi/openapi-document';
import { applyRouteBodyLimits } from './route-body-limit';
import { initTracing } from '@sms/tracing';
import { installHttpObservability } from '../observability/http-observability';
import { serveMetrics, startMetricsListener } from '../observability/metrics-endpoint';

/** api.md: a request body over 64 KB is refused with 413 before it is parsed. */
export const MAX_BODY_BYTES = 64 * 1024;

export interface HttpAppOptions {
  readonly module: Type<unknown> | DynamicModule;
  readonly config: AppConfig;
  readonly processName: string;
  readonly isUnavailable?: UnavailablePredicate;
  /** Register extra Fastify plugins (e.g. the simulator) before Nest's routes are mounted. */
  readonly configureFastify?: (fastify: FastifyInstance) => Promise<void> | void;
  readonly logger?: JsonLogger;
}

/** Builds a Nest application on Fastify with the house error format, Swagger and health routes. */
export async function createHttpApp(options: HttpAppOptions): Promise<NestFastifyApplication> {
  // Before anything else starts work: spans need the provider (a no-op unless OTEL_EXPORTER_OTLP_* is set).
  initTracing({ serviceName: options.processName, diagLogger: otelDiagLogger() });
  // The server is the project's own Fastify (package.json), handed to Nest's adapter, which would otherwise
  // build one from the copy it pins (5.8.5): that copy's content-type parser binds an AsyncResource per
  // request with a body, and Node 20's bind defines two deprecation wrappers each time, so every POST (the
  // API's, the simulator's sends, the receipts) cost more CPU (docs/performance.md, "Embedded CPU per
  // message"). The adapter only uses the package to build the instance. Its version constraint comes with
  // it only when it builds the instance: route versioning (unused here) would need it passed in.
  const server = createFastify({ bodyLimit: MAX_BODY_BYTES, trustProxy: true, return503OnClosing: true });
  const adapter = new FastifyAdapter(server as unknown as ConstructorParameters<typeof FastifyAdapter>[0]);
  const logger =
    options.logger ??
    new JsonLogger(options.processName, options.config.logging.level, undefined, {
      redactKeys: options.config.logging.redactKeys,
    });
  const app = await NestFactory.create<NestFastifyApplication>(options.module, adapter, {
    logger,
    rawBody: true,
    bufferLogs: false,
    abortOnError: false,
  });
  const filter = new ApiErrorFilter(options.isUnavailable);
  app.useGlobalFilters(filter);
  // Fastify's own request errors (body limit, bad JSON, media type) reach the same filter through
  // Nest's error handler, so one place formats every error.
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  installHttpObservability(fastify, options.processName);
  acceptEmptyBodylessRequests(fastify);
  applyRouteBodyLimits(fastify);
  // /metrics on the API port only behind its token; the separate listener is the other way (metrics-endpoint.ts).
  if (options.config.metrics.token !== '') {
    serveMetrics(fastify, options.config.metrics.token);
  }
  const metricsListener = await startMetricsListener(options.config);
  if (metricsListener) {
    // Last phase: a scrape still answers while the process drains.
    app.get(ShutdownRegistry).register('storage', 'metrics-listener', () => metricsListener.close());
  }
  if (options.configureFastify) {
    await options.configureFastify(fastify);
  }
  // Built on the first request for it (/docs or /openapi.json), not at start: a service that nobody asks for
  // its document does not keep it, nor the scan that builds it, in its heap.
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), { jsonDocumentUrl: 'openapi.json' });

  return app;
}

/**
 * SIGTERM/SIGINT: readiness turns 503, the HTTP server stops accepting and finishes in-flight
 * requests, then the registry stops consumers (committing offsets) and closes storage.
 */
export function installGracefulShutdown(app: INestApplication, onDone: () => void = () => process.exit(0)): void {
  const logger = new Logger('shutdown');
  let started = false;
  const handler = (signal: string): void => {
    if (started) {
      return;
    }
    started = true;
    logger.log(`${signal} received: draining`);
    const registry = app.get(ShutdownRegistry);
    void (async () => {
      try {
        registry.beginShutdown();
        // Stop taking requests first and let in-flight ones finish; then the lifecycle closes the rest.
        await app.getHttpAdapter().close();
        await app.close();
      } catch (error) {
        logger.error(`shutdown failed: ${String(error)}`);
      }
      onDone();
    })();
  };
  process.once('SIGTERM', () => handler('SIGTERM'));
  process.once('SIGINT', () => handler('SIGINT'));
}
