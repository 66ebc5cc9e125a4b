import { type ServicesGroup, type UpstreamRoute } from '@sms/platform';

/**
 * The public paths a distributed intake forwards, by the service that owns them (docs/api.md "One origin in
 * the distributed mode"). A service whose URL is not configured has its paths left out.
 */
export function forwardedRoutes(services: ServicesGroup): UpstreamRoute[] {
  return [
    { prefix: '/v1/providers', upstream: services.routerUrl },
    { prefix: '/v1/numbers', upstream: services.routerUrl },
    { prefix: '/v1/routes', upstream: services.routerUrl },
    { prefix: '/v1/opt-outs', upstream: services.optOutUrl },
    { prefix: '/v1/masks', upstream: services.maskingUrl },
    { prefix: '/v1/admin/webhooks', upstream: services.dlrIngestUrl },
    { prefix: '/v1/admin/receipts', upstream: services.dlrProcessorUrl },
  ].filter((route) => route.upstream !== '');
}
