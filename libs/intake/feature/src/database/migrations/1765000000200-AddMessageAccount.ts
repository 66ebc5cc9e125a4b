import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Messages belong to an account (issue 19); every message written before accounts existed belongs to
 * the default account, as every key of that time does.
 */
export class AddMessageAccount1765000000200 implements MigrationInterface {
  name = 'AddMessageAccount1765000000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      "ALTER TABLE sms_messages ADD COLUMN account_id varchar(36) NOT NULL DEFAULT '00000000-0000-4000-8000-000000000000' AFTER api_key_id",
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE sms_messages DROP COLUMN account_id');
  }
}
