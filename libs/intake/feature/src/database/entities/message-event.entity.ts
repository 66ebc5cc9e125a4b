import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Everything that happened to a message, including late, duplicate and out-of-order reports that did
 * not move its status. `event_id` is unique: applying an event twice is a no-op (idempotent consumer).
 * On MySQL/MariaDB the table is partitioned by month of `occurred_at`, and the keys carry it: (id,
 * occurred_at) and (event_id, occurred_at). An event's time is set once, where it happened, so a redelivery
 * carries the same one and still collides. SQLite keeps (id) and (event_id).
 */
@Entity({ name: 'message_events' })
@Index('ix_message_events_message', ['messageId', 'id'])
export class MessageEventEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: string;

  @Index('uq_message_events_event', { unique: true })
  @Column({ name: 'event_id', type: 'varchar', length: 36 })
  eventId!: string;

  @Column({ name: 'message_id', type: 'varchar', length: 36 })
  messageId!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: string;

  @Column({ type: 'varchar', length: 16 })
  source!: string;

  /** False when the event was recorded but did not change the message (late or duplicate). */
  @Column({ type: 'boolean' })
  applied!: boolean;

  @Column({ type: 'smallint', nullable: true })
  attempt!: number | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  provider!: string | null;

  @Column({ name: 'error_code', type: 'varchar', length: 64, nullable: true })
  errorCode!: string | null;

  @Column({ type: 'varchar', length: 512, nullable: true })
  detail!: string | null;

  /** The event's own error text (a provider's or a refusal's). */
  @Column({ name: 'error_message', type: 'varchar', length: 512, nullable: true })
  errorMessage!: string | null;

  /** Send results: the provider's id of the message, the sender used, the price and the call's latency. */
  @Column({ name: 'provider_message_id', type: 'varchar', length: 128, nullable: true })
  providerMessageId!: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  sender!: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  cost!: string | null;

  @Column({ type: 'varchar', length: 8, nullable: true })
  currency!: string | null;

  @Column({ name: 'latency_ms', type: 'int', nullable: true })
  latencyMs!: number | null;

  /** Receipts: the id of the raw webhook dlr-ingest stored, which the timeline shows as the provider sent it. */
  @Column({ name: 'receipt_id', type: 'varchar', length: 64, nullable: true })
  receiptId!: string | null;

  @Column({ name: 'occurred_at', type: 'datetime', precision: 3 })
  occurredAt!: Date;
}
