import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export enum DeliveryState {
  Pending = 'pending',
  Delivered = 'delivered',
  /** The URL broke the outbound address rules (SSRF) at delivery time: final, no request was made. */
  Refused = 'refused',
  /** Retried for the whole retry window without a 2xx. */
  Expired = 'expired',
}

/**
 * One event for one subscription and every attempt to deliver it. A subscription gets an event once:
 * (subscription_id, event_id) is unique, so a redelivered source record adds nothing.
 */
@Entity({ name: 'webhook_deliveries' })
@Index('ux_webhook_deliveries_event', ['subscriptionId', 'eventId'], { unique: true })
@Index('ix_webhook_deliveries_due', ['state', 'nextAttemptAt'])
@Index('ix_webhook_deliveries_subscription', ['subscriptionId', 'createdAt'])
export class WebhookDeliveryEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'subscription_id', type: 'varchar', length: 36 })
  subscriptionId!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ name: 'event_id', type: 'varchar', length: 36 })
  eventId!: string;

  @Column({ name: 'event_type', type: 'varchar', length: 32 })
  eventType!: string;

  /** The exact JSON event body signed and sent. */
  @Column({ type: 'text' })
  body!: string;

  @Column({ type: 'varchar', length: 16 })
  state!: DeliveryState;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'datetime', precision: 3 })
  nextAttemptAt!: Date;

  /** Retries stop once the next one would fall after this (created or replayed + WEBHOOK_RETRY_HOURS). */
  @Column({ name: 'retry_until', type: 'datetime', precision: 3 })
  retryUntil!: Date;

  @Column({ name: 'lease_until', type: 'datetime', precision: 3, nullable: true })
  leaseUntil!: Date | null;

  @Column({ name: 'last_status_code', type: 'integer', nullable: true })
  lastStatusCode!: number | null;

  @Column({ name: 'last_error', type: 'varchar', length: 255, nullable: true })
  lastError!: string | null;

  /** JSON array of { at, outcome, statusCode?, error? } per attempt (last 50). */
  @Column({ name: 'attempt_log', type: 'text' })
  attemptLog!: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @Column({ name: 'settled_at', type: 'datetime', precision: 3, nullable: true })
  settledAt!: Date | null;
}
