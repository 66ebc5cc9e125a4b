import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A receipt that arrived before its send result: applied as soon as the provider id becomes known. */
@Entity({ name: 'parked_receipts' })
@Index('ix_parked_receipts_ref', ['provider', 'providerMessageId'])
export class ParkedReceiptEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  provider!: string;

  @Column({ name: 'provider_message_id', type: 'varchar', length: 128 })
  providerMessageId!: string;

  /** The status event to publish, without its message id. */
  @Column({ type: 'text' })
  event!: string;

  @Column({ name: 'parked_at', type: 'datetime', precision: 3 })
  parkedAt!: Date;
}
