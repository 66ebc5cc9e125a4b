import { DEFAULT_ACCOUNT_ID } from '@sms/contracts';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** longcode | shortcode | tollfree | alphanumeric */
export const SENDER_TYPES = ['longcode', 'shortcode', 'tollfree', 'alphanumeric'] as const;
export type SenderType = (typeof SENDER_TYPES)[number];

/**
 * What a number can be used for: `sms` (one-way sending), `two_way` (receives replies), `masking`
 * (may be handed out by the masking service as a proxy number; it is then never picked for routing).
 */
export const NUMBER_CAPABILITIES = ['sms', 'two_way', 'masking'] as const;
export type NumberCapability = (typeof NUMBER_CAPABILITIES)[number];

/**
 * Carrier throughput when the operator gives none, in segments per second: US 10DLC long codes are
 * about 1/s per number, toll-free 3/s, short codes 100/s; alphanumeric IDs are limited by the account.
 */
export const DEFAULT_SEGMENTS_PER_SECOND: Readonly<Record<SenderType, number>> = {
  longcode: 1,
  tollfree: 3,
  shortcode: 100,
  alphanumeric: 10,
};

/** Stored as a comma-separated list: a set of a few known words, read with the whole row. */
const csv = {
  to: (value: readonly string[] | null | undefined): string => (value ?? []).join(','),
  from: (value: string | null): string[] => (value ? value.split(',').filter(Boolean) : []),
};

/** A sender in the pool: a number (or alphanumeric ID) rented from a provider. */
@Entity({ name: 'phone_numbers' })
@Index('ix_phone_numbers_provider', ['providerId', 'country'])
/**
 * A cold routing decision reads one country's active numbers grouped by provider, type and rate limit,
 * from this index alone and in its order (SqlRoutePool).
 */
@Index('ix_phone_numbers_country_senders', [
  'country',
  'active',
  'providerId',
  'type',
  'segmentsPerSecond',
  'number',
  'capabilities',
])
export class PhoneNumberEntity {
  @PrimaryColumn({ type: 'varchar', length: 16 })
  number!: string;

  @Column({ name: 'provider_id', type: 'varchar', length: 64 })
  providerId!: string;

  @Column({ type: 'varchar', length: 2 })
  country!: string;

  @Column({ type: 'varchar', length: 16 })
  type!: SenderType;

  /** A set of {@link NUMBER_CAPABILITIES}. */
  @Column({ type: 'varchar', length: 128, default: 'sms', transformer: csv })
  capabilities!: NumberCapability[];

  /** What the number costs per month, decimal string (reporting; routing prices by route rate). */
  @Column({ name: 'monthly_cost', type: 'varchar', length: 16, nullable: true })
  monthlyCost!: string | null;

  /** Carrier limit for this number; the router never schedules more segments per second on it. */
  @Column({ name: 'segments_per_second', type: 'double' })
  segmentsPerSecond!: number;

  @Column({ type: 'boolean' })
  active!: boolean;

  /**
   * The account inbound messages to this number are filed under (GET /v1/inbound). The shared pool is the
   * default account's; the operator gives a dedicated number to an account.
   */
  @Column({ name: 'account_id', type: 'varchar', length: 36, default: DEFAULT_ACCOUNT_ID })
  accountId!: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;
}
