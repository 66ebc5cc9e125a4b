import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A sender in the pool: a number (or alphanumeric ID) rented from a provider. */
@Entity({ name: 'phone_numbers' })
@Index('ix_phone_numbers_provider', ['providerId', 'country'])
export class PhoneNumberEntity {
  @PrimaryColumn({ type: 'varchar', length: 16 })
  number!: string;

  @Column({ name: 'provider_id', type: 'varchar', length: 64 })
  providerId!: string;

  @Column({ type: 'varchar', length: 2 })
  country!: string;

  /** longcode | shortcode | tollfree | alphanumeric */
  @Column({ type: 'varchar', length: 16 })
  type!: string;

  @Column({ type: 'boolean' })
  active!: boolean;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;
}
