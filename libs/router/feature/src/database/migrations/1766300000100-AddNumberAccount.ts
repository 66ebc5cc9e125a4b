import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A pool number belongs to an account: inbound messages sent to it are filed under that account
 * (docs/api.md "Inbound messages"). Every existing number is the default account's, the shared pool.
 */
export class AddNumberAccount1766300000100 implements MigrationInterface {
  name = 'AddNumberAccount1766300000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      "ALTER TABLE phone_numbers ADD COLUMN account_id varchar(36) NOT NULL DEFAULT '00000000-0000-4000-8000-000000000000'",
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE phone_numbers DROP COLUMN account_id');
  }
}
