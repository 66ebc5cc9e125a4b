import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateOptOuts1763770600000 implements MigrationInterface {
  name = 'CreateOptOuts1763770600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE opt_outs (
      id bigint NOT NULL AUTO_INCREMENT,
      number varchar(32) NOT NULL,
      scope_key varchar(32) NOT NULL,
      reason varchar(128) NOT NULL,
      source varchar(16) NOT NULL,
      created_at datetime(3) NOT NULL,
      PRIMARY KEY (id),
      UNIQUE KEY uq_opt_outs_number_scope (number, scope_key)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await queryRunner.query(`CREATE TABLE opt_out_audit (
      id bigint NOT NULL AUTO_INCREMENT,
      number varchar(32) NOT NULL,
      scope_key varchar(32) NOT NULL,
      action varchar(8) NOT NULL,
      source varchar(16) NOT NULL,
      reason varchar(128) NOT NULL,
      created_at datetime(3) NOT NULL,
      PRIMARY KEY (id),
      KEY ix_opt_out_audit_number (number, id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE opt_out_audit');
    await queryRunner.query('DROP TABLE opt_outs');
  }
}
