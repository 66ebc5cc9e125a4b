export * from './router.module';
export { noRouteBacklogByCountry, RoutingMetrics } from './routing/routing-metrics';
export { HealthRecorder } from './routing/health.recorder';
export { RedisRoutingState } from './state/redis-routing-state';
