import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Which of our messages (and which part of it) a provider's message id belongs to, learned from `sent`
 * events: one row per part when the provider reports receipts per part (SendResult.partIds).
 */
@Entity({ name: 'provider_message_refs' })
@Index('ix_provider_message_refs_message', ['messageId'])
export class ProviderMessageRefEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  provider!: string;

  /** Normalised (see normaliseProviderMessageId). */
  @PrimaryColumn({ name: 'provider_message_id', type: 'varchar', length: 128 })
  providerMessageId!: string;

  @Column({ name: 'message_id', type: 'varchar', length: 36 })
  messageId!: string;

  /** W3C `traceparent` of the message's trace when it was sent; a receipt's span links to it. */
  @Column({ name: 'trace_parent', type: 'varchar', length: 64, nullable: true })
  traceParent!: string | null;

  /** 0-based part this id stands for; 0 for a single-part message. */
  @Column({ name: 'part_index', type: 'integer', default: 0 })
  partIndex!: number;

  /** Parts the provider reports separately; 1 when it reports the message as a whole. */
  @Column({ name: 'part_count', type: 'integer', default: 1 })
  partCount!: number;

  /** When the provider accepted the send (epoch ms); null on refs from before the column. */
  @Column({ name: 'sent_at', type: 'bigint', nullable: true })
  sentAt!: string | null;

  /** The send's destination country; receipts carry it to the router's route quality. */
  @Column({ type: 'varchar', length: 2, nullable: true })
  country!: string | null;

  /** The send's destination network (MCC+MNC) when a lookup told it. */
  @Column({ type: 'varchar', length: 6, nullable: true })
  network!: string | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;
}
