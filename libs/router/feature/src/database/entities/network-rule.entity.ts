import { Entity, PrimaryColumn } from 'typeorm';
import { RuleColumns } from './rule-columns';

/**
 * Compliance rules for one mobile network (MCC/MNC) of a destination country. For a number a lookup (or
 * its cache) places on the network, the row replaces the country's rule whole (every field, defaults
 * included): a partial override would make the rule in force depend on two rows read at different times.
 * With the network unknown, the country's rule applies.
 */
@Entity({ name: 'network_rules' })
export class NetworkRuleEntity extends RuleColumns {
  @PrimaryColumn({ type: 'varchar', length: 2 })
  country!: string;

  @PrimaryColumn({ type: 'varchar', length: 3 })
  mcc!: string;

  @PrimaryColumn({ type: 'varchar', length: 3 })
  mnc!: string;
}
