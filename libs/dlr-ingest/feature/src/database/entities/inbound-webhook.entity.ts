import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** What became of a stored webhook at the door. */
export enum WebhookState {
  /** Verified and new: published to dlr-processor (`inbound_webhook_publications` records when). */
  Accepted = 'accepted',
  /** Failed signature verification: kept as evidence, answered 401/403, never parsed. */
  Rejected = 'rejected',
  /** Verified, but a provider's retry of a payload already accepted (same token or same body). */
  Duplicate = 'duplicate',
}

/**
 * Every provider webhook exactly as received, verified or not: receipts can be replayed after a
 * parser fix, and forged ones stay visible as evidence. Rows older than the retention are purged.
 */
@Entity({ name: 'inbound_webhooks' })
@Index('ix_inbound_webhooks_provider_received', ['provider', 'receivedAt'])
@Index('ix_inbound_webhooks_received_state', ['receivedAt', 'state'])
export class InboundWebhookEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  provider!: string;

  /** status | inbound */
  @Column({ type: 'varchar', length: 16 })
  kind!: string;

  @Column({ type: 'varchar', length: 2048 })
  url!: string;

  @Column({ type: 'varchar', length: 16 })
  method!: string;

  /** The headers that matter for verification and parsing, as JSON. */
  @Column({ type: 'text' })
  headers!: string;

  @Column({ type: 'text' })
  body!: string;

  @Column({ name: 'content_type', type: 'varchar', length: 255 })
  contentType!: string;

  @Column({ type: 'boolean' })
  verified!: boolean;

  @Column({ type: 'varchar', length: 16, default: WebhookState.Accepted })
  state!: WebhookState;

  /** Set on accepted rows only: a provider's retry collides on it (unique). */
  @Index('ux_inbound_webhooks_dedupe', { unique: true })
  @Column({ name: 'dedupe_key', type: 'varchar', length: 64, nullable: true })
  dedupeKey!: string | null;

  /** For a duplicate: the accepted row it repeats. */
  @Column({ name: 'duplicate_of', type: 'varchar', length: 36, nullable: true })
  duplicateOf!: string | null;

  @Column({ name: 'received_at', type: 'datetime', precision: 3 })
  receivedAt!: Date;
}
