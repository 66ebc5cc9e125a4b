export * from './router.module';
export { noRouteBacklogByCountry, RoutingMetrics } from './routing/routing-metrics';
