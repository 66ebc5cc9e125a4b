import { Column } from 'typeorm';
import type { SenderType } from './phone-number.entity';

/** How a country (or one of its networks) treats alphanumeric sender IDs. */
export const SENDER_ID_POLICIES = ['allowed', 'registration', 'forbidden'] as const;
export type SenderIdPolicy = (typeof SENDER_ID_POLICIES)[number];

const csv = {
  to: (value: readonly string[] | null | undefined): string => (value ?? []).join(','),
  from: (value: string | null): string[] => (value ? value.split(',').filter(Boolean) : []),
};

/**
 * The columns of a compliance rule, shared by a country's rule and a network's (TypeORM copies an abstract
 * parent's columns into each entity's own table), so the two can never disagree on what a rule holds.
 */
export abstract class RuleColumns {
  /** Sender types that may send (empty = all). */
  @Column({ name: 'allowed_sender_types', type: 'varchar', length: 64, transformer: csv })
  allowedSenderTypes!: SenderType[];

  /**
   * `allowed`: any alphanumeric ID; `registration`: only IDs registered in the pool (a `phone_numbers`
   * row of type alphanumeric for this country and provider); `forbidden`: none.
   */
  @Column({ name: 'sender_id_policy', type: 'varchar', length: 16 })
  senderIdPolicy!: SenderIdPolicy;

  /** The sender must be a number of the destination country (e.g. US A2P, Canada). */
  @Column({ name: 'local_number_required', type: 'boolean' })
  localNumberRequired!: boolean;

  /** Nothing is sent (sanctions, fraud). */
  @Column({ type: 'boolean' })
  blocked!: boolean;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
