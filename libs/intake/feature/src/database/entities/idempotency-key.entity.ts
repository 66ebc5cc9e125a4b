import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** The first response to an `Idempotency-Key`, kept 24 h (api.md), scoped to the API key that sent it. */
@Entity({ name: 'idempotency_keys' })
export class IdempotencyKeyEntity {
  /** `<api key id>:<Idempotency-Key>`: no cross-caller replays (reliability.md, IETF draft). */
  @PrimaryColumn({ name: 'scope_key', type: 'varchar', length: 300 })
  scopeKey!: string;

  @Column({ type: 'varchar', length: 64 })
  fingerprint!: string;

  @Column({ name: 'message_id', type: 'varchar', length: 36 })
  messageId!: string;

  @Column({ type: 'text' })
  response!: string;

  @Index('ix_idempotency_keys_expires')
  @Column({ name: 'expires_at', type: 'datetime', precision: 3 })
  expiresAt!: Date;
}
