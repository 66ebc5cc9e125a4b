import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Which of our messages a provider's message id belongs to, learned from `sent` events. */
@Entity({ name: 'provider_message_refs' })
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

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;
}
