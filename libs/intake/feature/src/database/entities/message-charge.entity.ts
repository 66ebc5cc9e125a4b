import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * What one provider attempt of a message cost (docs/billing.md): one row per (message, attempt) the
 * provider accepted, so a fallback, a retry and a multipart send are billed as they happened and the
 * message's cost is the sum of its rows. Written by intake from the status events, in the same batch
 * transaction. Holds no recipient and no body; `sender` is the gateway's own number or sender ID.
 *
 * Amounts are integer micro-units (1e-6 of the currency) so that sums are exact. Not partitioned: a charge
 * is a billing record kept past the message's own retention (docs/data-lifecycle.md).
 */
@Entity({ name: 'message_charges' })
@Index('ix_message_charges_account_charged', ['accountId', 'chargedAt'])
@Index('ix_message_charges_charged', ['chargedAt'])
export class MessageChargeEntity {
  @PrimaryColumn({ name: 'message_id', type: 'varchar', length: 36 })
  messageId!: string;

  @PrimaryColumn({ type: 'smallint' })
  attempt!: number;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ type: 'varchar', length: 64 })
  provider!: string;

  /** The provider's id of this attempt: a receipt that reports a price finds its charge by it. */
  @Column({ name: 'provider_message_id', type: 'varchar', length: 128, nullable: true })
  providerMessageId!: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  sender!: string | null;

  @Column({ type: 'varchar', length: 2 })
  country!: string;

  /** MCC/MNC of the recipient's network, when the route knew it. */
  @Column({ type: 'varchar', length: 8, nullable: true })
  network!: string | null;

  @Column({ type: 'smallint' })
  segments!: number;

  @Column({ name: 'unit_price_micros', type: 'bigint', nullable: true })
  unitPriceMicros!: string | null;

  @Column({ name: 'amount_micros', type: 'bigint' })
  amountMicros!: string;

  @Column({ type: 'varchar', length: 8 })
  currency!: string;

  /** `provider` (its answer or receipt named the price) or `rate` (the route's rate times the segments). */
  @Column({ name: 'price_source', type: 'varchar', length: 16 })
  priceSource!: string;

  /** False for an estimate, which a provider-reported price replaces; a final charge is never replaced. */
  @Column({ type: 'boolean' })
  final!: boolean;

  /** When the provider accepted the attempt (the `sent` event's time): usage is counted by it. */
  @Column({ name: 'charged_at', type: 'datetime', precision: 3 })
  chargedAt!: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
