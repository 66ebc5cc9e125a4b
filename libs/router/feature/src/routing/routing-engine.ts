import { hash } from 'node:crypto';
import type { HealthCounts, RoutingState } from '../state/routing-state';
import { DEFAULT_HEALTH_POLICY, type HealthPolicy, type ProviderHealth, viewHealth } from './decision/health-view';
import {
  type CandidateExplanation,
  RouteDecider,
  type RouteRequest,
  type RuleApplied,
  type Unroutable,
} from './decision/route-decider';
import type { PhoneNumberEntity } from '../database/entities/phone-number.entity';
import { chosenView, senderHow, takeTurn } from './decision/route-plan';
import { RoutePlans } from './plans/route-plans';
import { type RoutePool, type RouteSnapshot, SNAPSHOT_TTL_MS } from './snapshot/route-snapshot';
import { TtlCache } from './plans/ttl-cache';
import type { NetworkResolution, NetworkResolver } from '../portability/network-resolver';

export interface RoutingEngineOptions {
  /** Pool, prices and rules, per destination country (architecture.md: about 10 s; operator changes drop it at once). */
  readonly snapshotTtlMs?: number;
  /** Provider health: short, so a failing provider is bypassed within seconds. */
  readonly healthTtlMs?: number;
  /** One probe message per provider per interval while it is skipped. */
  readonly probeIntervalMs?: number;
  /** How long a recipient keeps its sender number. */
  readonly stickyTtlMs?: number;
  readonly policy?: HealthPolicy;
  /** Finds the destination's mobile network before deciding (number portability); absent: prefix routing only. */
  readonly network?: NetworkResolver | null;
}

export type RoutingOutcome =
  | {
      readonly kind: 'route';
      readonly providerId: string;
      readonly sender: string;
      readonly price: string;
      readonly currency: string;
      /** Wait before sending: the sender's rate limit is booked up until then. */
      readonly delayMs: number;
      readonly reason: string;
      readonly candidates: readonly CandidateExplanation[];
      /** The rule the decision applied (the destination network's, the country's, or the defaults). */
      readonly rule: RuleApplied;
      /** The destination's network the decision used (`23430`, MCC+MNC as route quality keys it); null: not known. */
      readonly network: string | null;
    }
  | Unroutable;

const HEALTH_KEY = 'all';
const NO_NETWORK: NetworkResolution = {
  network: null,
  source: 'none',
  carrierName: null,
  lineType: null,
  detail: 'no number lookups configured',
};
const NO_PROBES: ReadonlySet<string> = new Set();

interface Inputs {
  readonly snapshot: RouteSnapshot;
  readonly health: Map<string, HealthCounts>;
}

/**
 * Routes one message: cached snapshot and health in, the pure decision, then the one shared-state
 * step (sticky sender and rate-limit booking, atomic in Redis). The pool is cached per destination
 * country (and an explicit `from` per value), so a miss loads only what that decision reads. Caches
 * load single-flight per key: concurrent misses share one load.
 */
export class RoutingEngine {
  readonly decider: RouteDecider;
  private readonly plans: RoutePlans;
  private readonly countries: TtlCache<string, RouteSnapshot>;
  private readonly senders: TtlCache<string, PhoneNumberEntity | null>;
  private readonly health: TtlCache<string, Map<string, HealthCounts>>;
  /** The active providers as last loaded: lets health load beside the pool instead of after it. */
  private knownProviders: readonly string[] | null = null;
  private readonly lastProbeTry = new Map<string, number>();
  private readonly options: Required<Omit<RoutingEngineOptions, 'network'>>;
  private readonly resolver: NetworkResolver | null;

  constructor(
    /** Reads the pool, prices and rules (SqlRoutePool over the router's data source). */
    private readonly pool: RoutePool,
    private readonly state: RoutingState,
    options: RoutingEngineOptions = {},
  ) {
    this.options = {
      snapshotTtlMs: options.snapshotTtlMs ?? SNAPSHOT_TTL_MS,
      healthTtlMs: options.healthTtlMs ?? 2_000,
      probeIntervalMs: options.probeIntervalMs ?? 2_000,
      stickyTtlMs: options.stickyTtlMs ?? 30 * 24 * 3_600_000,
      policy: options.policy ?? DEFAULT_HEALTH_POLICY,
    };
    this.resolver = options.network ?? null;
    this.decider = new RouteDecider(this.options.policy);
    this.plans = new RoutePlans(this.decider);
    this.countries = new TtlCache(this.options.snapshotTtlMs);
    this.senders = new TtlCache(this.options.snapshotTtlMs);
    this.health = new TtlCache(this.options.healthTtlMs);
  }

