import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The longcodes masking may hand out. Kept in the masking slice (rather than read from the router's
 * `phone_numbers`) so one writer owns it and a router schema change cannot break masking; an operator
 * flags a number for masking by adding it here (seeded from MASK_POOL_NUMBERS when empty). The number
 * must also be a sender the router can send from.
 */
@Entity({ name: 'mask_pool_numbers' })
export class MaskPoolNumberEntity {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  number!: string;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;
}
