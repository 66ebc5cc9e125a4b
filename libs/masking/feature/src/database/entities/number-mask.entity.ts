import { DEFAULT_ACCOUNT_ID } from '@sms/contracts';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One masking session between two parties; the row stays (closed) after expiry for the record. */
@Entity({ name: 'number_masks' })
@Index('ix_number_masks_status_expires', ['status', 'expiresAt'])
@Index('ix_number_masks_account_created', ['accountId', 'createdAt', 'id'])
export class NumberMaskEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** The account that opened the session: only its keys see or close it, and its opt-outs apply. */
  @Column({ name: 'account_id', type: 'varchar', length: 36, default: DEFAULT_ACCOUNT_ID })
  accountId!: string;

  @Column({ name: 'context_id', type: 'varchar', length: 128, nullable: true })
  contextId!: string | null;

  @Column({ name: 'party_a', type: 'varchar', length: 32 })
  partyA!: string;

  /** The pool number A texts to reach B (and sees as the sender of B's messages). */
  @Column({ name: 'masked_a', type: 'varchar', length: 32 })
  maskedA!: string;

  @Column({ name: 'party_b', type: 'varchar', length: 32 })
  partyB!: string;

  @Column({ name: 'masked_b', type: 'varchar', length: 32 })
  maskedB!: string;

  /** active | closed */
  @Column({ type: 'varchar', length: 8 })
  status!: string;

  @Column({ name: 'expires_at', type: 'datetime', precision: 3 })
  expiresAt!: Date;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @Column({ name: 'closed_at', type: 'datetime', precision: 3, nullable: true })
  closedAt!: Date | null;
}