  /** Every provider's health as the decision sees it now (the cached view; the health gauge reads it). */
  async providerHealth(): Promise<Map<string, ProviderHealth>> {
    const providers = this.knownProviders ?? (await this.pool.activeProviders());
    const health = await this.currentHealth(providers);

    return new Map([...health].map(([id, counts]) => [id, viewHealth(counts, this.options.policy)]));
  }

  /**
   * Routes a message, or with `dryRun` tells what it would do now (explain) without booking anything.
   * On cached inputs this is a plan lookup, a round-robin turn and the booking: the plan (scores,
   * explanation, groups) is made once per snapshot, health and request shape (RoutePlans).
   */
  async route(request: RouteRequest, dryRun = false): Promise<RoutingOutcome> {
    if (request.network === undefined && this.resolver?.mayLookUp(request.country)) {
      request = { ...request, network: (await this.resolveNetwork(request.to, request.country)).network };
    }
    const { snapshot, health } = this.cachedInputs(request) ?? (await this.inputs(request));
    let plan = this.plans.plan(request, snapshot, health, NO_PROBES);
    let start = plan.kind === 'route' ? takeTurn(plan, !dryRun) : 0;
    if (!dryRun && !request.pinProvider && plan.probeCandidates.length > 0) {
      const probes = await this.probesFor(plan.probeCandidates);
      if (probes.size > 0) {
        // (The plan without the probe took its turn too, as the decision before the probe always did.)
        plan = this.plans.plan(request, snapshot, health, probes);
        start = plan.kind === 'route' ? takeTurn(plan, true) : 0;
      }
    }
    if (plan.kind !== 'route') {
      return plan.outcome;
    }
    const claim = await this.state.claim({
      stickyKey: plan.sticky ? stickyKeyOf(request.to) : null,
      stickyTtlMs: this.options.stickyTtlMs,
      group: plan.group,
      start,
      eligible: plan.eligible,
      segments: request.segments,
      dryRun,
    });
    const slot = plan.eligible.get(claim.number) ?? plan.group.at(0)!;
    const view = chosenView(plan, slot.providerId);
    const wait = claim.delayMs > 0 ? `, waits ${claim.delayMs} ms for its rate limit` : '';

    return {
      kind: 'route',
      providerId: view.chosen.providerId,
      sender: claim.number,
      price: view.chosen.price,
      currency: view.chosen.currency,
      delayMs: claim.delayMs,
      reason: view.head + senderHow(plan, claim.how) + wait + view.tail,
      candidates: view.candidates,
      rule: plan.rule,
      network: request.network ? request.network.mcc + request.network.mnc : null,
    };
  }

  /**
   * The destination's mobile network where lookups are on for its country (cached or looked up, bounded in
   * time); `none` otherwise. Explain and the quote show it; route() uses it unless the request brings one.
   */
  resolveNetwork(to: string, country: string): Promise<NetworkResolution> {
    return this.resolver ? this.resolver.resolve(to, country) : Promise.resolve(NO_NETWORK);
  }

  /** The inputs when every one is cached (the cached decision's path: no promise, no I/O). */
  private cachedInputs(request: RouteRequest): Inputs | undefined {
    const now = Date.now();
    const snapshot = this.countries.peek(request.country, now);
    const health = this.health.peek(HEALTH_KEY, now);
    if (!snapshot || !health) {
      return undefined;
    }
    if (request.from === null) {
      return { snapshot, health };
    }
    // null: one known not to be in the pool; undefined: not cached.
    const sender = this.senders.peek(request.from, now);

    return sender === undefined ? undefined : { snapshot: withSender(snapshot, request.from, sender), health };
  }

