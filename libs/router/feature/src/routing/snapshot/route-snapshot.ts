import type { CountryRuleEntity } from '../../database/entities/country-rule.entity';
import type { PhoneNumberEntity, SenderType } from '../../database/entities/phone-number.entity';
import { byRatePrecedence } from './network-rates';
import { isMaskingNumber } from './sender-compliance';
import type { CountryQuality } from '../quality/quality-estimate';

export interface RateRow {
  readonly providerId: string;
  /** E.164 digits the destination must start with; '' for the whole country. */
  readonly prefix: string;
  readonly price: string;
  readonly currency: string;
  /** The mobile network the rate is for ('' and '' = any network); see network-rates.ts. */
  readonly mcc?: string;
  readonly mnc?: string;
}

import { type CountryRule, networkRuleKey } from './country-rule';

export { type AppliedRule, type CountryRule, DEFAULT_COUNTRY_RULE, ruleFor } from './country-rule';

/**
 * Consecutive senders of one provider with the same country and type, in the pool's order. What a
 * decision asks of a sender (compliance, local or not, its type) depends on nothing else, so it asks
 * once per run, and a run keeps its numbers as plain lists: a per-country load builds no object per
 * number (that was most of a cold decision's allocation, bench/router.bench.ts).
 */
export interface SenderRun {
  readonly country: string;
  readonly type: SenderType;
  readonly numbers: readonly string[];
  /** Each number's carrier limit, by position. */
  readonly segmentsPerSecond: readonly number[];
}

/**
 * What a routing decision reads, so a decision costs no I/O. The engine caches one per destination
 * country (loaded by {@link RoutePool.forCountry}); built over the whole pool it serves every country.
 */
