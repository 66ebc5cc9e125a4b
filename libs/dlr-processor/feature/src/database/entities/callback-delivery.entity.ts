import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export enum CallbackState {
  Pending = 'pending',
  Delivered = 'delivered',
  /** Refused before any request: the URL is not https or resolves to a non-public address (SSRF). */
  Refused = 'refused',
  /** Retried for the whole retry window without a 2xx. */
  Expired = 'expired',
}

/**
 * One caller callback (one status change of one message) and every attempt to deliver it. Callbacks
 * of a message go out in `seq` order: a later change waits until the earlier one is settled.
 */
@Entity({ name: 'callback_deliveries' })
@Index('ix_callback_deliveries_due', ['state', 'nextAttemptAt'])
@Index('ix_callback_deliveries_message', ['messageId', 'seq'])
export class CallbackDeliveryEntity {
  /** The status event id of the change: a redelivered transition is the same callback. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'message_id', type: 'varchar', length: 36 })
  messageId!: string;

  /** Order within the message: the new status's rank (changes only move forward). */
  @Column({ type: 'integer' })
  seq!: number;

  @Column({ type: 'varchar', length: 2048 })
  url!: string;

  /** The exact body signed and sent (JSON, or the form of `format`). */
  @Column({ type: 'text' })
  body!: string;

  /** NULL: the gateway's signed JSON; `twilio`: Twilio's form-encoded StatusCallback. */
  @Column({ type: 'varchar', length: 16, nullable: true })
  format!: string | null;

  /** The format's signature when it covers no timestamp (Twilio's), computed when the change was recorded. */
  @Column({ type: 'varchar', length: 128, nullable: true })
  signature!: string | null;

  @Column({ type: 'varchar', length: 16 })
  state!: CallbackState;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'datetime', precision: 3 })
  nextAttemptAt!: Date;

  /** A replica working on it until then; another may take over after. */
  @Column({ name: 'lease_until', type: 'datetime', precision: 3, nullable: true })
  leaseUntil!: Date | null;

  @Column({ name: 'last_status_code', type: 'integer', nullable: true })
  lastStatusCode!: number | null;

  @Column({ name: 'last_error', type: 'varchar', length: 255, nullable: true })
  lastError!: string | null;

  /** JSON array of { at, statusCode?, error? } per attempt (last 50). */
  @Column({ name: 'attempt_log', type: 'text' })
  attemptLog!: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @Column({ name: 'settled_at', type: 'datetime', precision: 3, nullable: true })
  settledAt!: Date | null;
}
