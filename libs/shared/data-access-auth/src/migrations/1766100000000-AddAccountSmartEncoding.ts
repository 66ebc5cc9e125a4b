import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The account's smart-encoding default (off for every existing account). */
export class AddAccountSmartEncoding1766100000000 implements MigrationInterface {
  name = 'AddAccountSmartEncoding1766100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE accounts ADD COLUMN smart_encoding tinyint(1) NOT NULL DEFAULT 0');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE accounts DROP COLUMN smart_encoding');
  }
}