export interface RouteSnapshot {
  /** Active providers' ids (every country's: provider health is read for all of them). */
  readonly providers: readonly string[];
  /** country → active providers' rates, network rates first, then longest prefix first (byRatePrecedence). */
  readonly ratesByCountry: ReadonlyMap<string, readonly RateRow[]>;
  /**
   * Active senders per provider (masking numbers and inactive ones excluded), as runs in the pool's
   * order: the numbers of one type, read run after run, are in the order the pool lists them.
   */
  readonly sendersByProvider: ReadonlyMap<string, readonly SenderRun[]>;
  /**
   * Active pool entries by number or sender ID, masking numbers included: what an explicit `from` is
   * looked up in. Empty in a per-country snapshot: the engine looks a `from` up by value
   * ({@link RoutePool.sender}) and hands the decision that entry.
   */
  readonly numbersByValue: ReadonlyMap<string, PhoneNumberEntity>;
  readonly rules: ReadonlyMap<string, CountryRule>;
  /** country → network (`234-30`) → the network's rule, which replaces the country's there (ruleFor). */
  readonly networkRules: ReadonlyMap<string, ReadonlyMap<string, CountryRule>>;
  /**
   * The destination country's score weights and route quality (QualityAwarePool), loaded with the
   * snapshot so its plans see one consistent set; absent, the score is cost × health × sender type.
   */
  readonly quality?: CountryQuality;
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

/** Rates and rules in the rows the pool stores them as; a rule with `mcc` and `mnc` is a network's. */
type RateInput = readonly (RateRow & { country: string })[];
type RuleInput = readonly (Pick<
  CountryRuleEntity,
  'country' | 'allowedSenderTypes' | 'senderIdPolicy' | 'localNumberRequired' | 'blocked'
> & { readonly mcc?: string; readonly mnc?: string })[];

export function buildRouteSnapshot(
  providerIds: readonly string[],
  numbers: readonly PhoneNumberEntity[],
  rates: RateInput,
  rules: RuleInput,
  /** False for a per-country snapshot, whose decisions never look a `from` up in it (saves a Map per load). */
  indexByValue = true,
): RouteSnapshot {
  const active = new Set(providerIds);
  const runs = new SenderRuns();
  const numbersByValue = new Map<string, PhoneNumberEntity>();
  for (const number of numbers) {
    if (!active.has(number.providerId)) {
      continue;
    }
    if (indexByValue) {
      numbersByValue.set(number.number, number);
    }
    if (!isMaskingNumber(number)) {
      runs.add(number.providerId, number.country, number.type, number.number, number.segmentsPerSecond);
    }
  }

  return routeSnapshotOf(providerIds, runs.byProvider, rates, rules, numbersByValue);
}

/** The snapshot over senders already in runs (SqlRoutePool builds them straight from its rows). */
export function routeSnapshotOf(
  providerIds: readonly string[],
  sendersByProvider: ReadonlyMap<string, readonly SenderRun[]>,
  rates: RateInput,
  rules: RuleInput,
  numbersByValue: ReadonlyMap<string, PhoneNumberEntity> = new Map(),
): RouteSnapshot {
  const active = new Set(providerIds);
  const ratesByCountry = new Map<string, RateRow[]>();
  for (const rate of rates) {
    if (active.has(rate.providerId)) {
      const list = ratesByCountry.get(rate.country) ?? [];
      list.push({
        providerId: rate.providerId,
        prefix: rate.prefix ?? '',
        price: rate.price,
        currency: rate.currency,
        mcc: rate.mcc ?? '',
        mnc: rate.mnc ?? '',
      });
      ratesByCountry.set(rate.country, list);
    }
  }
  for (const list of ratesByCountry.values()) {
    list.sort(byRatePrecedence);
  }
  const ruleMap = new Map<string, CountryRule>();
  const networkRules = new Map<string, Map<string, CountryRule>>();
  for (const r of rules) {
    const rule: CountryRule = {
      allowedSenderTypes: r.allowedSenderTypes,
      senderIdPolicy: r.senderIdPolicy,
      localNumberRequired: r.localNumberRequired,
      blocked: r.blocked,
    };
    if (r.mcc && r.mnc) {
      const ofCountry = networkRules.get(r.country) ?? new Map<string, CountryRule>();
      ofCountry.set(networkRuleKey(r.mcc, r.mnc), rule);
      networkRules.set(r.country, ofCountry);
    } else {
      ruleMap.set(r.country, rule);
    }
  }

  return {
    providers: [...active].sort(),
    ratesByCountry,
    sendersByProvider,
    numbersByValue,
    rules: ruleMap,
    networkRules,
    loadedAt: Date.now(),
    derived: new Map(),
  };
}

/** A run add() may still extend. */
interface OpenRun extends SenderRun {
  readonly numbers: string[];
  readonly segmentsPerSecond: number[];
}

/** Collects senders into runs: a sender of another country or type than the one before starts a new run. */
export class SenderRuns {
  private readonly runs = new Map<string, SenderRun[]>();
  /** Each provider's last run when add() made it (a run given to addRun() is never extended). */
  private readonly open = new Map<string, OpenRun>();

  get byProvider(): ReadonlyMap<string, readonly SenderRun[]> {
    return this.runs;
  }

  add(providerId: string, country: string, type: SenderType, number: string, segmentsPerSecond: number): void {
    const last = this.open.get(providerId);
    if (last && last.country === country && last.type === type) {
      last.numbers.push(number);
      last.segmentsPerSecond.push(segmentsPerSecond);

      return;
    }
    const run: OpenRun = { country, type, numbers: [number], segmentsPerSecond: [segmentsPerSecond] };
    this.listOf(providerId).push(run);
    this.open.set(providerId, run);
  }

  /** A whole run at once (the per-country load reads each provider's senders of one type together). */
  addRun(providerId: string, run: SenderRun): void {
    this.listOf(providerId).push(run);
    this.open.delete(providerId);
  }

  private listOf(providerId: string): SenderRun[] {
    let list = this.runs.get(providerId);
    if (!list) {
      list = [];
      this.runs.set(providerId, list);
    }

    return list;
  }
}
