import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateNumberMasks1763770700000 implements MigrationInterface {
  name = 'CreateNumberMasks1763770700000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE mask_pool_numbers (
      number varchar(32) NOT NULL,
      active tinyint NOT NULL DEFAULT 1,
      created_at datetime(3) NOT NULL,
      PRIMARY KEY (number)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await queryRunner.query(`CREATE TABLE number_masks (
      id varchar(36) NOT NULL,
      context_id varchar(128) NULL,
      party_a varchar(32) NOT NULL,
      masked_a varchar(32) NOT NULL,
      party_b varchar(32) NOT NULL,
      masked_b varchar(32) NOT NULL,
      status varchar(8) NOT NULL,
      expires_at datetime(3) NOT NULL,
      created_at datetime(3) NOT NULL,
      closed_at datetime(3) NULL,
      PRIMARY KEY (id),
      KEY ix_number_masks_status_expires (status, expires_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await queryRunner.query(`CREATE TABLE mask_assignments (
      participant varchar(32) NOT NULL,
      pool_number varchar(32) NOT NULL,
      mask_id varchar(36) NOT NULL,
      PRIMARY KEY (participant, pool_number),
      KEY ix_mask_assignments_mask (mask_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE mask_assignments');
    await queryRunner.query('DROP TABLE number_masks');
    await queryRunner.query('DROP TABLE mask_pool_numbers');
  }
}
