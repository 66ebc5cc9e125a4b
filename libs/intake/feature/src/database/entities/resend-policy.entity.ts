import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Re-send on an overdue receipt (ADR 0023): the operator's default (`scope` = `*`) or one account's own
 * policy (`scope` = the account id). `classes` is comma-separated message classes. No row: the next scope
 * decides (account > operator default > RESEND_ON_RECEIPT_TIMEOUT).
 */
@Entity({ name: 'resend_policies' })
export class ResendPolicyEntity {
  @PrimaryColumn({ name: 'scope', type: 'varchar', length: 36 })
  scope!: string;

  @Column({ name: 'enabled', type: 'boolean' })
  enabled!: boolean;

  @Column({ name: 'classes', type: 'varchar', length: 64 })
  classes!: string;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
