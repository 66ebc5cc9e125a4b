import type { DataSource } from 'typeorm';
import { CountryRuleEntity } from '../database/entities/country-rule.entity';
import type { PhoneNumberEntity } from '../database/entities/phone-number.entity';

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

/** Everything a routing decision reads, loaded at once and cached so a decision costs no I/O. */
export interface RouteSnapshot {
  /** Active providers' ids. */
  readonly providers: readonly string[];
  /** country → active providers' rates, longest prefix first. */
  readonly ratesByCountry: ReadonlyMap<string, readonly RateRow[]>;
  /** Active senders per provider (masking numbers and inactive ones excluded). */
  readonly numbersByProvider: ReadonlyMap<string, readonly PhoneNumberEntity[]>;
  /** Every active pool entry by number or sender ID, masking numbers included (explicit `from`). */
  readonly numbersByValue: ReadonlyMap<string, PhoneNumberEntity>;
  readonly rules: ReadonlyMap<string, CountryRule>;
  readonly loadedAt: number;
}

/** The cache lifetime: pool and price changes reach routing within this (architecture.md: ~10 s). */
export const SNAPSHOT_TTL_MS = 10_000;

/**
 * Raw SQL rather than repository finds: a cold decision waits for this load, and entity hydration of a
 * large pool cost several times the queries themselves (bench/router.bench.ts).
 */
export async function loadRouteSnapshot(dataSource: DataSource): Promise<RouteSnapshot> {
  const [providers, numbers, rates, rules] = await Promise.all([
    dataSource.query<{ id: string }[]>('SELECT id FROM sms_providers WHERE active = ?', [1]),
    dataSource.query<NumberRow[]>(
      'SELECT number, provider_id, country, type, capabilities, segments_per_second FROM phone_numbers WHERE active = ? ORDER BY number',
      // 1, not true: booleans are tinyint(1) in MySQL and integers in SQLite, and better-sqlite3 binds no booleans.
      [1],
    ),
    dataSource.query<RateDbRow[]>('SELECT provider_id, country, prefix, price, currency FROM route_rates'),
    dataSource.getRepository(CountryRuleEntity).find(),
  ]);

  return buildRouteSnapshot(
    providers.map((p) => p.id),
    numbers.map((n) => ({
      number: n.number,
      providerId: n.provider_id,
      country: n.country,
      type: n.type as PhoneNumberEntity['type'],
      capabilities: (n.capabilities ?? '').split(',').filter(Boolean) as PhoneNumberEntity['capabilities'],
      monthlyCost: null,
      segmentsPerSecond: Number(n.segments_per_second),
      active: true,
      createdAt: new Date(0),
    })),
    rates.map((r) => ({
      providerId: r.provider_id,
      country: r.country,
      prefix: r.prefix ?? '',
      price: r.price,
      currency: r.currency,
    })),
    rules,
  );
}

interface NumberRow {
  number: string;
  provider_id: string;
  country: string;
  type: string;
  capabilities: string | null;
  segments_per_second: number | string;
}

interface RateDbRow {
  provider_id: string;
  country: string;
  prefix: string | null;
  price: string;
  currency: string;
}

export function buildRouteSnapshot(
  providerIds: readonly string[],
  numbers: readonly PhoneNumberEntity[],
  rates: readonly RateRow[] & readonly { country: string }[],
  rules: readonly CountryRuleEntity[],
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
    numbersByValue.set(number.number, number);
    if (!number.capabilities.includes('masking')) {
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
  };
}
