import type { HealthCounts } from '../../state/routing-state';
import { rateApplies } from '../snapshot/network-rates';
import { type AppliedRule, type RateRow, ruleFor, type RouteSnapshot } from '../snapshot/route-snapshot';
import { applyQuality } from '../quality/quality-score';
import { explainCandidates } from './candidate-explanations';
import { type ScoredCandidate, scoreCandidate } from './candidate-scoring';
import { DEFAULT_HEALTH_POLICY, type HealthPolicy, percent } from './health-view';
import type { Cursor, RoutePlan } from './route-plan';
import type { CandidateExplanation, RouteRequest, RuleApplied, Unroutable } from './route-request';
import { SenderIndex } from './sender-index';
import { groupOf } from './sender-list';
import { refusalOfExplicitSender } from './sender-refusal';

export type { CandidateExplanation, RouteRequest, RuleApplied, Unroutable } from './route-request';
export type { RouteSlot } from './sender-list';

/** The candidates a message may go to, and why those. */
interface Choice {
  readonly viable: ScoredCandidate[];
  readonly why: string;
}

const sameScore = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
const unroutable = (outcome: Unroutable): RoutePlan => ({ kind: 'unroutable', outcome, probeCandidates: [] });
/** The applied rule as explain shows it (the rule's fields are the operator's, listed by GET /v1/routes). */
const ruleApplied = ({ level, network }: AppliedRule): RuleApplied => ({ level, network });

/**
 * The routing decision, pure and synchronous: compliance, capability, health, then the score, ties
 * shared round-robin. I/O (the snapshot, health counts, the number schedules) happens around it, so
 * a decision on cached inputs takes microseconds. Its result is a plan that every message of the same
 * shape reuses (RoutePlans); the only state is the round-robin cursors, one per tie.
 */
export class RouteDecider {
  private readonly cursors = new Map<string, Cursor>();

  constructor(private readonly policy: HealthPolicy = DEFAULT_HEALTH_POLICY) {}

  /** Providers that have a rate for the destination (the ones worth reading health for). */
  providersFor(request: RouteRequest, snapshot: RouteSnapshot): string[] {
    return [...bestRates(request, snapshot).keys()];
  }

  /**
   * The plan for a message of this shape: it depends on the request only through its country, class,
   * segments, `from`, avoided/excluded/pinned providers and the rates its destination matches (see
   * RoutePlans for the key), so every such message can reuse it. Steps: refuse what no provider may
   * carry, score each provider with a rate, choose among the scored, then plan the route or say why none.
   * @param probes unhealthy providers this message may probe (one message per interval, so a
   *   provider that was skipped can prove it recovered).
   */
  plan(
    request: RouteRequest,
    snapshot: RouteSnapshot,
    health: ReadonlyMap<string, HealthCounts>,
    probes: ReadonlySet<string> = new Set(),
  ): RoutePlan {
    const rates = bestRates(request, snapshot);
    const applied = ruleFor(snapshot, request.country, request.network);
    const rule = ruleApplied(applied);
    const refusal = refusalBeforeScoring(request, snapshot, rates, applied);
    if (refusal) {
      return unroutable({ ...refusal, rule });
    }
    const inputs = { request, snapshot, health, probes, policy: this.policy };
    const candidates = applyQuality(
      [...rates].map(([providerId, rate]) => scoreCandidate(providerId, rate, inputs)),
      snapshot.quality,
      request.network ? request.network.mcc + request.network.mnc : '',
    );
    const choice = chooseAmong(candidates, request, probes);

    return choice ? this.routeThrough(choice, candidates, request, rule) : this.noRoute(candidates, request, rule);
  }

  /** The best of the viable candidates, and every sender tied with it, as a plan. */
  private routeThrough(
    choice: Choice,
    candidates: readonly ScoredCandidate[],
    request: RouteRequest,
    rule: RuleApplied,
  ): RoutePlan {
    const viable = [...choice.viable].sort((a, b) => a.score! - b.score! || a.providerId.localeCompare(b.providerId));
    const best = viable[0]!;
    const tied = viable.filter((c) => sameScore(c.score!, best.score!));
    const explained = explainCandidates(candidates, best, tied, this.policy);
    const bestExplained = explained.find((c) => c.providerId === best.providerId)!;

    return {
      kind: 'route',
      best: bestExplained,
      group: groupOf(tied.map((c) => c.senders!)),
      eligible: new SenderIndex(viable.map((c) => c.senders!)),
      sticky: request.from === null,
      why: choice.why,
      candidates: explained,
      cursor: this.cursorOf(`${request.country}|${request.messageClass}|${tied.map((c) => c.providerId).join(',')}`),
      probeCandidates: probeCandidatesOf(request, explained, bestExplained),
      country: request.country,
      segments: request.segments,
      rule,
      views: new Map(),
    };
  }

