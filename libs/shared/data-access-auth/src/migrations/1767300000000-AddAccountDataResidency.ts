import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The account's data-residency region (none for every existing account: decided by the recipient's country). */
export class AddAccountDataResidency1767300000000 implements MigrationInterface {
  name = 'AddAccountDataResidency1767300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE accounts ADD COLUMN data_residency varchar(16) NULL DEFAULT NULL');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE accounts DROP COLUMN data_residency');
  }
}
