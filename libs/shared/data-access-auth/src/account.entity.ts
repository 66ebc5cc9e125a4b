import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A tenant: every API key, message and what hangs off them belongs to one. Accounts are not deleted
 * (their messages and keys keep pointing at them); `DEFAULT_ACCOUNT_ID` is the account of everything
 * written before accounts existed.
 */
@Entity({ name: 'accounts' })
export class AccountEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 128 })
  name!: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  /** The account's default for smart encoding (GSM-7 look-alikes); a send's `smartEncoding` overrides it. */
  @Column({ name: 'smart_encoding', type: 'boolean', default: false })
  smartEncoding!: boolean;

  /**
   * The region the account's messages are kept in (docs/regions.md), whatever the recipient's country;
   * null: decided per message by the recipient's country (REGION_COUNTRY_MAP).
   */
  @Column({ name: 'data_residency', type: 'varchar', length: 16, nullable: true, default: null })
  dataResidency!: string | null;
}
