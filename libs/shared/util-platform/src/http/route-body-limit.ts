import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';

/**
 * Raises one route's request body limit above MAX_BODY_BYTES (a batch of messages is bigger than one message).
 * The limit travels in the route's Fastify config; {@link applyRouteBodyLimits} turns it into the route's
 * `bodyLimit`, which Fastify checks while reading the body, so an oversized body is still 413 before parsing.
 */
export const RouteBodyLimit = (bytes: number): MethodDecorator => RouteConfig({ bodyLimit: bytes });

/** Installs the hook that applies {@link RouteBodyLimit}; must run before the routes are registered. */
export function applyRouteBodyLimits(fastify: FastifyInstance): void {
  fastify.addHook('onRoute', (route) => {
    const config: { bodyLimit?: unknown } | undefined = route.config;
    const limit = config?.bodyLimit;
    if (typeof limit === 'number' && Number.isInteger(limit) && limit > 0) {
      route.bodyLimit = limit;
    }
  });
}
