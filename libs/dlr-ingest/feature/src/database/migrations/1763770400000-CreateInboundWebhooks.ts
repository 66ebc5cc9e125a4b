import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateInboundWebhooks1763770400000 implements MigrationInterface {
  name = 'CreateInboundWebhooks1763770400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE inbound_webhooks (
      id char(36) CHARACTER SET ascii NOT NULL,
      provider varchar(64) NOT NULL,
      kind varchar(16) NOT NULL,
      url varchar(2048) NOT NULL,
      method varchar(16) NOT NULL,
      headers text NOT NULL,
      body mediumtext NOT NULL,
      content_type varchar(255) NOT NULL,
      verified tinyint(1) NOT NULL,
      received_at datetime(3) NOT NULL,
      PRIMARY KEY (id),
      KEY ix_inbound_webhooks_provider_received (provider, received_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await queryRunner.query(`CREATE TABLE dlr_ingest_outbox (
      id bigint NOT NULL AUTO_INCREMENT,
      topic varchar(128) NOT NULL,
      msg_key varchar(255) NOT NULL,
      payload mediumtext NOT NULL,
      headers text NULL,
      created_at datetime(3) NOT NULL,
      PRIMARY KEY (id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE dlr_ingest_outbox');
    await queryRunner.query('DROP TABLE inbound_webhooks');
  }
}
