import type { CountryRuleEntity } from '../database/entities/country-rule.entity';
import type { PhoneNumberEntity } from '../database/entities/phone-number.entity';
import { isMaskingNumber } from './sender-compliance';

export interface RateRow {
  readonly providerId: string;
  /** E.164 digits the destination must start with; '' for the whole country. */
  readonly prefix: string;
  readonly price: string;
  readonly currency: string;
}

export interface CountryRule {
  readonly allowedSenderTypes: readonly string[];
  readonly senderIdPolicy: 'allowed' | 'registration' | 'forbidden';
  readonly localNumberRequired: boolean;
  readonly blocked: boolean;
}

export const DEFAULT_COUNTRY_RULE: CountryRule = {
  allowedSenderTypes: [],
  senderIdPolicy: 'allowed',
  localNumberRequired: false,
  blocked: false,
};

/**
 * What a routing decision reads, so a decision costs no I/O. The engine caches one per destination
 * country (loaded by {@link RoutePool.forCountry}); built over the whole pool it serves every country.
 */
export interface RouteSnapshot {
  /** Active providers' ids (every country's: provider health is read for all of them). */
  readonly providers: readonly string[];
  /** country → active providers' rates, longest prefix first. */
  readonly ratesByCountry: ReadonlyMap<string, readonly RateRow[]>;
  /** Active senders per provider (masking numbers and inactive ones excluded). */
  readonly numbersByProvider: ReadonlyMap<string, readonly PhoneNumberEntity[]>;
  /**
   * Active pool entries by number or sender ID, masking numbers included: what an explicit `from` is
   * looked up in. Empty in a per-country snapshot: the engine looks a `from` up by value
   * ({@link RoutePool.sender}) and hands the decision that entry.
   */
  readonly numbersByValue: ReadonlyMap<string, PhoneNumberEntity>;
  readonly rules: ReadonlyMap<string, CountryRule>;
  readonly loadedAt: number;
  /**
   * What decisions derive from this snapshot and reuse (each provider's compliant senders per class),
   * kept on it so it is collected with it. A WeakMap keyed by snapshot held that work across young-
   * generation collections: with a snapshot per cold decision, it was promoted and paid for by
   * mark-compacts in the cold path's tail (bench/router.bench.ts).
   */
  readonly derived: Map<string, unknown>;
}

/**
 * Where the engine reads the pool on a cache miss: only what one decision needs, so a cold decision
 * does not wait for the whole pool (bench/router.bench.ts).
 */
export interface RoutePool {
  /**
   * Everything a decision for destination `country` reads: that country's rates and rule, the active
   * providers, and the senders that can serve it (the country's own numbers; other countries' numbers
   * only of providers with no compliant sender there, since local ones are always preferred).
   */
  forCountry(country: string): Promise<RouteSnapshot>;
  /** An explicit `from`: its active pool entry (any country, masking numbers included) or null. */
  sender(value: string): Promise<PhoneNumberEntity | null>;
  /** Active providers' ids, for reading their health before any decision has loaded a country. */
  activeProviders(): Promise<readonly string[]>;
}

/** A pool already in memory, such as one built with {@link buildRouteSnapshot} (tests, tools). */
export function snapshotRoutePool(current: () => RouteSnapshot): RoutePool {
  return {
    forCountry: () => Promise.resolve(current()),
    sender: (value) => Promise.resolve(current().numbersByValue.get(value) ?? null),
    activeProviders: () => Promise.resolve(current().providers),
  };
}

/** The cache lifetime: pool and price changes reach routing within this (architecture.md: ~10 s). */
export const SNAPSHOT_TTL_MS = 10_000;

export function buildRouteSnapshot(
  providerIds: readonly string[],
  numbers: readonly PhoneNumberEntity[],
  rates: readonly RateRow[] & readonly { country: string }[],
  rules: readonly Pick<
    CountryRuleEntity,
    'country' | 'allowedSenderTypes' | 'senderIdPolicy' | 'localNumberRequired' | 'blocked'
  >[],
  /** False for a per-country snapshot, whose decisions never look a `from` up in it (saves a Map per load). */
  indexByValue = true,
): RouteSnapshot {
  const active = new Set(providerIds);
  const ratesByCountry = new Map<string, RateRow[]>();
  for (const rate of rates) {
    if (active.has(rate.providerId)) {
      const list = ratesByCountry.get(rate.country) ?? [];
      list.push({ providerId: rate.providerId, prefix: rate.prefix ?? '', price: rate.price, currency: rate.currency });
      ratesByCountry.set(rate.country, list);
    }
  }
  for (const list of ratesByCountry.values()) {
    list.sort((a, b) => b.prefix.length - a.prefix.length || a.providerId.localeCompare(b.providerId));
  }
  const numbersByProvider = new Map<string, PhoneNumberEntity[]>();
  const numbersByValue = new Map<string, PhoneNumberEntity>();
  for (const number of numbers) {
    if (!active.has(number.providerId)) {
      continue;
    }
    if (indexByValue) {
      numbersByValue.set(number.number, number);
    }
    if (!isMaskingNumber(number)) {
      const list = numbersByProvider.get(number.providerId) ?? [];
      list.push(number);
      numbersByProvider.set(number.providerId, list);
    }
  }
  const ruleMap = new Map<string, CountryRule>(
    rules.map((r) => [
      r.country,
      {
        allowedSenderTypes: r.allowedSenderTypes,
        senderIdPolicy: r.senderIdPolicy,
        localNumberRequired: r.localNumberRequired,
        blocked: r.blocked,
      },
    ]),
  );

  return {
    providers: [...active].sort(),
    ratesByCountry,
    numbersByProvider,
    numbersByValue,
    rules: ruleMap,
    loadedAt: Date.now(),
    derived: new Map(),
  };
}
