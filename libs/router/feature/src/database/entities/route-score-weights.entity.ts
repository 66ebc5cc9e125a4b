import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The routing score's weights (docs/routing.md): one row per destination country that has its own, and
 * the row `default` for every other country. A country without a row, with no `default` row either,
 * uses DEFAULT_WEIGHTS (routing/quality/score-weights.ts).
 */
@Entity({ name: 'route_score_weights' })
export class RouteScoreWeightsEntity {
  /** ISO 3166-1 alpha-2 country, or `default`. */
  @PrimaryColumn({ type: 'varchar', length: 7 })
  scope!: string;

  @Column({ type: 'double' })
  cost!: number;

  @Column({ type: 'double' })
  delivery!: number;

  @Column({ type: 'double' })
  latency!: number;

  @Column({ type: 'double' })
  errors!: number;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