  /** No candidate may take the message now: why, with every candidate explained. */
  private noRoute(candidates: readonly ScoredCandidate[], request: RouteRequest, rule: RuleApplied): RoutePlan {
    const { country } = request;
    // Which senders comply depends on the rule applied: name the network when it was the network's.
    const ruled = rule.level === 'network' ? `${country} network ${rule.network}` : country;
    const scored = candidates.filter((c) => c.lostBecause === null);
    const excluded = request.excludeProviders ?? [];
    const reason =
      scored.length > 0
        ? `every provider that can serve ${country} is unhealthy (errors above ${percent(this.policy.errorThreshold)})`
        : candidates.every((c) => excluded.includes(c.providerId))
          ? `no provider other than ${excluded.join(', ')} has a rate for ${country}`
          : `no provider has a compliant sender for ${ruled}`;
    const explained = explainCandidates(candidates, null, [], this.policy);

    return {
      kind: 'unroutable',
      outcome: { kind: 'no-route', code: 'NO_ROUTE', reason, candidates: explained, rule },
      probeCandidates: probeCandidatesOf(request, explained, null),
    };
  }

  /** The tie's cursor: one per key, so it carries on when a new snapshot or health makes a new plan. */
  private cursorOf(key: string): Cursor {
    let cursor = this.cursors.get(key);
    if (!cursor) {
      cursor = { next: 0 };
      this.cursors.set(key, cursor);
    }

    return cursor;
  }
}

/** Each provider's most specific rate for the destination (its network's, else the longest matching prefix). */
function bestRates(request: RouteRequest, snapshot: RouteSnapshot): Map<string, RateRow> {
  const digits = request.to.startsWith('+') ? request.to.slice(1) : request.to;
  const best = new Map<string, RateRow>();
  for (const rate of snapshot.ratesByCountry.get(request.country) ?? []) {
    if (!best.has(rate.providerId) && rateApplies(rate, digits, request.network)) {
      best.set(rate.providerId, rate);
    }
  }

  return best;
}

/** A blocked country or network, no rate at all, or an explicit sender the rule forbids: nothing to score. */
function refusalBeforeScoring(
  request: RouteRequest,
  snapshot: RouteSnapshot,
  rates: ReadonlyMap<string, RateRow>,
  applied: AppliedRule,
): Unroutable | null {
  const { country } = request;
  if (applied.rule.blocked) {
    const what = applied.level === 'network' ? `${country} network ${applied.network}` : country;

    return { kind: 'refused', code: 'COUNTRY_NOT_ALLOWED', reason: `sending to ${what} is blocked`, candidates: [] };
  }
  if (rates.size === 0) {
    return {
      kind: 'no-route',
      code: 'NO_ROUTE',
      reason: `no active provider has a rate for ${country}`,
      candidates: [],
    };
  }
  const refusal = refusalOfExplicitSender(request, snapshot, applied);

  return refusal ? { ...refusal, candidates: [] } : null;
}

/**
 * The candidates the message may use: the healthy ones it has not failed on; a provider it probes (it
 * goes there whatever the score says, so the provider can show it recovered); else the ones it failed on
 * before; null when only unhealthy ones are left.
 */
function chooseAmong(
  candidates: readonly ScoredCandidate[],
  request: RouteRequest,
  probes: ReadonlySet<string>,
): Choice | null {
  const scored = candidates.filter((c) => c.lostBecause === null);
  const probing = scored.filter((c) => probes.has(c.providerId) && !c.avoided);
  if (probing.length > 0) {
    return { viable: probing, why: 'probe of a provider held back by its health' };
  }
  const viable = scored.filter((c) => !c.unhealthy && !c.avoided);
  if (viable.length > 0) {
    return {
      viable,
      why: request.pinProvider ? `pinned to ${request.pinProvider} after an ambiguous send` : 'best score',
    };
  }
  const avoidedOnly = scored.filter((c) => !c.unhealthy);

  return avoidedOnly.length > 0
    ? { viable: avoidedOnly, why: 'every provider failed this message before; retrying the best' }
    : null;
}

/**
 * Providers this message may probe (subject to the per-interval limit): skipped as unhealthy, or
 * cheaper than the choice but held back by its health. Without traffic their health would never change.
 */
function probeCandidatesOf(
  request: RouteRequest,
  candidates: readonly CandidateExplanation[],
  best: CandidateExplanation | null,
): string[] {
  const out: string[] = [];
  for (const candidate of candidates) {
    if (candidate.score === null || request.avoidProviders.includes(candidate.providerId)) {
      continue;
    }
    const heldBack = best !== null && candidate.outcome === 'lost' && Number(candidate.cost) < Number(best.cost);
    if (candidate.health.unhealthy || heldBack) {
      out.push(candidate.providerId);
    }
  }

  return out;
}
