import type { MessageClass } from '@sms/contracts';
import type { MobileNetwork } from '@sms/provider-port';
import type { ProviderHealth } from './health-view';
import type { RouteQuality } from '../quality/quality-estimate';
import type { ScoreFactor } from '../quality/score-factor';

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
  /**
   * The destination's mobile network, from a number lookup (portability); null or absent: not known, so
   * rates apply by prefix only. The engine fills it in before deciding (RoutingEngine.route).
   */
  readonly network?: MobileNetwork | null;
}

/** One provider as the decision saw it: what `/v1/routes/explain` and the message's route show. */
export interface CandidateExplanation {
  readonly providerId: string;
  readonly price: string;
  readonly currency: string;
  /** The rate's prefix ('' = whole country). */
  readonly prefix: string;
  /** The rate's mobile network (`234-30`, portability); '' for a rate of any network. */
  readonly network: string;
  /** price × segments, rounded to 6 decimals. */
  readonly cost: string;
  /** cost weighed by health and sender type; lower wins. Null when filtered out before scoring. */
  readonly score: number | null;
  readonly senderType: string | null;
  readonly senders: readonly string[];
  readonly health: ProviderHealth;
  /** The route's measured quality for the destination country (null without quality tracking). */
  readonly quality: RouteQuality | null;
  /** Each weighted factor's raw value, normalised value, weight and contribution (null: cost × multiplier). */
  readonly factors: readonly ScoreFactor[] | null;
  /** Health × sender type: what the factors' sum (or the cost) is multiplied by. */
  readonly multiplier: number;
  readonly outcome: 'chosen' | 'tied' | 'lost';
  readonly reason: string;
}

/** Which rule the decision applied (explain and the quote show it). */
export interface RuleApplied {
  /** `network`: the rule of the destination's network; `country`: the country's; `default`: none is set. */
  readonly level: 'network' | 'country' | 'default';
  /** The network the applied rule is for (`234-30`); null unless `level` is `network`. */
  readonly network: string | null;
}

/** An explicit sender that breaks the country's rules: the message is refused for good. */
export interface SenderRefusal {
  readonly kind: 'refused';
  readonly code: 'SENDER_NOT_ALLOWED' | 'SENDER_ID_NOT_ALLOWED' | 'SENDER_ID_NOT_REGISTERED';
  readonly reason: string;
}

/** A decision that sends nothing: refused for good, or no route for now. */
export type Unroutable =
  | {
      readonly kind: 'no-route';
      readonly code: 'NO_ROUTE';
      readonly reason: string;
      readonly candidates: readonly CandidateExplanation[];
      readonly rule?: RuleApplied;
    }
  | {
      readonly kind: 'refused';
      readonly code: 'COUNTRY_NOT_ALLOWED' | SenderRefusal['code'];
      readonly reason: string;
      readonly candidates: readonly CandidateExplanation[];
      readonly rule?: RuleApplied;
    };
