import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { SenderIdPolicy } from './country-rule.entity';
import type { SenderType } from './phone-number.entity';

const csv = {
  to: (value: readonly string[] | null | undefined): string => (value ?? []).join(','),
  from: (value: string | null): string[] => (value ? value.split(',').filter(Boolean) : []),
};

/**
 * Compliance rules for one mobile network (MCC/MNC) of a destination country. For a number a lookup (or
 * its cache) places on the network, the row replaces the country's rule whole (every field, defaults
 * included): a partial override would make the rule in force depend on two rows read at different times.
 * With the network unknown, the country's rule applies.
 */
@Entity({ name: 'network_rules' })
export class NetworkRuleEntity {
  @PrimaryColumn({ type: 'varchar', length: 2 })
  country!: string;

  @PrimaryColumn({ type: 'varchar', length: 3 })
  mcc!: string;

  @PrimaryColumn({ type: 'varchar', length: 3 })
  mnc!: string;

  /** Sender types that may send to the network (empty = all). */
  @Column({ name: 'allowed_sender_types', type: 'varchar', length: 64, transformer: csv })
  allowedSenderTypes!: SenderType[];

  @Column({ name: 'sender_id_policy', type: 'varchar', length: 16 })
  senderIdPolicy!: SenderIdPolicy;

  @Column({ name: 'local_number_required', type: 'boolean' })
  localNumberRequired!: boolean;

  /** Nothing is sent to numbers on this network. */
  @Column({ type: 'boolean' })
  blocked!: boolean;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
