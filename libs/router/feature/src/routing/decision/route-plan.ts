import type { ClaimResult, SenderSequence } from '../../state/routing-state';
import type { CandidateExplanation, RuleApplied, Unroutable } from './route-request';
import type { SenderIndex } from './sender-index';
import type { RouteSlot } from './sender-list';

/** A round-robin cursor, shared by every plan of one tie (country, class, tied providers) across snapshots. */
export interface Cursor {
  next: number;
}

/** What a message shows once its sender is booked: the explanation and the reason, per chosen provider. */
export interface ChosenView {
  readonly chosen: CandidateExplanation;
  readonly candidates: readonly CandidateExplanation[];
  /** The reason up to the sender's part ("...; score 0.04; sender "). */
  readonly head: string;
  /** The reason after it: "; others: ..." or ''. */
  readonly tail: string;
}

/**
 * Everything a decision derives from its inputs (the snapshot, the health counts, the request's shape):
 * computed once and reused by every message of that shape until the snapshot or the health changes. What
 * is left per message is its round-robin turn, the booking, and the chosen provider's texts.
 */
export type RoutePlan =
  | {
      readonly kind: 'route';
      /** The best candidate (a sticky sender may move the message to another eligible one). */
      readonly best: CandidateExplanation;
      /** Equally good senders in a fixed order; each message starts at its round-robin turn. */
      readonly group: SenderSequence<RouteSlot>;
      /** Every sender of every eligible provider: a sticky sender among them is kept. */
      readonly eligible: SenderIndex;
      readonly sticky: boolean;
      readonly why: string;
      readonly candidates: readonly CandidateExplanation[];
      readonly cursor: Cursor;
      /** Providers this message may probe, before the per-interval limit (RoutingEngine.probesFor). */
      readonly probeCandidates: readonly string[];
      readonly country: string;
      readonly segments: number;
      /** The rule the decision applied: the destination network's, the country's, or the defaults. */
      readonly rule: RuleApplied;
      /** Built on first use, per chosen provider. */
      readonly views: Map<string, ChosenView>;
    }
  | {
      readonly kind: 'unroutable';
      readonly outcome: Unroutable;
      readonly probeCandidates: readonly string[];
    };

export type RoutablePlan = Extract<RoutePlan, { kind: 'route' }>;

/**
 * Where this message's turn starts in the group. `move` false (explain) shows the next pick without
 * taking it.
 */
export function takeTurn(plan: RoutablePlan, move: boolean): number {
  const size = Math.max(plan.group.length, 1);
  const cursor = plan.cursor.next;
  if (move) {
    plan.cursor.next = (cursor + 1) % size;
  }

  return cursor % size;
}

/** The reason's sender part for each way the claim can pick. */
export function senderHow(plan: RoutablePlan, how: ClaimResult['how']): string {
  switch (how) {
    case 'sticky':
      return 'sticky for this recipient';
    case 'free':
      return `round-robin over ${plan.group.length} equally good`;
    case 'earliest':
      return `all ${plan.group.length} equally good are busy; earliest free`;
  }
}

/**
 * The explanation and the reason's fixed parts when `providerId` carries the message: the best
 * candidate, or the one that owns the sender the claim picked (a sticky sender, or a tied provider's).
 */
export function chosenView(plan: RoutablePlan, providerId: string): ChosenView {
  let view = plan.views.get(providerId);
  if (view) {
    return view;
  }
  const chosen = plan.candidates.find((c) => c.providerId === providerId) ?? plan.best;
  const candidates =
    chosen === plan.best
      ? plan.candidates
      : plan.candidates.map((c) =>
          c === chosen
            ? { ...c, outcome: 'chosen' as const, reason: 'owns the sticky sender of this recipient' }
            : c === plan.best
              ? { ...c, outcome: 'lost' as const, reason: 'best score, but the recipient keeps its sticky sender' }
              : c,
        );
  const others = candidates
    .filter((c) => c !== chosen && c.outcome !== 'chosen')
    .map((c) => `${c.providerId}: ${c.reason}`);
  view = {
    chosen,
    candidates,
    head: `${plan.why} for ${plan.country}${
      plan.rule.level === 'network' ? ` (rule of network ${plan.rule.network})` : ''
    }: ${chosen.providerId} at ${chosen.price} ${chosen.currency}/segment x ${
      plan.segments
    }; score ${chosen.score}; sender `,
    tail: others.length > 0 ? `; others: ${others.join('; ')}` : '',
  };
  plan.views.set(providerId, view);

  return view;
}
