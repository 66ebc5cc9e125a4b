import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An upstream account we can send through (a Twilio account, an SMPP bind, ...). */
@Entity({ name: 'sms_providers' })
export class ProviderEntity {
  /** Stable id used on the bus and in webhook paths, e.g. `twilio`. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  /** Adapter kind (`ProviderId`): twilio, vonage, aws, sinch, smpp. */
  @Column({ type: 'varchar', length: 16 })
  kind!: string;

  @Column({ type: 'varchar', length: 128 })
  name!: string;

  @Column({ type: 'boolean' })
  active!: boolean;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;
}
