import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateIntakeSchema1763770100000 implements MigrationInterface {
  name = 'CreateIntakeSchema1763770100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE sms_messages (
      id char(36) CHARACTER SET ascii NOT NULL,
      status varchar(16) NOT NULL,
      status_rank smallint NOT NULL,
      to_number varchar(16) NOT NULL,
      requested_from varchar(16) NULL,
      sender varchar(16) NULL,
      country char(2) NOT NULL,
      body text NOT NULL,
      encoding varchar(8) NOT NULL,
      segments smallint NOT NULL,
      message_class varchar(16) NOT NULL,
      callback_url varchar(2048) NULL,
      client_reference varchar(128) NULL,
      validity_seconds int NULL,
      api_key_id varchar(36) NULL,
      attempt smallint NOT NULL,
      provider varchar(64) NULL,
      provider_message_id varchar(128) NULL,
      cost varchar(32) NULL,
      currency varchar(8) NULL,
      error_code varchar(64) NULL,
      error_message varchar(512) NULL,
      route_reason varchar(512) NULL,
      avoid_providers varchar(255) NULL,
      pin_provider varchar(64) NULL,
      next_retry_at datetime(3) NULL,
      created_at datetime(3) NOT NULL,
      updated_at datetime(3) NOT NULL,
      sent_at datetime(3) NULL,
      delivered_at datetime(3) NULL,
      final_at datetime(3) NULL,
      PRIMARY KEY (id),
      KEY ix_sms_messages_retry (next_retry_at),
      KEY ix_sms_messages_status_updated (status, updated_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await queryRunner.query(`CREATE TABLE message_events (
      id bigint NOT NULL AUTO_INCREMENT,
      event_id char(36) CHARACTER SET ascii NOT NULL,
      message_id char(36) CHARACTER SET ascii NOT NULL,
      status varchar(16) NOT NULL,
      source varchar(16) NOT NULL,
      applied tinyint(1) NOT NULL,
      attempt smallint NULL,
      provider varchar(64) NULL,
      error_code varchar(64) NULL,
      detail varchar(512) NULL,
      occurred_at datetime(3) NOT NULL,
      PRIMARY KEY (id),
      UNIQUE KEY uq_message_events_event (event_id),
      KEY ix_message_events_message (message_id, id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await queryRunner.query(`CREATE TABLE idempotency_keys (
      scope_key varchar(300) CHARACTER SET ascii NOT NULL,
      fingerprint char(64) NOT NULL,
      message_id char(36) NOT NULL,
      response text NOT NULL,
      expires_at datetime(3) NOT NULL,
      PRIMARY KEY (scope_key),
      KEY ix_idempotency_keys_expires (expires_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await queryRunner.query(`CREATE TABLE intake_outbox (
      id bigint NOT NULL AUTO_INCREMENT,
      topic varchar(128) NOT NULL,
      msg_key varchar(255) NOT NULL,
      payload text NOT NULL,
      headers text NULL,
      created_at datetime(3) NOT NULL,
      PRIMARY KEY (id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE intake_outbox');
    await queryRunner.query('DROP TABLE idempotency_keys');
    await queryRunner.query('DROP TABLE message_events');
    await queryRunner.query('DROP TABLE sms_messages');
  }
}
