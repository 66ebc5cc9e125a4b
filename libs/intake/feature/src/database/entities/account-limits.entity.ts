import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Admission limits of an account (`key_id` = '') or one API key's own limits within it (docs/limits.md).
 * A null quota is no limit; a null list on a key row is the account's. Money is a decimal string in
 * LIMITS_CURRENCY, never a float. Accounts without a row get the configured defaults.
 */
@Entity({ name: 'account_limits' })
export class AccountLimitsEntity {
  @PrimaryColumn({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  /** '' for the account's own row. */
  @PrimaryColumn({ name: 'key_id', type: 'varchar', length: 36, default: '' })
  keyId!: string;

  @Column({ name: 'messages_per_second', type: 'int', nullable: true })
  messagesPerSecond!: number | null;

  @Column({ name: 'messages_per_day', type: 'int', nullable: true })
  messagesPerDay!: number | null;

  @Column({ name: 'segments_per_day', type: 'int', nullable: true })
  segmentsPerDay!: number | null;

  @Column({ name: 'spend_per_day', type: 'varchar', length: 24, nullable: true })
  spendPerDay!: string | null;

  @Column({ name: 'spend_per_month', type: 'varchar', length: 24, nullable: true })
  spendPerMonth!: string | null;

  /** `*` or comma-separated ISO 3166-1 alpha-2 codes. */
  @Column({ name: 'allowed_countries', type: 'text', nullable: true })
  allowedCountries!: string | null;

  @Column({ name: 'blocked_countries', type: 'text', nullable: true })
  blockedCountries!: string | null;

  /** Comma-separated libphonenumber number types. */
  @Column({ name: 'number_types', type: 'text', nullable: true })
  numberTypes!: string | null;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
