import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 23: the overdue re-send policy, the operator's default and per account (ADR 0023). */
export class CreateResendPolicies1767420000000 implements MigrationInterface {
  name = 'CreateResendPolicies1767420000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE resend_policies (
      scope varchar(36) NOT NULL,
      enabled tinyint(1) NOT NULL,
      classes varchar(64) NOT NULL,
      updated_at datetime(3) NOT NULL,
      PRIMARY KEY (scope)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE resend_policies');
  }
}
