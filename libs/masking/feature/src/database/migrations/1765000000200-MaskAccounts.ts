import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Masking sessions belong to an account; sessions created before accounts existed go to the default account. */
export class MaskAccounts1765000000200 implements MigrationInterface {
  name = 'MaskAccounts1765000000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      "ALTER TABLE number_masks ADD COLUMN account_id varchar(36) NOT NULL DEFAULT '00000000-0000-4000-8000-000000000000' AFTER id",
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE number_masks DROP COLUMN account_id');
  }
}