  /**
   * The destination country's pool, the explicit sender's entry and health, from cache; only a miss
   * costs I/O (the cached decision takes microseconds), and the missing ones load side by side.
   */
  private async inputs(request: RouteRequest): Promise<Inputs> {
    const now = Date.now();
    const cachedSnapshot = this.countries.peek(request.country, now);
    const cachedHealth = this.health.peek(HEALTH_KEY, now);
    // null: no `from`, or one known not to be in the pool; undefined: not cached.
    const cachedSender = request.from === null ? null : this.senders.peek(request.from, now);
    const snapshotLoad = cachedSnapshot ? Promise.resolve(cachedSnapshot) : this.currentSnapshot(request.country);
    const senderLoad =
      cachedSender !== undefined || request.from === null
        ? Promise.resolve(cachedSender ?? null)
        : this.currentSender(request.from);
    // Health is keyed by provider: with the providers already known, it loads beside the pool (a
    // provider added since gets its health on the next health load, seconds later).
    const known = this.knownProviders;
    if (known || cachedHealth) {
      const [snapshot, sender, health] = await Promise.all([
        snapshotLoad,
        senderLoad,
        cachedHealth ?? this.currentHealth(known!),
      ]);

      return { snapshot: withSender(snapshot, request.from, sender), health };
    }
    const [snapshot, sender] = await Promise.all([snapshotLoad, senderLoad]);

    return {
      snapshot: withSender(snapshot, request.from, sender),
      health: await this.currentHealth(snapshot.providers),
    };
  }

  /** Drops the cached pool and health (operator changes in this replica or, through the pool version, another). */
  invalidate(): void {
    this.resolver?.invalidate();
    this.countries.clear();
    this.senders.clear();
    this.health.clear();
  }

  /**
   * Providers skipped for their health may each take one probe message per interval, shared by
   * every replica, so a provider that was skipped can show it recovered. `candidates` come from the
   * plan: skipped as unhealthy, or cheaper than the choice but held back by its health.
   */
  private async probesFor(candidates: readonly string[]): Promise<Set<string>> {
    const probes = new Set<string>();
    const now = Date.now();
    for (const providerId of candidates) {
      // Saves a Redis round trip per message: this replica asks at most twice per interval.
      if (now - (this.lastProbeTry.get(providerId) ?? 0) < this.options.probeIntervalMs / 2) {
        continue;
      }
      this.lastProbeTry.set(providerId, now);
      if (await this.state.tryProbe(providerId, this.options.probeIntervalMs)) {
        probes.add(providerId);
      }
    }

    return probes;
  }

  private currentSnapshot(country: string): Promise<RouteSnapshot> {
    return this.countries.get(country, async () => {
      const snapshot = await this.pool.forCountry(country);
      this.knownProviders = snapshot.providers;

      return snapshot;
    });
  }

  private currentSender(from: string): Promise<PhoneNumberEntity | null> {
    return this.senders.get(from, () => this.pool.sender(from));
  }

  private currentHealth(providers: readonly string[]): Promise<Map<string, HealthCounts>> {
    return this.health.get(HEALTH_KEY, () => this.state.readHealth(providers));
  }
}

/** Where a country's snapshot keeps its views with an explicit sender (RouteSnapshot.derived). */
const SENDER_VIEWS = 'from-views';
/** Bounds the views one snapshot keeps (explicit `from` values are free-form); past it they are made per decision. */
const MAX_SENDER_VIEWS = 1_000;

interface SenderView {
  readonly entry: PhoneNumberEntity | null;
  readonly snapshot: RouteSnapshot;
}

/**
 * The country's snapshot with the explicit `from`'s entry as the one value a decision may look up:
 * senders are cached by value, apart from the country (a `from` may be any country's number). Kept per
 * value and entry with the country's snapshot, with derived work of its own: plans made over it depend on
 * that entry, so a reloaded entry gets a new view and new plans.
 */
function withSender(snapshot: RouteSnapshot, from: string | null, entry: PhoneNumberEntity | null): RouteSnapshot {
  if (from === null) {
    return snapshot;
  }
  let views = snapshot.derived.get(SENDER_VIEWS) as Map<string, SenderView> | undefined;
  const kept = views?.get(from);
  if (kept?.entry === entry) {
    return kept.snapshot;
  }
  const view: RouteSnapshot = {
    ...snapshot,
    numbersByValue: new Map(entry ? [[from, entry]] : []),
    derived: new Map(),
  };
  if (!views) {
    views = new Map();
    snapshot.derived.set(SENDER_VIEWS, views);
  }
  if (views.size < MAX_SENDER_VIEWS || kept) {
    views.set(from, { entry, snapshot: view });
  }

  return view;
}

/** Recipients are kept as hashes: the state store never holds a phone number in clear. */
export const stickyKeyOf = (to: string): string => hash('sha256', to, 'base64url').slice(0, 22);
