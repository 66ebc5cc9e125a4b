import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 19: per-account and per-key admission limits (docs/limits.md). */
export class CreateAccountLimits1765100000000 implements MigrationInterface {
  name = 'CreateAccountLimits1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE account_limits (
      account_id varchar(36) NOT NULL,
      key_id varchar(36) NOT NULL DEFAULT '',
      messages_per_second int NULL,
      messages_per_day int NULL,
      segments_per_day int NULL,
      spend_per_day varchar(24) NULL,
      spend_per_month varchar(24) NULL,
      allowed_countries text NULL,
      blocked_countries text NULL,
      number_types text NULL,
      updated_at datetime(3) NOT NULL,
      PRIMARY KEY (account_id, key_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE account_limits');
  }
}
