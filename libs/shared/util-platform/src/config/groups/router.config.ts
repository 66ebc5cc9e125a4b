import type { SettingsReader } from '@sms/config-kit';

/** `config.router`: routing's waits, route-quality buckets and number lookups (docs/routing.md). */
export interface RouterGroup {
  /**
   * How long a message without a validity period may wait for a route (every provider for its country off or
   * unhealthy), counted from its acceptance; then it ends `failed` with NO_ROUTE. Default: the longest validity a
   * caller may ask for (api.md: 72 h). A message with a validity waits until its validity passes instead.
   */
  readonly noRouteMaxWaitSeconds: number;
  /**
   * Length of a route-quality short bucket. Quality counts are flushed once per bucket; the score reads the last
   * hour of buckets plus the hourly roll-ups.
   */
  readonly qualityBucketSeconds: number;
  /**
   * The recent window the score reads from the short buckets: how fast routing forgets a route's recent
   * outcomes. At most an hour (the roll-ups hold the hours before it); at least two buckets.
   */
  readonly qualityWindowSeconds: number;
  /** Days of hourly route-quality roll-ups the score reads (older rows stay, unread); 0 reads the recent window alone. */
  readonly qualityHistoryDays: number;
  /**
   * Twilio Lookup v2 base of number portability lookups; empty means the in-process simulator's
   * `/sim/twilio-lookups` when SIMULATOR_ENABLED, else Twilio's own. Lookups run only for countries an operator
   * enabled (PUT /v1/routes/lookups/:country).
   */
  readonly lookupTwilioBaseUrl: string;
  /** The longest routing waits for a number lookup before it routes by prefix. */
  readonly lookupTimeoutMs: number;
  /** A failed or timed-out lookup is remembered this long, so an outage costs one lookup per number per interval. */
  readonly lookupFailureTtlSeconds: number;
  /** Lookup answers kept in memory in the embedded mode (least recently used dropped first); Redis keeps them distributed. */
  readonly lookupCacheCapacity: number;
}

export function readRouterGroup(read: SettingsReader): RouterGroup {
  const group: RouterGroup = {
    noRouteMaxWaitSeconds: read.int('ROUTER_NO_ROUTE_MAX_WAIT_SECONDS', { default: 259_200, min: 1, max: 259_200 }),
    qualityBucketSeconds: read.int('ROUTE_QUALITY_BUCKET_SECONDS', { default: 60, min: 1, max: 3_600 }),
    qualityWindowSeconds: read.int('ROUTE_QUALITY_WINDOW_SECONDS', { default: 3_600, min: 2, max: 3_600 }),
    qualityHistoryDays: read.int('ROUTE_QUALITY_HISTORY_DAYS', { default: 7, min: 0, max: 90 }),
    lookupTwilioBaseUrl: read.url('NUMBER_LOOKUP_TWILIO_BASE_URL', { default: '' }),
    lookupTimeoutMs: read.int('NUMBER_LOOKUP_TIMEOUT_MS', { default: 1_000, min: 50, max: 10_000, unit: 'ms' }),
    lookupFailureTtlSeconds: read.int('NUMBER_LOOKUP_FAILURE_TTL_SECONDS', { default: 60, min: 1, max: 86_400 }),
    lookupCacheCapacity: read.int('NUMBER_LOOKUP_CACHE_CAPACITY', { default: 100_000, min: 100, max: 10_000_000 }),
  };
  // A window of less than two buckets would hold at most one flushed bucket: the score would jump at each flush.
  read.require(
    group.qualityWindowSeconds >= 2 * group.qualityBucketSeconds,
    ['ROUTE_QUALITY_WINDOW_SECONDS', 'ROUTE_QUALITY_BUCKET_SECONDS'],
    'contradict: the window must hold at least two buckets',
  );

  return group;
}
