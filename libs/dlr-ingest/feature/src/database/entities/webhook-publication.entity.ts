import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One publish of accepted webhooks to dlr-processor: which rows it carried, and the span of their
 * `received_at`. The publisher writes one such row per publish instead of stamping every published row
 * (ADR 0013), and its sweep compares the rows behind its horizon with these records.
 */
@Entity({ name: 'inbound_webhook_publications' })
@Index('ix_inbound_webhook_publications_first', ['firstReceivedAt'])
export class WebhookPublicationEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'first_received_at', type: 'datetime', precision: 3 })
  firstReceivedAt!: Date;

  @Column({ name: 'last_received_at', type: 'datetime', precision: 3 })
  lastReceivedAt!: Date;

  /** The published rows' ids, comma-separated. */
  @Column({ name: 'webhook_ids', type: 'text' })
  webhookIds!: string;

  @Column({ name: 'published_at', type: 'datetime', precision: 3 })
  publishedAt!: Date;
}

/**
 * The sweep's horizon, one row (id 1): every accepted webhook received before `checked_until` is known to
 * have been published. Replicas take turns through a lock on this row.
 */
@Entity({ name: 'inbound_webhook_sweep_horizon' })
export class WebhookSweepHorizonEntity {
  @PrimaryColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'checked_until', type: 'datetime', precision: 3 })
  checkedUntil!: Date;
}
