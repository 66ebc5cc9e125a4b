import type { ScoredCandidate } from '../decision/candidate-scoring';
import { type CountryQuality, PRIOR_QUALITY, type RouteQuality } from './quality-estimate';
import type { ScoreFactor } from './score-factor';
import { type ScoreWeights, WEIGHT_FACTORS, type WeightFactor } from './score-weights';

/** Receipt latency (p95) that normalises to 0.5: the scale is x ÷ (x + this). */
export const LATENCY_HALF_MS = 30_000;
/** The p95 assumed for a provider with no delivered receipt yet: the same for all, so it never decides. */
export const UNKNOWN_LATENCY_MS = 10_000;

/**
 * Re-scores the candidates with the country's weights and route quality (docs/routing.md):
 *
 *   score = multiplier × Σ weight_f × normalised_f ÷ Σ weight
 *
 * where the multiplier is the 5-minute health and sender type factor (candidate-scoring.ts) and each
 * factor is normalised to 0 (best) … 1 (worst): cost ÷ the dearest scored candidate's cost; 1 − delivery
 * rate; p95 ÷ (p95 + LATENCY_HALF_MS); error rate. Lower wins. Without quality (tests, tools) the
 * candidates are left as scored: cost × multiplier.
 *
 * The quality read is the narrowest level with counts: the route's on the destination's `network` (when a
 * lookup placed the number, smoothed toward the country's), the route's for the country, the provider's
 * over every country, the priors. `quality.level` says which.
 */
export function applyQuality(
  candidates: readonly ScoredCandidate[],
  quality: CountryQuality | undefined,
  /** The destination's network as route keys hold it (MCC+MNC, `23430`); '' when not known. */
  network = '',
): ScoredCandidate[] {
  if (!quality) {
    return [...candidates];
  }
  const { weights } = quality.weights;
  const total = WEIGHT_FACTORS.reduce((sum, f) => sum + weights[f], 0) || 1;
  const maxCost = Math.max(0, ...candidates.filter((c) => c.score !== null).map((c) => c.cost));
  const ofNetwork = network === '' ? undefined : quality.networks?.get(network);

  return candidates.map((candidate) => {
    const route =
      ofNetwork?.get(candidate.providerId) ??
      quality.routes.get(candidate.providerId) ??
      quality.providers.get(candidate.providerId) ??
      PRIOR_QUALITY;
    if (candidate.score === null) {
      return { ...candidate, quality: route };
    }
    const factors = factorsOf(candidate.cost, maxCost, route, weights, total);
    const sum = factors.reduce((acc, f) => acc + f.contribution, 0);

    return { ...candidate, quality: route, factors, score: candidate.multiplier * sum };
  });
}

function factorsOf(
  cost: number,
  maxCost: number,
  route: RouteQuality,
  weights: ScoreWeights,
  total: number,
): ScoreFactor[] {
  const latency = route.latencyP95Ms ?? UNKNOWN_LATENCY_MS;
  const values: Record<WeightFactor, [raw: number, normalised: number]> = {
    cost: [cost, maxCost > 0 ? cost / maxCost : 0],
    delivery: [route.deliveryRate, 1 - route.deliveryRate],
    latency: [latency, latency / (latency + LATENCY_HALF_MS)],
    errors: [route.errorRate, route.errorRate],
  };

  return WEIGHT_FACTORS.map((factor) => {
    const [raw, normalised] = values[factor];

    return {
      factor,
      raw: round(raw),
      normalised: round(normalised),
      weight: weights[factor],
      contribution: round((weights[factor] * normalised) / total),
    };
  });
}

const round = (value: number): number => Number(value.toFixed(6));
