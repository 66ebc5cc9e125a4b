import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Whether the router looks destination numbers of a country up before routing (number portability), with
 * which source and for how long an answer is kept. A country without a row does no lookups: each costs money.
 */
@Entity({ name: 'number_lookup_settings' })
export class NumberLookupSettingEntity {
  @PrimaryColumn({ type: 'varchar', length: 2 })
  country!: string;

  @Column({ type: 'boolean' })
  enabled!: boolean;

  /** The lookup source (`twilio`). */
  @Column({ type: 'varchar', length: 32 })
  provider!: string;

  /** How long a found answer is kept; a "not found" is kept a tenth of it (NEGATIVE_TTL_SHARE). */
  @Column({ name: 'ttl_seconds', type: 'integer' })
  ttlSeconds!: number;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
