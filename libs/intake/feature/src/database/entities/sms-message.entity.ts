import { DEFAULT_ACCOUNT_ID } from '@sms/contracts';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** The ledger: one row per message, written only by intake (architecture.md "One writer per table"). */
@Entity({ name: 'sms_messages' })
@Index('ix_sms_messages_retry', ['nextRetryAt'])
@Index('ix_sms_messages_status_updated', ['status', 'updatedAt'])
// Search (GET /v1/messages): the account first, then the filter, then the page order (created_at, id).
@Index('ix_sms_messages_account_created', ['accountId', 'createdAt', 'id'])
@Index('ix_sms_messages_account_status', ['accountId', 'status', 'createdAt', 'id'])
@Index('ix_sms_messages_account_to', ['accountId', 'toNumber', 'createdAt', 'id'])
@Index('ix_sms_messages_account_ref', ['accountId', 'clientReference', 'createdAt', 'id'])
@Index('ix_sms_messages_scheduled', ['status', 'sendAt'])
export class SmsMessageEntity {
  /**
   * Unique. On MySQL/MariaDB the table is partitioned by month and its primary key is (id, created_at)
   * (migration PartitionLedgerByMonth; MariaDB wants the partitioning column in every unique key): ids stay
   * unique because the gateway makes them or claims a producer's (LedgerWriter). SQLite keeps (id).
   */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: string;

  /** Position in the state machine; updates apply only when it grows (forward-only). */
  @Column({ name: 'status_rank', type: 'smallint' })
  statusRank!: number;

  @Column({ name: 'to_number', type: 'varchar', length: 16 })
  toNumber!: string;

  /** Sender the caller asked for, if any. */
  @Column({ name: 'requested_from', type: 'varchar', length: 16, nullable: true })
  requestedFrom!: string | null;

  /** Sender actually used (known once sent). */
  @Column({ type: 'varchar', length: 16, nullable: true })
  sender!: string | null;

  @Column({ type: 'varchar', length: 2 })
  country!: string;

  @Column({ type: 'text' })
  body!: string;

  @Column({ type: 'varchar', length: 8 })
  encoding!: string;

  @Column({ type: 'smallint' })
  segments!: number;

  @Column({ name: 'message_class', type: 'varchar', length: 16 })
  messageClass!: string;

  @Column({ name: 'callback_url', type: 'varchar', length: 2048, nullable: true })
  callbackUrl!: string | null;

  /** The callbacks' format: NULL is the gateway's signed JSON, `twilio` Twilio's StatusCallback. */
  @Column({ name: 'callback_format', type: 'varchar', length: 16, nullable: true })
  callbackFormat!: string | null;

  @Column({ name: 'client_reference', type: 'varchar', length: 128, nullable: true })
  clientReference!: string | null;

  @Column({ name: 'validity_seconds', type: 'int', nullable: true })
  validitySeconds!: number | null;

  @Column({ name: 'api_key_id', type: 'varchar', length: 36, nullable: true })
  apiKeyId!: string | null;

  /**
   * The account the message belongs to (the sending key's, or the `sms.send.v1` record's): reads by any
   * other account answer 404. Messages from before accounts existed belong to DEFAULT_ACCOUNT_ID.
   */
  @Column({ name: 'account_id', type: 'varchar', length: 36, default: DEFAULT_ACCOUNT_ID })
  accountId!: string;

  /** Current attempt number (1 on the first dispatch). */
  @Column({ type: 'smallint' })
  attempt!: number;

  @Column({ type: 'varchar', length: 64, nullable: true })
  provider!: string | null;

  @Column({ name: 'provider_message_id', type: 'varchar', length: 128, nullable: true })
  providerMessageId!: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  cost!: string | null;

  @Column({ type: 'varchar', length: 8, nullable: true })
  currency!: string | null;

  @Column({ name: 'error_code', type: 'varchar', length: 64, nullable: true })
  errorCode!: string | null;

  @Column({ name: 'error_message', type: 'varchar', length: 512, nullable: true })
  errorMessage!: string | null;

  @Column({ name: 'route_reason', type: 'varchar', length: 512, nullable: true })
  routeReason!: string | null;

  /** Comma-separated providers that failed transiently: retries prefer others (failover). */
  @Column({ name: 'avoid_providers', type: 'varchar', length: 255, nullable: true })
  avoidProviders!: string | null;

  /** Set after an ambiguous send: retries must use this provider (a resend elsewhere could double). */
  @Column({ name: 'pin_provider', type: 'varchar', length: 64, nullable: true })
  pinProvider!: string | null;

  @Column({ name: 'next_retry_at', type: 'datetime', precision: 3, nullable: true })
  nextRetryAt!: Date | null;

  /** W3C `traceparent` of the request or record that created the message; retries continue its trace. */
  @Column({ name: 'trace_parent', type: 'varchar', length: 64, nullable: true })
  traceParent!: string | null;

  /** Re-sends through another provider after a receipt reported a fixable failure (at most one). */
  @Column({ name: 'dlr_fallbacks', type: 'integer', default: 0 })
  dlrFallbacks!: number;

  /** The caller's `sendAt`: the message is held `scheduled` until then (ScheduledRelease). */
  @Column({ name: 'send_at', type: 'datetime', precision: 3, nullable: true })
  sendAt!: Date | null;

  /**
   * Its validity counted from `send_at` (or creation): past it the message is never sent, it ends `expired`.
   * Null without a validity period.
   */
  @Column({ name: 'expires_at', type: 'datetime', precision: 3, nullable: true })
  expiresAt!: Date | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;

  @Column({ name: 'sent_at', type: 'datetime', precision: 3, nullable: true })
  sentAt!: Date | null;

  @Column({ name: 'delivered_at', type: 'datetime', precision: 3, nullable: true })
  deliveredAt!: Date | null;

  @Column({ name: 'final_at', type: 'datetime', precision: 3, nullable: true })
  finalAt!: Date | null;
}
