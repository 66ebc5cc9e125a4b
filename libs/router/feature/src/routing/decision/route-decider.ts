import { MessageClass } from '@sms/contracts';
import {
  DEFAULT_SEGMENTS_PER_SECOND,
  type PhoneNumberEntity,
  type SenderType,
} from '../../database/entities/phone-number.entity';
import type { HealthCounts } from '../../state/routing-state';
import {
  DEFAULT_HEALTH_POLICY,
  healthFactor,
  type HealthPolicy,
  percent,
  type ProviderHealth,
  viewHealth,
} from './health-view';
import type { Cursor, RoutePlan } from './route-plan';
import { DEFAULT_COUNTRY_RULE, type RateRow, type RouteSnapshot } from '../snapshot/route-snapshot';
import { isCompliantSender } from '../snapshot/sender-compliance';
import { SenderIndex } from './sender-index';
import { groupOf, type RouteSlot, SenderList } from './sender-list';

/** What a decision needs to know about the message. */
export interface RouteRequest {
  readonly to: string;
  readonly country: string;
  readonly from: string | null;
  readonly segments: number;
  readonly messageClass: MessageClass;
  /** Providers that failed this message before: ranked after the others, used when nothing else can. */
  readonly avoidProviders: readonly string[];
  /**
   * Providers this message must not use at all (a DLR fallback must go elsewhere): filtered out before
   * scoring, so no probe and no rate-limit booking ever lands on them.
   */
  readonly excludeProviders?: readonly string[];
  readonly pinProvider: string | null;
}

export type { RouteSlot } from './sender-list';

export interface CandidateExplanation {
  readonly providerId: string;
  readonly price: string;
  readonly currency: string;
  /** The rate's prefix ('' = whole country). */
  readonly prefix: string;
  /** price × segments, rounded to 6 decimals. */
  readonly cost: string;
  /** cost weighed by health and sender type; lower wins. Null when filtered out before scoring. */
  readonly score: number | null;
  readonly senderType: string | null;
  readonly senders: readonly string[];
  readonly health: ProviderHealth;
  readonly outcome: 'chosen' | 'tied' | 'lost';
  readonly reason: string;
}

/** A decision that sends nothing: refused for good, or no route for now. */
export type Unroutable =
  | {
      readonly kind: 'no-route';
      readonly code: 'NO_ROUTE';
      readonly reason: string;
      readonly candidates: readonly CandidateExplanation[];
    }
  | {
      readonly kind: 'refused';
      readonly code:
        'COUNTRY_NOT_ALLOWED' | 'SENDER_NOT_ALLOWED' | 'SENDER_ID_NOT_ALLOWED' | 'SENDER_ID_NOT_REGISTERED';
      readonly reason: string;
      readonly candidates: readonly CandidateExplanation[];
    };

/** Sender types in order of preference per message class (architecture.md: capability filter). */
const TYPE_PREFERENCE: Readonly<Record<MessageClass, readonly SenderType[]>> = {
  [MessageClass.Transactional]: ['longcode', 'tollfree', 'shortcode'],
  [MessageClass.Marketing]: ['shortcode', 'longcode', 'tollfree'],
};
/** A less preferred sender type costs 5% more per step down the list. */
const TYPE_STEP = 0.05;
const NUMERIC_SENDER = /^\+?\d{3,15}$/;

interface SenderSet {
  readonly list: SenderList;
  readonly type: string;
}

interface Working {
  providerId: string;
  rate: RateRow;
  cost: number;
  health: ProviderHealth;
  senders: SenderList | null;
  senderType: string | null;
  score: number | null;
  lostBecause: string | null;
  unhealthy: boolean;
  avoided: boolean;
}

