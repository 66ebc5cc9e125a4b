import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The route of the send a provider ref was learned from (when it was accepted, destination country and
 * network), copied onto the receipts matched to it: any router replica then counts a receipt's route
 * quality without having seen the send (docs/routing.md, "What is counted once"). Null on refs from before.
 */
export class AddProviderRefRoute1767410000100 implements MigrationInterface {
  name = 'AddProviderRefRoute1767410000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE provider_message_refs
      ADD COLUMN sent_at bigint NULL DEFAULT NULL,
      ADD COLUMN country varchar(2) CHARACTER SET ascii NULL DEFAULT NULL,
      ADD COLUMN network varchar(6) CHARACTER SET ascii NULL DEFAULT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE provider_message_refs DROP COLUMN sent_at, DROP COLUMN country, DROP COLUMN network',
    );
  }
}
