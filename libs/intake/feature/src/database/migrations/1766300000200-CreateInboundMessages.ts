import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The inbound store (GET /v1/inbound): every inbound message with its account and its keyword. */
export class CreateInboundMessages1766300000200 implements MigrationInterface {
  name = 'CreateInboundMessages1766300000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE inbound_messages (
      id char(36) CHARACTER SET ascii NOT NULL,
      account_id varchar(36) NOT NULL,
      from_number varchar(32) NOT NULL,
      to_number varchar(32) NOT NULL,
      body text NOT NULL,
      provider varchar(64) NOT NULL,
      provider_message_id varchar(128) NOT NULL,
      webhook_id varchar(64) NOT NULL,
      keyword varchar(16) NULL,
      received_at datetime(3) NOT NULL,
      created_at datetime(3) NOT NULL,
      PRIMARY KEY (id),
      UNIQUE KEY uq_inbound_messages_provider_message (provider, provider_message_id),
      KEY ix_inbound_messages_account_received (account_id, received_at, id),
      KEY ix_inbound_messages_account_from (account_id, from_number, received_at, id),
      KEY ix_inbound_messages_account_to (account_id, to_number, received_at, id),
      KEY ix_inbound_messages_account_keyword (account_id, keyword, received_at, id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE inbound_messages');
  }
}
