import type { MigrationInterface, QueryRunner } from 'typeorm';

/** `GET /v1/masks` lists an account's sessions newest first: an index that leads with the account. */
export class AddMaskAccountIndex1767100000000 implements MigrationInterface {
  name = 'AddMaskAccountIndex1767100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE INDEX ix_number_masks_account_created ON number_masks (account_id, created_at, id)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX ix_number_masks_account_created ON number_masks');
  }
}
