import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One provider call per (message, attempt): the idempotency guard of the send-worker. A redelivered
 * dispatch finds its row and republishes the recorded outcome instead of calling the provider again;
 * a row still `sending` means a worker died mid-call, so the submit is ambiguous.
 */
@Entity({ name: 'send_attempts' })
@Index('uq_send_attempts_message_attempt', ['messageId', 'attempt'], { unique: true })
export class SendAttemptEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: string;

  @Column({ name: 'message_id', type: 'varchar', length: 36 })
  messageId!: string;

  @Column({ type: 'smallint' })
  attempt!: number;

  @Column({ type: 'varchar', length: 64 })
  provider!: string;

  /** sending | done */
  @Column({ type: 'varchar', length: 16 })
  state!: string;

  @Column({ name: 'provider_message_id', type: 'varchar', length: 128, nullable: true })
  providerMessageId!: string | null;

  /** The status event published for this attempt, kept to republish it verbatim. */
  @Column({ type: 'text', nullable: true })
  outcome!: string | null;

  @Column({ name: 'latency_ms', type: 'int', nullable: true })
  latencyMs!: number | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
