import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * An account's opt-out policy: how far a STOP reaches and what the confirmations say. An account
 * without a row gets the deployment's defaults (OPT_OUT_SCOPE and the OPT_OUT_*_REPLY texts); a null
 * column takes the default too.
 */
@Entity({ name: 'opt_out_settings' })
export class OptOutSettingsEntity {
  @PrimaryColumn({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  /** account | sender; null follows the deployment's OPT_OUT_SCOPE. */
  @Column({ type: 'varchar', length: 8, nullable: true })
  scope!: string | null;

  /** Named in the confirmations ("no more messages from <name>"). */
  @Column({ name: 'display_name', type: 'varchar', length: 64, nullable: true })
  displayName!: string | null;

  @Column({ name: 'stop_reply', type: 'varchar', length: 320, nullable: true })
  stopReply!: string | null;

  @Column({ name: 'stop_sender_reply', type: 'varchar', length: 320, nullable: true })
  stopSenderReply!: string | null;

  @Column({ name: 'start_reply', type: 'varchar', length: 320, nullable: true })
  startReply!: string | null;

  @Column({ name: 'help_reply', type: 'varchar', length: 320, nullable: true })
  helpReply!: string | null;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
