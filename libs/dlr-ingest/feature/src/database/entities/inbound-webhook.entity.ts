import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Every provider webhook exactly as received, verified or not: receipts can be replayed after a
 * parser fix, and forged ones stay visible as evidence.
 */
@Entity({ name: 'inbound_webhooks' })
@Index('ix_inbound_webhooks_provider_received', ['provider', 'receivedAt'])
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

  @Column({ name: 'received_at', type: 'datetime', precision: 3 })
  receivedAt!: Date;
}
