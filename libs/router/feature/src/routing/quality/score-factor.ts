import type { WeightFactor } from './score-weights';

/** One factor of a candidate's score, as explain shows it. */
export interface ScoreFactor {
  readonly factor: WeightFactor;
  /** The measured value: cost per message, delivery rate (0-1), receipt latency p95 (ms), error rate (0-1). */
  readonly raw: number;
  /** 0 (best) to 1 (worst): see docs/routing.md for each factor's scale. */
  readonly normalised: number;
  /** The weight as configured. */
  readonly weight: number;
  /** normalised × weight ÷ the sum of the weights: the factor's share of the score before the multiplier. */
  readonly contribution: number;
}
