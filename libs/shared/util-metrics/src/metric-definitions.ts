import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Every Prometheus metric of the gateway, defined once. Services only call `metrics.<name>.inc()` /
 * `.observe()` / `.set()`; the dashboard (deploy/grafana) and alert rules (deploy/prometheus) are tested
 * against {@link METRIC_NAMES}, so a metric renamed here breaks those tests rather than a panel at 3 am.
 *
 * Labels are bounded: provider ids, ISO country codes, topic/partition, status enums. Never a phone
 * number, ours or a recipient's, and never a message id: a scrape is read by people and systems that
 * see no message data, and a number would also make a series per number.
 */
export const metricsRegistry = new Registry();

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LAG_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

const registers = [metricsRegistry];

export const metrics = {
  // --- HTTP (every service; recorded by the platform's Fastify hooks) ---
  httpRequests: new Counter({
    name: 'sms_http_requests_total',
    help: 'HTTP requests answered, by route template and status code (5xx = errors)',
    labelNames: ['service', 'method', 'route', 'status_code'] as const,
    registers,
  }),
  httpRequestDuration: new Histogram({
    name: 'sms_http_request_duration_seconds',
    help: 'HTTP request latency from first byte to response sent',
    labelNames: ['service', 'method', 'route', 'status_code'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  }),

  // --- Messages ---
  messages: new Counter({
    name: 'sms_messages_total',
    help: 'Message status changes applied to the ledger (queued, sent, delivered, failed, ...) by provider and country',
    labelNames: ['status', 'provider', 'country'] as const,
    registers,
  }),
  messageCost: new Counter({
    name: 'sms_message_cost_total',
    help: 'Provider cost reported on sent/delivered events, in the reported currency',
    labelNames: ['provider', 'country', 'currency'] as const,
    registers,
  }),

  // --- Providers ---
  providerSendDuration: new Histogram({
    name: 'sms_provider_send_duration_seconds',
    help: 'Provider send call latency by outcome (sent, transient, permanent, opted_out, configuration)',
    labelNames: ['provider', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  }),
  providerSends: new Counter({
    name: 'sms_provider_sends_total',
    help: 'Provider send calls by outcome; error rate = outcome!="sent" / all',
    labelNames: ['provider', 'outcome'] as const,
    registers,
  }),
  providerHealth: new Gauge({
    name: 'sms_provider_health',
    help: 'Provider health as the router sees it: 1 healthy, 0.5 degraded, 0 unhealthy (skipped)',
    labelNames: ['provider'] as const,
    registers,
  }),

  // --- Bus ---
  consumerLag: new Gauge({
    name: 'sms_consumer_lag',
    help: 'Records behind per consumer group, topic and partition (log end offset - committed offset)',
    labelNames: ['group', 'topic', 'partition'] as const,
    registers,
  }),
  busRecordsConsumed: new Counter({
    name: 'sms_bus_records_consumed_total',
    help: 'Handler invocations per topic by outcome (ok, error, infra_error, dead_lettered; ignored: passed over unparsed)',
    labelNames: ['topic', 'outcome'] as const,
    registers,
  }),
  busHandlerDuration: new Histogram({
    name: 'sms_bus_handler_duration_seconds',
    help: 'Time a consumer handler took per record',
    labelNames: ['topic'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  }),
  busInfraRetries: new Counter({
    name: 'sms_bus_infra_retries_total',
    help: 'Handler failures classified as infrastructure errors (database, Redis, Kafka down), retried without counting toward the attempts',
    labelNames: ['topic'] as const,
    registers,
  }),
  busPartitionsPaused: new Gauge({
    name: 'sms_bus_partitions_paused',
    help: 'Partitions paused on an infrastructure error: no new record started, nothing committed past the failed one',
    labelNames: ['topic'] as const,
    registers,
  }),
  busPauses: new Counter({
    name: 'sms_bus_partition_pauses_total',
    help: 'Times a partition paused on an infrastructure error',
    labelNames: ['topic'] as const,
    registers,
  }),
  busDlqReplayed: new Counter({
    name: 'sms_bus_dlq_replayed_total',
    help: 'Dead-lettered records put back on their source topic by a DLQ replay, per DLQ topic',
    labelNames: ['topic'] as const,
    registers,
  }),
  busRecordsPublished: new Counter({
    name: 'sms_bus_records_published_total',
    help: 'Records accepted by the bus per topic',
    labelNames: ['topic'] as const,
    registers,
  }),

  // --- Backlogs ---
  outboxBacklog: new Gauge({
    name: 'sms_outbox_backlog',
    help: 'Outbox rows committed but not yet published, per outbox table',
    labelNames: ['outbox'] as const,
    registers,
  }),
  retryBacklog: new Gauge({
    name: 'sms_retry_backlog',
    help: 'Messages waiting for a scheduled retry (next_retry_at set, not final)',
    registers,
  }),
  retryDue: new Gauge({
    name: 'sms_retry_due',
    help: 'Messages whose retry time has passed but which have not been republished yet',
    registers,
  }),
  noRoute: new Counter({
    name: 'sms_no_route_total',
    help: 'Routing decisions that found no provider for the destination country',
    labelNames: ['country'] as const,
    registers,
  }),
  noRouteExpired: new Counter({
    name: 'sms_no_route_expired_total',
    help: 'Messages failed with NO_ROUTE because no provider could take them before their validity (or the router max wait) passed',
    labelNames: ['country', 'reason'] as const,
    registers,
  }),
  numberLookups: new Counter({
    name: 'sms_number_lookups_total',
    help: 'Destination network resolutions before routing (portability): a cache hit, a lookup and its outcome',
    labelNames: ['country', 'outcome'] as const,
    registers,
  }),
  queuedNoRoute: new Gauge({
    name: 'sms_queued_no_route',
    help: 'Queued messages per destination country that currently have no route',
    labelNames: ['country'] as const,
    registers,
  }),

  // --- Receipts and callbacks ---
  dlrReceived: new Counter({
    name: 'sms_dlr_received_total',
    help: 'Provider webhooks stored by dlr-ingest, by kind (status, inbound) and signature result',
    labelNames: ['provider', 'kind', 'verified'] as const,
    registers,
  }),
  dlrRejected: new Counter({
    name: 'sms_dlr_rejected_total',
    help: 'Provider webhooks dlr-ingest refused, by reason (unsigned, forged, expired, rate_limited); only a bounded sample is stored',
    labelNames: ['provider', 'reason'] as const,
    registers,
  }),
  dlrRejectedSampled: new Counter({
    name: 'sms_dlr_rejected_sampled_total',
    help: 'Refused provider webhooks dlr-ingest stored as evidence (the first DLR_REJECTED_SAMPLE_PER_MINUTE each minute, body cut)',
    labelNames: ['provider'] as const,
    registers,
  }),
  dlrPublishDeferred: new Counter({
    name: 'sms_dlr_publish_deferred_total',
    help: 'Accepted webhooks dlr-ingest could not publish at once (bus failure or full queue); the sweep publishes them',
    registers,
  }),
  dlrPublishSwept: new Counter({
    name: 'sms_dlr_publish_swept_total',
    help: 'Accepted webhooks published by the sweep after their first publish failed or never happened',
    registers,
  }),
  dlrProcessingLag: new Histogram({
    name: 'sms_dlr_processing_lag_seconds',
    help: 'Time from a webhook reaching dlr-ingest to dlr-processor publishing its canonical event',
    labelNames: ['provider'] as const,
    buckets: LAG_BUCKETS,
    registers,
  }),
  dlrProcessed: new Counter({
    name: 'sms_dlr_processed_total',
    help: 'Delivery receipts processed by result (correlated, parked, unreadable)',
    labelNames: ['provider', 'result'] as const,
    registers,
  }),
  callbackDeliveries: new Counter({
    name: 'sms_callback_deliveries_total',
    help: 'Caller callback attempts by outcome (delivered, retry, failed)',
    labelNames: ['outcome'] as const,
    registers,
  }),
  callbackFailures: new Counter({
    name: 'sms_callback_failures_total',
    help: 'Caller callback attempts that failed, by reason (timeout, http_4xx, http_5xx, network, gave_up)',
    labelNames: ['reason'] as const,
    registers,
  }),
  webhookDeliveries: new Counter({
    name: 'sms_webhook_deliveries_total',
    help: 'Account webhook attempts by outcome (delivered, failed, refused, expired)',
    labelNames: ['outcome'] as const,
    registers,
  }),

  // --- Rate limits ---
  rateLimitDelay: new Histogram({
    name: 'sms_rate_limit_delay_seconds',
    help: 'Delay imposed by the per-sender-number carrier rate limit before a send, by provider',
    labelNames: ['provider'] as const,
    buckets: [0, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers,
  }),

  // --- Admission limits (intake; docs/limits.md) ---
  limitRefusals: new Counter({
    name: 'sms_limit_refusals_total',
    help: 'Send requests refused by an account limit or permission, by error code and path (rest, topic)',
    labelNames: ['code', 'path'] as const,
    registers,
  }),
  pumpingBlocks: new Counter({
    name: 'sms_pumping_blocks_total',
    help: 'Account blocks set by the pumping guard, by reason (sequential, high_cost) and destination country',
    labelNames: ['reason', 'country'] as const,
    registers,
  }),

  // --- The exporter itself ---
  metricsPollFailed: new Gauge({
    name: 'sms_metrics_poll_failed',
    help: 'Scrape-time polls (backlog, lag) that failed or timed out on the last scrape (1) or succeeded (0)',
    labelNames: ['poll'] as const,
    registers,
  }),
} as const;

export type GatewayMetrics = typeof metrics;

/** Every metric name a dashboard or alert may reference (histograms add _bucket, _sum and _count). */
export const METRIC_NAMES: readonly string[] = Object.values(metrics).map(
  (metric) => (metric as unknown as { name: string }).name,
);
