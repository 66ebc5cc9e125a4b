import type { MobileNetwork, NumberLookup, NumberLookupResult } from '@sms/provider-port';
import { type CachedLookup, type LookupCache, lookupKeyOf } from './lookup-cache';
import type { LookupSetting, LookupSettings } from './lookup-settings';

/** Where the network a decision used came from: a lookup now, a cached lookup, or nowhere (prefix routing). */
export type NetworkSource = 'lookup' | 'cache' | 'none';

/** The destination's network as routing, explain and the quote show it. */
export interface NetworkResolution {
  readonly network: MobileNetwork | null;
  readonly source: NetworkSource;
  readonly carrierName: string | null;
  readonly lineType: string | null;
  /** Why there is no network, or which source said it: `lookups off for GB`, `lookup timed out`, `twilio`. */
  readonly detail: string;
}

/** Outcomes counted in `sms_number_lookups_total{outcome}`. */
export type LookupOutcome = 'cache_hit' | 'found' | 'no_network' | 'not_found' | 'timeout' | 'error' | 'refused';

export interface NetworkResolverOptions {
  /** The longest a decision waits for a lookup before it routes by prefix (the adapter has its own timeout too). */
  readonly timeoutMs: number;
  /** How long an unanswered lookup (timeout, error, refused) is kept, so an outage costs one lookup per number per interval. */
  readonly failureTtlMs: number;
  readonly salt: string;
  readonly count?: (country: string, outcome: LookupOutcome) => void;
}

/** A "not found" is kept this share of the country's TTL: a new number may appear in the source soon. */
export const NEGATIVE_TTL_SHARE = 0.1;

const none = (detail: string): NetworkResolution => ({
  network: null,
  source: 'none',
  carrierName: null,
  lineType: null,
  detail,
});

/**
 * Finds the destination's mobile network before routing, where the operator enabled lookups for its country:
 * the cached answer if any, else one lookup (concurrent messages to a number share it), bounded in time; any
 * failure routes by prefix. libphonenumber-js carries no carrier data, so without a lookup the network is
 * unknown.
 */
export class NetworkResolver {
  private readonly inFlight = new Map<string, Promise<NetworkResolution>>();

  constructor(
    private readonly settings: LookupSettings,
    private readonly cache: LookupCache,
    /** Lookup sources by id (`twilio`). */
    private readonly lookups: ReadonlyMap<string, NumberLookup>,
    private readonly options: NetworkResolverOptions,
  ) {}

  /** The configured lookup sources (the operator API checks a setting's source against them). */
  sources(): string[] {
    return [...this.lookups.keys()];
  }

  /**
   * False only when the country's setting is cached and off: then a decision needs no lookup and no promise
   * (the cached decision's path stays synchronous up to the booking).
   */
  mayLookUp(country: string): boolean {
    return this.settings.peek(country)?.enabled !== false;
  }

  async resolve(to: string, country: string): Promise<NetworkResolution> {
    const setting = this.settings.peek(country) ?? (await this.settings.of(country));
    if (!setting.enabled) {
      return none(`lookups off for ${country}`);
    }
    const lookup = this.lookups.get(setting.provider);
    if (!lookup) {
      return none(`lookup source '${setting.provider}' is not configured`);
    }
    const key = lookupKeyOf(this.options.salt, to);
    const pending = this.inFlight.get(key);
    if (pending) {
      return pending;
    }
    const resolving = this.fromCacheOrSource(key, to, country, setting, lookup).finally(() =>
      this.inFlight.delete(key),
    );
    this.inFlight.set(key, resolving);

    return resolving;
  }

  /** Operator changes: settings are read again (cached answers stay: they describe the numbers, not the settings). */
  invalidate(): void {
    this.settings.invalidate();
  }

  /** Erasure: drops the cached answer for the number. */
  forget(e164: string): Promise<number> {
    return this.cache.forget(lookupKeyOf(this.options.salt, e164));
  }

  private async fromCacheOrSource(
    key: string,
    to: string,
    country: string,
    setting: LookupSetting,
    lookup: NumberLookup,
  ): Promise<NetworkResolution> {
    const cached = await this.cache.get(key).catch(() => null);
    if (cached) {
      this.count(country, 'cache_hit');

      return resolutionOf(cached, 'cache');
    }
    const answer = await this.bounded(lookup, to);
    const entry = entryOf(answer);
    const ttlMs = ttlOf(answer, setting, this.options.failureTtlMs);
    this.count(country, outcomeOf(answer));
    // A cache that cannot take the answer costs a lookup next time, never the route.
    await this.cache.set(key, entry, ttlMs).catch(() => undefined);

    return resolutionOf(
      entry,
      'lookup',
      answer.outcome === 'unknown' ? `lookup ${reasonText(answer.reason)}` : undefined,
    );
  }

  /** The adapter's answer, or `timeout` once the decision has waited long enough. */
  private bounded(lookup: NumberLookup, to: string): Promise<NumberLookupResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<NumberLookupResult>((resolve) => {
      timer = setTimeout(
        () =>
          resolve({
            outcome: 'unknown',
            reason: 'timeout',
            source: lookup.source,
            lookedUpAt: new Date().toISOString(),
          }),
        this.options.timeoutMs,
      );
    });
    const answer = lookup.lookup(to).catch((): NumberLookupResult => ({
      outcome: 'unknown',
      reason: 'error',
      source: lookup.source,
      lookedUpAt: new Date().toISOString(),
    }));

    return Promise.race([answer, timeout]).finally(() => clearTimeout(timer));
  }

  private count(country: string, outcome: LookupOutcome): void {
    this.options.count?.(country, outcome);
  }
}

function entryOf(answer: NumberLookupResult): CachedLookup {
  return answer.outcome === 'found'
    ? {
        outcome: 'found',
        network: answer.network,
        carrierName: answer.carrierName,
        lineType: answer.lineType,
        source: answer.source,
        lookedUpAt: answer.lookedUpAt,
      }
    : {
        outcome: 'unknown',
        network: null,
        carrierName: null,
        lineType: null,
        source: answer.source,
        lookedUpAt: answer.lookedUpAt,
      };
}

/** Found: the country's TTL; not found: a tenth of it; unanswered: the short failure TTL. */
function ttlOf(answer: NumberLookupResult, setting: LookupSetting, failureTtlMs: number): number {
  const ttlMs = setting.ttlSeconds * 1_000;
  if (answer.outcome === 'found') {
    return ttlMs;
  }

  return answer.reason === 'not_found' ? Math.max(1_000, Math.round(ttlMs * NEGATIVE_TTL_SHARE)) : failureTtlMs;
}

function outcomeOf(answer: NumberLookupResult): LookupOutcome {
  if (answer.outcome === 'unknown') {
    return answer.reason;
  }

  return answer.network ? 'found' : 'no_network';
}

const reasonText = (reason: string): string => (reason === 'timeout' ? 'timed out' : reason.replace('_', ' '));

function resolutionOf(entry: CachedLookup, source: 'lookup' | 'cache', failure?: string): NetworkResolution {
  if (!entry.network) {
    return {
      ...none(
        failure ??
          (entry.outcome === 'found' ? `${entry.source} names no mobile network` : `${entry.source}: no answer`),
      ),
      carrierName: entry.carrierName,
      lineType: entry.lineType,
    };
  }

  return {
    network: entry.network,
    source,
    carrierName: entry.carrierName,
    lineType: entry.lineType,
    detail: entry.source,
  };
}
