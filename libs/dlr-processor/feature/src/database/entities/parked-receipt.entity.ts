import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A receipt that could not be matched yet: it arrived before its send result (released as soon as the
 * provider id becomes known), names an id we never sent (kept, and listed to operators), or could not
 * be read at all (`reason = 'unreadable'`, kept with its webhook id so it can be replayed after a fix).
 */
@Entity({ name: 'parked_receipts' })
@Index('ix_parked_receipts_ref', ['provider', 'providerMessageId'])
@Index('ix_parked_receipts_parked', ['parkedAt'])
@Index('ix_parked_receipts_webhook', ['webhookId'])
export class ParkedReceiptEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  provider!: string;

  @Column({ name: 'provider_message_id', type: 'varchar', length: 128 })
  providerMessageId!: string;

  /** The status event to publish, without its message id ('{}' for an unreadable webhook). */
  @Column({ type: 'text' })
  event!: string;

  /** unmatched | unreadable */
  @Column({ type: 'varchar', length: 16, default: 'unmatched' })
  reason!: string;

  /** The stored raw webhook (dlr-ingest) this came from, for replay. */
  @Column({ name: 'webhook_id', type: 'varchar', length: 64, nullable: true })
  webhookId!: string | null;

  @Column({ name: 'parked_at', type: 'datetime', precision: 3 })
  parkedAt!: Date;
}
