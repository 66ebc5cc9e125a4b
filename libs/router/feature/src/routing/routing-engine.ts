import { createHash } from 'node:crypto';
import type { HealthCounts, RoutingState } from '../state/routing-state';
import { DEFAULT_HEALTH_POLICY, type HealthPolicy, type ProviderHealth, viewHealth } from './health-view';
import { type CandidateExplanation, RouteDecider, type RouteDecision, type RouteRequest } from './route-decider';
import type { PhoneNumberEntity } from '../database/entities/phone-number.entity';
import { type RoutePool, type RouteSnapshot, SNAPSHOT_TTL_MS } from './route-snapshot';
import { TtlCache } from './ttl-cache';

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
    }
  | Exclude<RouteDecision, { kind: 'route' }>;

const HEALTH_KEY = 'all';

/**
 * Routes one message: cached snapshot and health in, the pure decision, then the one shared-state
 * step (sticky sender and rate-limit booking, atomic in Redis). The pool is cached per destination
 * country (and an explicit `from` per value), so a miss loads only what that decision reads. Caches
 * load single-flight per key: concurrent misses share one load.
 */
export class RoutingEngine {
  readonly decider: RouteDecider;
  private readonly countries: TtlCache<string, RouteSnapshot>;
  private readonly senders: TtlCache<string, PhoneNumberEntity | null>;
  private readonly health: TtlCache<string, Map<string, HealthCounts>>;
  /** The active providers as last loaded: lets health load beside the pool instead of after it. */
  private knownProviders: readonly string[] | null = null;
  private readonly lastProbeTry = new Map<string, number>();
  private readonly options: Required<RoutingEngineOptions>;

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
    this.decider = new RouteDecider(this.options.policy);
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

  /** Routes a message, or with `dryRun` tells what it would do now (explain) without booking anything. */
  async route(request: RouteRequest, dryRun = false): Promise<RoutingOutcome> {
    const { snapshot, health } = await this.inputs(request);
    let decision = this.decider.decide(request, snapshot, health, new Set(), !dryRun);
    const probes = dryRun || request.pinProvider ? new Set<string>() : await this.probesFor(request, decision);
    if (probes.size > 0) {
      decision = this.decider.decide(request, snapshot, health, probes, true);
    }
    if (decision.kind !== 'route') {
      return decision;
    }
    const claim = await this.state.claim({
      stickyKey: decision.sticky ? stickyKeyOf(request.to) : null,
      stickyTtlMs: this.options.stickyTtlMs,
      group: decision.group,
      eligible: decision.eligible,
      segments: request.segments,
      dryRun,
    });
    const slot = decision.eligible.find((s) => s.number === claim.number) ?? decision.group[0]!;
    const chosen = decision.candidates.find((c) => c.providerId === slot.providerId) ?? decision.best;
    const candidates =
      chosen === decision.best
        ? decision.candidates
        : decision.candidates.map((c) =>
            c === chosen
              ? { ...c, outcome: 'chosen' as const, reason: 'owns the sticky sender of this recipient' }
              : c === decision.best
                ? { ...c, outcome: 'lost' as const, reason: 'best score, but the recipient keeps its sticky sender' }
                : c,
          );
    const how =
      claim.how === 'sticky'
        ? 'sticky for this recipient'
        : claim.how === 'free'
          ? `round-robin over ${decision.group.length} equally good`
          : `all ${decision.group.length} equally good are busy; earliest free`;
    const others = candidates
      .filter((c) => c !== chosen && c.outcome !== 'chosen')
      .map((c) => `${c.providerId}: ${c.reason}`);
    const reason = [
      `${decision.why} for ${request.country}: ${chosen.providerId} at ${chosen.price} ${chosen.currency}/segment x ${request.segments}`,
      `score ${chosen.score}`,
      `sender ${how}${claim.delayMs > 0 ? `, waits ${claim.delayMs} ms for its rate limit` : ''}`,
      ...(others.length > 0 ? [`others: ${others.join('; ')}`] : []),
    ].join('; ');

    return {
      kind: 'route',
      providerId: chosen.providerId,
      sender: claim.number,
      price: chosen.price,
      currency: chosen.currency,
      delayMs: claim.delayMs,
      reason,
      candidates,
    };
  }

  /**
   * The destination country's pool, the explicit sender's entry and health, from cache; only a miss
   * costs I/O (the cached decision takes microseconds), and the missing ones load side by side.
   */
  private async inputs(request: RouteRequest): Promise<{ snapshot: RouteSnapshot; health: Map<string, HealthCounts> }> {
    const now = Date.now();
    const cachedSnapshot = this.countries.peek(request.country, now);
    const cachedHealth = this.health.peek(HEALTH_KEY, now);
    // null: no `from`, or one known not to be in the pool; undefined: not cached.
    const cachedSender = request.from === null ? null : this.senders.peek(request.from, now);
    if (cachedSnapshot && cachedHealth && cachedSender !== undefined) {
      return { snapshot: withSender(cachedSnapshot, request.from, cachedSender), health: cachedHealth };
    }
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
    this.countries.clear();
    this.senders.clear();
    this.health.clear();
  }

  /**
   * Providers skipped for their health may each take one probe message per interval, shared by
   * every replica, so a provider that was skipped can show it recovered.
   */
  private async probesFor(request: RouteRequest, decision: RouteDecision): Promise<Set<string>> {
    const probes = new Set<string>();
    const now = Date.now();
    for (const candidate of decision.candidates) {
      if (candidate.score === null || request.avoidProviders.includes(candidate.providerId)) {
        continue;
      }
      // Skipped as unhealthy, or cheaper than the choice but held back by its health: without
      // traffic its health would never change, so it gets a message now and then to prove itself.
      const heldBack =
        decision.kind === 'route' &&
        candidate.outcome === 'lost' &&
        Number(candidate.cost) < Number(decision.best.cost);
      if (!candidate.health.unhealthy && !heldBack) {
        continue;
      }
      // Saves a Redis round trip per message: this replica asks at most twice per interval.
      if (now - (this.lastProbeTry.get(candidate.providerId) ?? 0) < this.options.probeIntervalMs / 2) {
        continue;
      }
      this.lastProbeTry.set(candidate.providerId, now);
      if (await this.state.tryProbe(candidate.providerId, this.options.probeIntervalMs)) {
        probes.add(candidate.providerId);
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

/**
 * The country's snapshot with the explicit `from`'s entry as the one value a decision may look up:
 * senders are cached by value, apart from the country (a `from` may be any country's number).
 */
function withSender(snapshot: RouteSnapshot, from: string | null, entry: PhoneNumberEntity | null): RouteSnapshot {
  if (from === null) {
    return snapshot;
  }

  return { ...snapshot, numbersByValue: new Map(entry ? [[from, entry]] : []) };
}

/** Recipients are kept as hashes: the state store never holds a phone number in clear. */
export const stickyKeyOf = (to: string): string => createHash('sha256').update(to).digest('base64url').slice(0, 22);
