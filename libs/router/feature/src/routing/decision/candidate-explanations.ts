import { rateNetworkOf } from '../snapshot/network-rates';
import { type HealthPolicy, percent } from './health-view';
import type { ScoredCandidate } from './candidate-scoring';
import type { CandidateExplanation } from './route-request';

const NO_SENDERS: readonly string[] = [];

/** Every candidate, best score first, with its outcome and the reason it won or lost. */
export function explainCandidates(
  candidates: readonly ScoredCandidate[],
  best: ScoredCandidate | null,
  tied: readonly ScoredCandidate[],
  policy: HealthPolicy,
): CandidateExplanation[] {
  const ordered = [...candidates].sort(
    (a, b) => (a.score ?? Infinity) - (b.score ?? Infinity) || a.providerId.localeCompare(b.providerId),
  );

  return ordered.map((c) => {
    const outcome: CandidateExplanation['outcome'] = c === best ? 'chosen' : tied.includes(c) ? 'tied' : 'lost';

    return {
      providerId: c.providerId,
      price: c.rate.price,
      currency: c.rate.currency,
      prefix: c.rate.prefix,
      network: rateNetworkOf(c.rate),
      cost: c.cost.toFixed(6),
      score: c.score === null ? null : Number(c.score.toFixed(8)),
      senderType: c.senderType,
      senders: c.senders?.numbers ?? NO_SENDERS,
      health: c.health,
      quality: c.quality,
      factors: c.factors,
      multiplier: Number(c.multiplier.toFixed(6)),
      outcome,
      reason: reasonOf(c, outcome, best, policy),
    };
  });
}

function reasonOf(
  c: ScoredCandidate,
  outcome: CandidateExplanation['outcome'],
  best: ScoredCandidate | null,
  policy: HealthPolicy,
): string {
  if (outcome === 'chosen') {
    return 'lowest score';
  }
  if (outcome === 'tied') {
    return 'same score as the chosen one: its senders share the round-robin';
  }
  if (c.lostBecause) {
    return c.lostBecause;
  }
  if (c.unhealthy) {
    return `unhealthy: ${percent(c.health.errorRate)} errors over the last 5 minutes (above ${percent(
      policy.errorThreshold,
    )}); skipped until it recovers`;
  }
  if (c.avoided && best && !best.avoided) {
    return 'failed this message before';
  }

  return `score ${c.score!.toFixed(6)} above ${best?.score?.toFixed(6)}${whyDearer(c, best)}`;
}

function whyDearer(c: ScoredCandidate, best: ScoredCandidate | null): string {
  if (!best) {
    return '';
  }
  if (Number(c.rate.price) > Number(best.rate.price)) {
    return ` (dearer: ${c.rate.price} vs ${best.rate.price} ${best.rate.currency}/segment)`;
  }
  if (c.senderType !== best.senderType) {
    return ` (${c.senderType} is less suited to this message class than ${best.senderType})`;
  }
  if (c.factors && best.factors) {
    return ` (${worseFactors(c, best)})`;
  }

  return ` (health: errors ${percent(c.health.errorRate)}, delivery ${
    c.health.deliveryRate === null ? 'n/a' : percent(c.health.deliveryRate)
  }, latency ${c.health.latencyMs === null ? 'n/a' : `${Math.round(c.health.latencyMs)} ms`})`;
}

/** The weighted factors where the candidate did worse than the chosen one, largest gap first. */
function worseFactors(c: ScoredCandidate, best: ScoredCandidate): string {
  const gaps = c
    .factors!.map((f) => ({
      f,
      gap: f.contribution - (best.factors!.find((b) => b.factor === f.factor)?.contribution ?? 0),
    }))
    .filter(({ gap }) => gap > 0)
    .sort((a, b) => b.gap - a.gap);
  if (gaps.length === 0) {
    return 'health or sender type';
  }

  return gaps.map(({ f }) => `${f.factor} ${f.raw}`).join(', ') + ' weigh against it';
}
