import type { HealthCounts } from '../../state/routing-state';
import type { SenderType } from '../../database/entities/phone-number.entity';
import type { RateRow, RouteSnapshot } from '../snapshot/route-snapshot';
import { healthFactor, type HealthPolicy, type ProviderHealth, viewHealth } from './health-view';
import type { RouteRequest } from './route-request';
import type { RouteQuality } from '../quality/quality-estimate';
import type { ScoreFactor } from '../quality/score-factor';
import { sendersOf, TYPE_PREFERENCE } from './sender-choice';
import type { SenderList } from './sender-list';

/** A less preferred sender type costs 5% more per step down the list. */
const TYPE_STEP = 0.05;

/** A provider with a rate for the destination: scored, or set aside before scoring and why. */
export interface ScoredCandidate {
  readonly providerId: string;
  readonly rate: RateRow;
  /** price × segments. */
  readonly cost: number;
  readonly health: ProviderHealth;
  readonly senders: SenderList | null;
  readonly senderType: string | null;
  /** cost weighed by health and sender type; lower wins. Null when set aside. */
  readonly score: number | null;
  /** health × sender type: what the score's cost (or weighted factors, with quality) is multiplied by. */
  readonly multiplier: number;
  /** The weighted factors when the snapshot carries route quality (quality-score.ts); else null. */
  readonly factors: readonly ScoreFactor[] | null;
  readonly quality: RouteQuality | null;
  /** Why it was set aside before scoring (excluded, not the pinned provider, no sender); null when scored. */
  readonly lostBecause: string | null;
  /** Skipped for its health (unless this message probes it). */
  readonly unhealthy: boolean;
  /** Failed this message before: used only when nothing else can. */
  readonly avoided: boolean;
}

/** What scoring reads besides the candidate's own rate. */
export interface ScoringInputs {
  readonly request: RouteRequest;
  readonly snapshot: RouteSnapshot;
  readonly health: ReadonlyMap<string, HealthCounts>;
  readonly probes: ReadonlySet<string>;
  readonly policy: HealthPolicy;
}

/** The candidate's score, or the first filter it fails: excluded, pinned elsewhere, no compliant sender. */
export function scoreCandidate(providerId: string, rate: RateRow, inputs: ScoringInputs): ScoredCandidate {
  const { request, policy } = inputs;
  const health = viewHealth(inputs.health.get(providerId), policy);
  const base = { providerId, rate, cost: Number(rate.price) * request.segments, health };
  const setAside = (lostBecause: string): ScoredCandidate => ({
    ...base,
    senders: null,
    senderType: null,
    score: null,
    multiplier: 1,
    factors: null,
    quality: null,
    lostBecause,
    unhealthy: false,
    avoided: false,
  });
  if (request.excludeProviders?.includes(providerId)) {
    return setAside('excluded: this message must go through another provider');
  }
  if (request.pinProvider && providerId !== request.pinProvider) {
    return setAside(`not ${request.pinProvider}, where an earlier attempt may already have arrived`);
  }
  const senders = sendersOf(providerId, request, inputs.snapshot);
  if (typeof senders === 'string') {
    return setAside(senders);
  }
  const typeRank = Math.max(0, TYPE_PREFERENCE[request.messageClass].indexOf(senders.type as SenderType));
  const typeFactor = 1 + TYPE_STEP * (senders.type === 'alphanumeric' ? 0 : typeRank);

  const multiplier = healthFactor(health, policy) * typeFactor;

  return {
    ...base,
    senders: senders.list,
    senderType: senders.type,
    score: base.cost * multiplier,
    multiplier,
    factors: null,
    quality: null,
    lostBecause: null,
    unhealthy: !request.pinProvider && health.unhealthy && !inputs.probes.has(providerId),
    avoided: !request.pinProvider && request.avoidProviders.includes(providerId),
  };
}
