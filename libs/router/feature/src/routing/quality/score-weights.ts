import { isSupportedCountryCode } from '@sms/phone';
import { ApiError, notFound, unprocessable } from '@sms/platform';
import type { DataSource } from 'typeorm';
import { RouteScoreWeightsEntity } from '../../database/entities/route-score-weights.entity';

/** How much each factor of the routing score counts (docs/routing.md). Relative: only ratios matter. */
export interface ScoreWeights {
  readonly cost: number;
  readonly delivery: number;
  readonly latency: number;
  readonly errors: number;
}

export const WEIGHT_FACTORS = ['cost', 'delivery', 'latency', 'errors'] as const;
export type WeightFactor = (typeof WEIGHT_FACTORS)[number];

/**
 * Without an operator's weights the score is the price alone (weighed by the 5-minute health and the
 * sender type, as before weights existed): a deployment routes as it did until its operator chooses how
 * much quality may cost.
 */
export const DEFAULT_WEIGHTS: ScoreWeights = { cost: 1, delivery: 0, latency: 0, errors: 0 };

/** The three settings docs/routing.md compares (bench/routing-day.bench.ts). */
export const WEIGHT_PRESETS = {
  'cheap-first': DEFAULT_WEIGHTS,
  balanced: { cost: 1, delivery: 1, latency: 0.25, errors: 0.5 },
  'quality-first': { cost: 0.2, delivery: 1, latency: 0.5, errors: 1 },
} as const satisfies Record<string, ScoreWeights>;

export const DEFAULT_SCOPE = 'default';
/** A weight above this is a typo, not a preference (weights are relative). */
export const MAX_WEIGHT = 1_000;

/** The weights a decision for this country uses, and where they came from. */
export interface CountryWeights {
  readonly scope: string;
  readonly weights: ScoreWeights;
}

/**
 * Checks a weights body: exactly the four factors, each a finite number from 0 to MAX_WEIGHT, not all 0.
 * One stable code per broken rule (api.md).
 */
export function parseWeights(input: unknown): ScoreWeights {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ApiError(400, 'INVALID_JSON', 'Request body must be a JSON object');
  }
  const body = input as Record<string, unknown>;
  const unknownField = Object.keys(body).find((key) => !(WEIGHT_FACTORS as readonly string[]).includes(key));
  if (unknownField !== undefined) {
    const field = unknownField.slice(0, 64);
    throw unprocessable('UNKNOWN_FIELD', `Unknown field '${field}'`, field);
  }
  const out: Record<string, number> = {};
  for (const factor of WEIGHT_FACTORS) {
    const value = body[factor];
    if (value === undefined) {
      throw unprocessable('WEIGHT_REQUIRED', `${factor} is required: a number from 0 to ${MAX_WEIGHT}`, factor);
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_WEIGHT) {
      throw unprocessable('INVALID_WEIGHT', `${factor} must be a number from 0 to ${MAX_WEIGHT}`, factor);
    }
    out[factor] = value;
  }
  if (WEIGHT_FACTORS.every((factor) => out[factor] === 0)) {
    throw unprocessable('WEIGHTS_ALL_ZERO', 'at least one weight must be above 0', 'cost');
  }

  return out as unknown as ScoreWeights;
}

/** `default`, or a supported ISO 3166-1 alpha-2 code (upper-cased); anything else is INVALID_COUNTRY. */
export function parseScope(value: string): string {
  if (value === DEFAULT_SCOPE) {
    return value;
  }
  const country = value.toUpperCase();
  if (!/^[A-Z]{2}$/.test(country) || !isSupportedCountryCode(country)) {
    throw unprocessable(
      'INVALID_COUNTRY',
      "country must be an ISO 3166-1 alpha-2 code such as GB, or 'default'",
      'country',
    );
  }

  return country;
}

const weightsOf = (row: RouteScoreWeightsEntity): ScoreWeights => ({
  cost: row.cost,
  delivery: row.delivery,
  latency: row.latency,
  errors: row.errors,
});

export interface WeightsListing {
  readonly default: ScoreWeights;
  /** Whether `default` is the operator's row or the built-in DEFAULT_WEIGHTS. */
  readonly defaultSet: boolean;
  readonly countries: Record<string, ScoreWeights>;
}

/** The weights in the router's slice (`route_score_weights`). */
export class WeightStore {
  constructor(private readonly dataSource: DataSource) {}

  /** The country's own row, else `default`, else DEFAULT_WEIGHTS: read per snapshot load (small table). */
  async forCountry(country: string): Promise<CountryWeights> {
    const rows = await this.dataSource
      .getRepository(RouteScoreWeightsEntity)
      .find({ where: [{ scope: country }, { scope: DEFAULT_SCOPE }] });
    const own = rows.find((r) => r.scope === country) ?? rows.find((r) => r.scope === DEFAULT_SCOPE);

    return own ? { scope: own.scope, weights: weightsOf(own) } : { scope: 'built-in', weights: DEFAULT_WEIGHTS };
  }

  async list(): Promise<WeightsListing> {
    const rows = await this.dataSource.getRepository(RouteScoreWeightsEntity).find({ order: { scope: 'ASC' } });
    const fallback = rows.find((r) => r.scope === DEFAULT_SCOPE);

    return {
      default: fallback ? weightsOf(fallback) : DEFAULT_WEIGHTS,
      defaultSet: fallback !== undefined,
      countries: Object.fromEntries(rows.filter((r) => r.scope !== DEFAULT_SCOPE).map((r) => [r.scope, weightsOf(r)])),
    };
  }

  async put(scope: string, weights: ScoreWeights, at: Date): Promise<void> {
    await this.dataSource.getRepository(RouteScoreWeightsEntity).save({ scope, ...weights, updatedAt: at });
  }

  async delete(scope: string): Promise<void> {
    const result = await this.dataSource.getRepository(RouteScoreWeightsEntity).delete({ scope });
    if (!result.affected) {
      throw notFound(scope === DEFAULT_SCOPE ? 'Default weights' : `Weights for ${scope}`);
    }
  }
}
