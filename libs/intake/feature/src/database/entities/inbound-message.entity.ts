import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Every inbound (MO) message, filed under the account of the number it was sent to (GET /v1/inbound).
 * Written only by intake's inbound store from `sms.inbound.v1`; a provider message stored once however
 * often its webhook is delivered or replayed.
 */
@Entity({ name: 'inbound_messages' })
@Index('uq_inbound_messages_provider_message', ['provider', 'providerMessageId'], { unique: true })
// Search: the account first, then the filter, then the page order (received_at, id).
@Index('ix_inbound_messages_account_received', ['accountId', 'receivedAt', 'id'])
@Index('ix_inbound_messages_account_from', ['accountId', 'fromNumber', 'receivedAt', 'id'])
@Index('ix_inbound_messages_account_to', ['accountId', 'toNumber', 'receivedAt', 'id'])
@Index('ix_inbound_messages_account_keyword', ['accountId', 'keyword', 'receivedAt', 'id'])
export class InboundMessageEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  /** The sender: the person texting in (E.164 when it parses). */
  @Column({ name: 'from_number', type: 'varchar', length: 32 })
  fromNumber!: string;

  /** The pool number texted (E.164 or short code digits); its owner is the account. */
  @Column({ name: 'to_number', type: 'varchar', length: 32 })
  toNumber!: string;

  @Column({ type: 'text' })
  body!: string;

  @Column({ type: 'varchar', length: 64 })
  provider!: string;

  @Column({ name: 'provider_message_id', type: 'varchar', length: 128 })
  providerMessageId!: string;

  /** The stored raw webhook (dlr-ingest) it was parsed from. */
  @Column({ name: 'webhook_id', type: 'varchar', length: 64 })
  webhookId!: string;

  /** `stop`, `stopall`, `start` or `help` when the body is an opt-out keyword; null otherwise. */
  @Column({ type: 'varchar', length: 16, nullable: true })
  keyword!: string | null;

  /** When the provider's webhook reached the gateway. */
  @Column({ name: 'received_at', type: 'datetime', precision: 3 })
  receivedAt!: Date;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;
}
