import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 22 part 3: the record of erasure requests and each slice's report (docs/privacy.md). */
export class CreatePrivacyErasures1766900000000 implements MigrationInterface {
  name = 'CreatePrivacyErasures1766900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE privacy_erasures (
      id char(36) CHARACTER SET ascii NOT NULL,
      account_id char(36) CHARACTER SET ascii NOT NULL,
      number_hash varchar(16) CHARACTER SET ascii NOT NULL,
      requested_by char(36) CHARACTER SET ascii NOT NULL,
      status varchar(16) NOT NULL,
      expected_slices varchar(255) NOT NULL,
      created_at datetime(3) NOT NULL,
      completed_at datetime(3) NULL,
      PRIMARY KEY (id),
      KEY ix_privacy_erasures_account_created (account_id, created_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    await queryRunner.query(`CREATE TABLE privacy_erasure_slices (
      erasure_id char(36) CHARACTER SET ascii NOT NULL,
      slice varchar(32) NOT NULL,
      stores text NOT NULL,
      erased_at datetime(3) NOT NULL,
      PRIMARY KEY (erasure_id, slice)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE privacy_erasure_slices');
    await queryRunner.query('DROP TABLE privacy_erasures');
  }
}