const NO_SENDERS: readonly string[] = [];
const sameScore = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
const unroutable = (outcome: Unroutable): RoutePlan => ({ kind: 'unroutable', outcome, probeCandidates: [] });

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
const slotOf = (n: PhoneNumberEntity): RouteSlot => ({
  number: n.number,
  providerId: n.providerId,
  segmentsPerSecond: n.segmentsPerSecond,
});
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
    return [...this.bestRates(request, snapshot).keys()];
  }

  /**
   * The plan for a message of this shape: it depends on the request only through its country, class,
   * segments, `from`, avoided/excluded/pinned providers and the rates its destination matches (see
   * RoutePlans for the key), so every such message can reuse it.
   * @param probes unhealthy providers this message may probe (one message per interval, so a
   *   provider that was skipped can prove it recovered).
   */
  plan(
    request: RouteRequest,
    snapshot: RouteSnapshot,
    health: ReadonlyMap<string, HealthCounts>,
    probes: ReadonlySet<string> = new Set(),
  ): RoutePlan {
    const { country } = request;
    const rule = snapshot.rules.get(country) ?? DEFAULT_COUNTRY_RULE;
    if (rule.blocked) {
      return unroutable({
        kind: 'refused',
        code: 'COUNTRY_NOT_ALLOWED',
        reason: `sending to ${country} is blocked`,
        candidates: [],
      });
    }
    const rates = this.bestRates(request, snapshot);
    if (rates.size === 0) {
      return unroutable({
        kind: 'no-route',
        code: 'NO_ROUTE',
        reason: `no active provider has a rate for ${country}`,
        candidates: [],
      });
    }
    const refusal = this.checkExplicitSender(request, snapshot);
    if (refusal) {
      return unroutable({ ...refusal, candidates: [] });
    }

    const work: Working[] = [...rates].map(([providerId, rate]) => {
      const providerHealth = viewHealth(health.get(providerId), this.policy);
      const w: Working = {
        providerId,
        rate,
        cost: Number(rate.price) * request.segments,
        health: providerHealth,
        senders: null,
        senderType: null,
        score: null,
        lostBecause: null,
        unhealthy: false,
        avoided: false,
      };
      if (request.excludeProviders?.includes(providerId)) {
        w.lostBecause = 'excluded: this message must go through another provider';

        return w;
      }
      if (request.pinProvider && providerId !== request.pinProvider) {
        w.lostBecause = `not ${request.pinProvider}, where an earlier attempt may already have arrived`;

        return w;
      }
      const senders = this.sendersOf(providerId, request, snapshot);
      if (typeof senders === 'string') {
        w.lostBecause = senders;

        return w;
      }
      w.senders = senders.list;
      w.senderType = senders.type;
      const typeRank = Math.max(0, TYPE_PREFERENCE[request.messageClass].indexOf(senders.type as SenderType));
      const typeFactor = 1 + TYPE_STEP * (senders.type === 'alphanumeric' ? 0 : typeRank);
      w.score = w.cost * healthFactor(providerHealth, this.policy) * typeFactor;
      w.unhealthy = !request.pinProvider && providerHealth.unhealthy && !probes.has(providerId);
      w.avoided = !request.pinProvider && request.avoidProviders.includes(providerId);

      return w;
    });

    const scored = work.filter((w) => w.lostBecause === null);
    let viable = scored.filter((w) => !w.unhealthy && !w.avoided);
    let why = request.pinProvider ? `pinned to ${request.pinProvider} after an ambiguous send` : 'best score';
    // This message probes a provider skipped as unhealthy: it goes there whatever the score says,
    // so the provider can show it recovered (one message per interval across replicas).
    const probing = scored.filter((w) => probes.has(w.providerId) && !w.avoided);
    if (probing.length > 0) {
      viable = probing;
      why = 'probe of a provider held back by its health';
    }
    if (viable.length === 0) {
      const avoidedOnly = scored.filter((w) => !w.unhealthy);
      if (avoidedOnly.length === 0) {
        const excluded = request.excludeProviders ?? [];
        const reason =
          scored.length > 0
            ? `every provider that can serve ${country} is unhealthy (errors above ${percent(this.policy.errorThreshold)})`
            : work.every((w) => excluded.includes(w.providerId))
              ? `no provider other than ${excluded.join(', ')} has a rate for ${country}`
              : `no provider has a compliant sender for ${country}`;

        const candidates = this.explain(work, null, []);

        return {
          kind: 'unroutable',
          outcome: { kind: 'no-route', code: 'NO_ROUTE', reason, candidates },
          probeCandidates: probeCandidatesOf(request, candidates, null),
        };
      }
      viable = avoidedOnly;
      why = 'every provider failed this message before; retrying the best';
    }
    viable.sort((a, b) => a.score! - b.score! || a.providerId.localeCompare(b.providerId));
    const best = viable[0]!;
    const tied = viable.filter((w) => sameScore(w.score!, best.score!));
    const candidates = this.explain(work, best, tied);
    const bestExplained = candidates.find((c) => c.providerId === best.providerId)!;

    return {
      kind: 'route',
      best: bestExplained,
      group: groupOf(tied.map((w) => w.senders!)),
      eligible: new SenderIndex(viable.map((w) => w.senders!)),
      sticky: request.from === null,
      why,
      candidates,
      cursor: this.cursorOf(`${country}|${request.messageClass}|${tied.map((w) => w.providerId).join(',')}`),
      probeCandidates: probeCandidatesOf(request, candidates, bestExplained),
      country,
      segments: request.segments,
      views: new Map(),
    };
  }

  /** Each provider's most specific rate for the destination (longest matching prefix). */
  private bestRates(request: RouteRequest, snapshot: RouteSnapshot): Map<string, RateRow> {
    const digits = request.to.startsWith('+') ? request.to.slice(1) : request.to;
    const best = new Map<string, RateRow>();
    for (const rate of snapshot.ratesByCountry.get(request.country) ?? []) {
      if (!best.has(rate.providerId) && digits.startsWith(rate.prefix)) {
        best.set(rate.providerId, rate);
      }
    }

    return best;
  }

  /** An explicit `from` that no provider may use here: refused, with the rule it breaks. */
  private checkExplicitSender(
    request: RouteRequest,
    snapshot: RouteSnapshot,
  ): Omit<Extract<Unroutable, { kind: 'refused' }>, 'candidates'> | null {
    const { from, country } = request;
    if (!from) {
      return null;
    }
    const rule = snapshot.rules.get(country) ?? DEFAULT_COUNTRY_RULE;
    const entry = snapshot.numbersByValue.get(from);
    const alphanumeric = entry ? entry.type === 'alphanumeric' : !NUMERIC_SENDER.test(from);
    if (!entry && !alphanumeric) {
      return { kind: 'refused', code: 'SENDER_NOT_ALLOWED', reason: 'from is not an active number of the pool' };
    }
    const types = rule.allowedSenderTypes;
    const type = entry?.type ?? 'alphanumeric';
    if (alphanumeric) {
      if (rule.senderIdPolicy === 'forbidden' || (types.length > 0 && !types.includes('alphanumeric'))) {
        return {
          kind: 'refused',
          code: 'SENDER_ID_NOT_ALLOWED',
          reason: `${country} does not allow alphanumeric sender IDs`,
        };
      }
      if (rule.senderIdPolicy === 'registration' && (!entry || entry.country !== country)) {
        return {
          kind: 'refused',
          code: 'SENDER_ID_NOT_REGISTERED',
          reason: `${country} requires a registered sender ID and this one is not registered there`,
        };
      }

      return null;
    }
    if (types.length > 0 && !types.includes(type)) {
      return { kind: 'refused', code: 'SENDER_NOT_ALLOWED', reason: `${country} does not allow ${type} senders` };
    }
    if (entry && entry.country !== country && (rule.localNumberRequired || type === 'shortcode')) {
      return {
        kind: 'refused',
        code: 'SENDER_NOT_ALLOWED',
        reason: type === 'shortcode' ? 'short codes send only domestically' : `${country} requires a local number`,
      };
    }

    return null;
  }

  /** The provider's compliant senders of the preferred type, or why it has none. */
  private sendersOf(providerId: string, request: RouteRequest, snapshot: RouteSnapshot): SenderSet | string {
    if (request.from) {
      return this.explicitSender(providerId, request.from, snapshot);
    }
    // Computed once per snapshot (it depends on nothing else), kept with the snapshot.
    const key = `senders|${providerId}|${request.country}|${request.messageClass}`;
    let senders = snapshot.derived.get(key) as SenderSet | string | undefined;
    if (senders === undefined) {
      senders = this.poolSenders(providerId, request, snapshot);
      snapshot.derived.set(key, senders);
    }

    return senders;
  }

  private explicitSender(providerId: string, from: string, snapshot: RouteSnapshot): SenderSet | string {
    const entry = snapshot.numbersByValue.get(from);
    if (entry) {
      return entry.providerId === providerId
        ? { list: SenderList.of(slotOf(entry)), type: entry.type }
        : `the requested sender belongs to ${entry.providerId}`;
    }

    // An unregistered alphanumeric ID where the country allows any: every provider may carry it.
    return {
      list: SenderList.of({ number: from, providerId, segmentsPerSecond: DEFAULT_SEGMENTS_PER_SECOND.alphanumeric }),
      type: 'alphanumeric',
    };
  }

  private poolSenders(providerId: string, request: RouteRequest, snapshot: RouteSnapshot): SenderSet | string {
    const { country } = request;
    const rule = snapshot.rules.get(country) ?? DEFAULT_COUNTRY_RULE;
    // Runs, not numbers: a run's senders share the country and type the rules look at.
    const all = snapshot.sendersByProvider.get(providerId) ?? [];
    const compliant = all.filter((run) => isCompliantSender(run, rule, country));
    if (compliant.length === 0) {
      return all.length === 0
        ? 'no active sender number'
        : `no compliant sender number for ${country} (${
            rule.localNumberRequired ? 'local number required; ' : ''
          }short codes domestic only)`;
    }
    const local = compliant.filter((run) => run.country === country);
    const choices = local.length > 0 ? local : compliant;
    for (const type of TYPE_PREFERENCE[request.messageClass]) {
      const ofType = choices.filter((run) => run.type === type);
      if (ofType.length > 0) {
        return { list: SenderList.ofRuns(providerId, ofType), type };
      }
    }

    return 'no active sender number';
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

  private explain(work: readonly Working[], best: Working | null, tied: readonly Working[]): CandidateExplanation[] {
    const ordered = [...work].sort(
      (a, b) => (a.score ?? Infinity) - (b.score ?? Infinity) || a.providerId.localeCompare(b.providerId),
    );

    return ordered.map((w) => {
      let outcome: CandidateExplanation['outcome'] = 'lost';
      let reason: string;
      if (w === best) {
        outcome = 'chosen';
        reason = 'lowest score';
      } else if (tied.includes(w)) {
        outcome = 'tied';
        reason = 'same score as the chosen one: its senders share the round-robin';
      } else if (w.lostBecause) {
        reason = w.lostBecause;
      } else if (w.unhealthy) {
        reason = `unhealthy: ${percent(w.health.errorRate)} errors over the last 5 minutes (above ${percent(
          this.policy.errorThreshold,
        )}); skipped until it recovers`;
      } else if (w.avoided && best && !best.avoided) {
        reason = 'failed this message before';
      } else {
        reason = `score ${w.score!.toFixed(6)} above ${best?.score?.toFixed(6)}${this.whyDearer(w, best)}`;
      }

      return {
        providerId: w.providerId,
        price: w.rate.price,
        currency: w.rate.currency,
        prefix: w.rate.prefix,
        cost: w.cost.toFixed(6),
        score: w.score === null ? null : Number(w.score.toFixed(8)),
        senderType: w.senderType,
        senders: w.senders?.numbers ?? NO_SENDERS,
        health: w.health,
        outcome,
        reason,
      };
    });
  }

  private whyDearer(w: Working, best: Working | null): string {
    if (!best) {
      return '';
    }
    if (Number(w.rate.price) > Number(best.rate.price)) {
      return ` (dearer: ${w.rate.price} vs ${best.rate.price} ${best.rate.currency}/segment)`;
    }
    if (w.senderType !== best.senderType) {
      return ` (${w.senderType} is less suited to this message class than ${best.senderType})`;
    }

    return ` (health: errors ${percent(w.health.errorRate)}, delivery ${
      w.health.deliveryRate === null ? 'n/a' : percent(w.health.deliveryRate)
    }, latency ${w.health.latencyMs === null ? 'n/a' : `${Math.round(w.health.latencyMs)} ms`})`;
  }
}
