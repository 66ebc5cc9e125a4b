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

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;
}
