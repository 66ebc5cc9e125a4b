import { Entity, PrimaryColumn } from 'typeorm';
import { RuleColumns } from './rule-columns';

export { SENDER_ID_POLICIES, type SenderIdPolicy } from './rule-columns';

/**
 * Compliance rules for a destination country. A country without a row has the defaults: every
 * sender type, sender IDs allowed, no local number required, not blocked.
 */
@Entity({ name: 'country_rules' })
export class CountryRuleEntity extends RuleColumns {
  @PrimaryColumn({ type: 'varchar', length: 2 })
  country!: string;
}
