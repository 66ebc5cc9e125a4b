import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The latest receipt of each part of a long message, for the roll-up (forward-only per part). */
@Entity({ name: 'receipt_parts' })
export class ReceiptPartEntity {
  @PrimaryColumn({ name: 'message_id', type: 'varchar', length: 36 })
  messageId!: string;

  @PrimaryColumn({ name: 'part_index', type: 'integer' })
  partIndex!: number;

  @Column({ name: 'part_count', type: 'integer' })
  partCount!: number;

  /** The event kind this part's latest receipt reported. */
  @Column({ type: 'varchar', length: 16 })
  status!: string;

  @Column({ name: 'status_rank', type: 'integer' })
  statusRank!: number;

  @Column({ name: 'provider_status', type: 'varchar', length: 64 })
  providerStatus!: string;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
