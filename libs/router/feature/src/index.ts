export * from './router.module';
export { RoutingMetrics } from './routing/routing-metrics';
