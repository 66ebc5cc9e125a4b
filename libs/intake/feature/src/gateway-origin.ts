import { type AppConfig, type UpstreamRoute } from '@sms/platform';

/**
 * The public paths a distributed intake forwards, by the service that owns them (docs/api.md "One origin in
 * the distributed mode"). A service whose URL is not configured has its paths left out.
 */
export function forwardedRoutes(
  config: Pick<AppConfig, 'ROUTER_URL' | 'OPT_OUT_URL' | 'MASKING_URL' | 'DLR_INGEST_URL' | 'DLR_PROCESSOR_URL'>,
): UpstreamRoute[] {
  return [
    { prefix: '/v1/providers', upstream: config.ROUTER_URL },
    { prefix: '/v1/numbers', upstream: config.ROUTER_URL },
    { prefix: '/v1/routes', upstream: config.ROUTER_URL },
    { prefix: '/v1/opt-outs', upstream: config.OPT_OUT_URL },
    { prefix: '/v1/masks', upstream: config.MASKING_URL },
    { prefix: '/v1/admin/webhooks', upstream: config.DLR_INGEST_URL },
    { prefix: '/v1/admin/receipts', upstream: config.DLR_PROCESSOR_URL },
  ].filter((route) => route.upstream !== '');
}
