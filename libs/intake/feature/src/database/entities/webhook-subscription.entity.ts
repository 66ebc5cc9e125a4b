import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * An account's webhook subscription (docs/webhooks.md): where its events go and which ones. The signing
 * secret is stored encrypted (AES-256-GCM under WEBHOOK_SECRETS_KEY, bound to the row's id), never in clear.
 */
@Entity({ name: 'webhook_subscriptions' })
@Index('ix_webhook_subscriptions_account', ['accountId', 'createdAt'])
export class WebhookSubscriptionEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ type: 'varchar', length: 2048 })
  url!: string;

  /** Comma-separated event types (WEBHOOK_EVENT_TYPES). */
  @Column({ type: 'varchar', length: 255 })
  events!: string;

  @Column({ name: 'secret_ciphertext', type: 'varchar', length: 512 })
  secretCiphertext!: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
