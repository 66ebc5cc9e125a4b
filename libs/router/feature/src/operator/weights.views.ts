import { ApiProperty } from '@nestjs/swagger';

/** OpenAPI shapes of the score weights API; validation lives in routing/quality/score-weights.ts. */
export class ScoreWeightsDto {
  @ApiProperty({ example: 1, minimum: 0, maximum: 1000, description: 'weight of the cost per message' })
  cost!: number;
  @ApiProperty({ example: 1, minimum: 0, maximum: 1000, description: 'weight of 1 − delivery rate' })
  delivery!: number;
  @ApiProperty({ example: 0.25, minimum: 0, maximum: 1000, description: 'weight of the receipt latency (p95)' })
  latency!: number;
  @ApiProperty({ example: 0.5, minimum: 0, maximum: 1000, description: 'weight of the send error rate' })
  errors!: number;
}

export class ScoreWeightsView extends ScoreWeightsDto {
  @ApiProperty({ example: 'GB', description: "country, or 'default'" }) scope!: string;
  @ApiProperty({ description: 'true for the built-in default (no operator row)' }) builtIn!: boolean;
}

export class WeightsListView {
  @ApiProperty({ type: ScoreWeightsView }) default!: ScoreWeightsView;
  @ApiProperty({ type: [ScoreWeightsView] }) countries!: ScoreWeightsView[];
}
