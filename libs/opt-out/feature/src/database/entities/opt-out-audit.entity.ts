import { DEFAULT_ACCOUNT_ID } from '@sms/contracts';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Every opt-out change ever made (opt-outs and re-subscriptions), kept for compliance questions. */
@Entity({ name: 'opt_out_audit' })
@Index('ix_opt_out_audit_number', ['number', 'id'])
export class OptOutAuditEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: string;

  /** As on `opt_outs`: the account, or `*` for every account. */
  @Column({ name: 'account_id', type: 'varchar', length: 36, default: DEFAULT_ACCOUNT_ID })
  accountId!: string;

  @Column({ type: 'varchar', length: 32 })
  number!: string;

  @Column({ name: 'scope_key', type: 'varchar', length: 32 })
  scopeKey!: string;

  /** opt_out | opt_in */
  @Column({ type: 'varchar', length: 8 })
  action!: string;

  @Column({ type: 'varchar', length: 16 })
  source!: string;

  @Column({ type: 'varchar', length: 128 })
  reason!: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;
}
