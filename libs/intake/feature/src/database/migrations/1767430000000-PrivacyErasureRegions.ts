import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Erasure across regions (docs/privacy.md, ADR 0024): every region applies every erasure command and reports
 * per slice, so a report is keyed by region too, and an erasure records the regions it waits for. Existing
 * rows are single-region ones: region `''` (none), the same as a deployment without REGION writes.
 */
export class PrivacyErasureRegions1767430000000 implements MigrationInterface {
  name = 'PrivacyErasureRegions1767430000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      "ALTER TABLE privacy_erasures ADD COLUMN expected_regions varchar(255) CHARACTER SET ascii NOT NULL DEFAULT ''",
    );
    await queryRunner.query(`ALTER TABLE privacy_erasure_slices
      ADD COLUMN region varchar(16) CHARACTER SET ascii NOT NULL DEFAULT '' AFTER erasure_id,
      DROP PRIMARY KEY,
      ADD PRIMARY KEY (erasure_id, region, slice)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("DELETE FROM privacy_erasure_slices WHERE region <> ''");
    await queryRunner.query(`ALTER TABLE privacy_erasure_slices
      DROP PRIMARY KEY,
      ADD PRIMARY KEY (erasure_id, slice),
      DROP COLUMN region`);
    await queryRunner.query('ALTER TABLE privacy_erasures DROP COLUMN expected_regions');
  }
}
