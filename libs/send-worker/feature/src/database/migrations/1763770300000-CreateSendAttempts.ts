import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSendAttempts1763770300000 implements MigrationInterface {
  name = 'CreateSendAttempts1763770300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE send_attempts (
      id bigint NOT NULL AUTO_INCREMENT,
      message_id char(36) CHARACTER SET ascii NOT NULL,
      attempt smallint NOT NULL,
      provider varchar(64) NOT NULL,
      state varchar(16) NOT NULL,
      provider_message_id varchar(128) NULL,
      outcome text NULL,
      latency_ms int NULL,
      created_at datetime(3) NOT NULL,
      updated_at datetime(3) NOT NULL,
      PRIMARY KEY (id),
      UNIQUE KEY uq_send_attempts_message_attempt (message_id, attempt)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE send_attempts');
  }
}
