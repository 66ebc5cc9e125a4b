import type { KeyValueStore } from '@sms/counters';
import { metrics } from '@sms/metrics';
import type { AppConfig, RouterGroup } from '@sms/platform';
import type { NumberLookup } from '@sms/provider-port';
import { TWILIO_LOOKUP_DEFAULT_BASE_URL, TwilioNumberLookup } from '@sms/provider-twilio';
import type { DataSource } from 'typeorm';
import { KvLookupCache, LruLookupCache } from './lookup-cache';
import { LookupSettings } from './lookup-settings';
import { NetworkResolver } from './network-resolver';

/** Where the in-process simulator serves Twilio Lookup v2 (libs/simulator, `{prefix}/twilio-lookups`). */
const SIMULATED_LOOKUPS_PATH = '/sim/twilio-lookups';

/** The lookup sources this deployment has, by the id operators name in a country's setting. */
export function lookupSources(config: AppConfig, router: RouterGroup): Map<string, NumberLookup> {
  const baseUrl = (
    router.lookupTwilioBaseUrl ||
    (config.simulator.enabled
      ? `http://127.0.0.1:${config.http.port}${SIMULATED_LOOKUPS_PATH}`
      : TWILIO_LOOKUP_DEFAULT_BASE_URL)
  ).replace(/\/+$/, '');
  const twilio = new TwilioNumberLookup({
    accountSid: config.providers.twilio.accountSid,
    authToken: config.providers.twilio.authToken,
    baseUrl,
    timeoutMs: router.lookupTimeoutMs,
  });

  return new Map([[twilio.source, twilio]]);
}

/** The resolver with the mode's cache: Redis (shared by replicas) distributed, an in-process LRU embedded. */
export function createNetworkResolver(
  config: AppConfig,
  router: RouterGroup,
  dataSource: DataSource,
  kv: KeyValueStore,
  sources: ReadonlyMap<string, NumberLookup> = lookupSources(config, router),
): NetworkResolver {
  const cache =
    config.mode === 'distributed'
      ? new KvLookupCache(kv, config.redis.keyPrefix)
      : new LruLookupCache(router.lookupCacheCapacity);

  return new NetworkResolver(new LookupSettings(dataSource), cache, sources, {
    timeoutMs: router.lookupTimeoutMs,
    failureTtlMs: router.lookupFailureTtlSeconds * 1_000,
    salt: config.privacy.salt,
    count: (country, outcome) => metrics.numberLookups.inc({ country, outcome }),
  });
}
