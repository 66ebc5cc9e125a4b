import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Which account last messaged `recipient` from `sender` (fed from `sms.dispatch.v1`). Pool numbers are
 * shared by accounts, so this is how an inbound STOP to `sender` is attributed to the account whose
 * message it answers. One row per pair: the latest dispatch wins.
 */
@Entity({ name: 'opt_out_recent_senders' })
export class OptOutRecentSenderEntity {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  sender!: string;

  @PrimaryColumn({ type: 'varchar', length: 32 })
  recipient!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ name: 'routed_at', type: 'datetime', precision: 3 })
  routedAt!: Date;
}
