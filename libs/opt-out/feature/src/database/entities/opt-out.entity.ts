import { DEFAULT_ACCOUNT_ID } from '@sms/contracts';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One current opt-out: `number` will not receive messages of `accountId` (every account when `*`) from
 * `sender`, or from any of its senders when `scopeKey` is `*`. The unique key on (number, account_id,
 * scope_key) makes a repeated STOP a no-op and lets the database, not a check in code, decide which of
 * two racing writers recorded it.
 */
@Entity({ name: 'opt_outs' })
@Index('uq_opt_outs_number_account_scope', ['number', 'accountId', 'scopeKey'], { unique: true })
export class OptOutEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: string;

  /** The account whose sends are blocked, or `*` for every account (STOPALL, or an unattributable STOP). */
  @Column({ name: 'account_id', type: 'varchar', length: 36, default: DEFAULT_ACCOUNT_ID })
  accountId!: string;

  @Column({ type: 'varchar', length: 32 })
  number!: string;

  /** The sender, or `*` for account-wide (a NULL would not take part in the unique key). */
  @Column({ name: 'scope_key', type: 'varchar', length: 32 })
  scopeKey!: string;

  /** stop keyword, stopall keyword, provider code, or a note given through the API. */
  @Column({ type: 'varchar', length: 128 })
  reason!: string;

  /** keyword | provider | api */
  @Column({ type: 'varchar', length: 16 })
  source!: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;
}
