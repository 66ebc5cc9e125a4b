import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Accounts, and the default account every existing key (AddApiKeyAccount) and message already points
 * at, so `GET /v1/account` and key creation in it work right after the upgrade.
 */
export class CreateAccounts1765000000100 implements MigrationInterface {
  name = 'CreateAccounts1765000000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE accounts (
      id varchar(36) NOT NULL,
      name varchar(128) NOT NULL,
      created_at datetime(3) NOT NULL,
      PRIMARY KEY (id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await queryRunner.query(
      "INSERT IGNORE INTO accounts (id, name, created_at) VALUES ('00000000-0000-4000-8000-000000000000', 'default', UTC_TIMESTAMP(3))",
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE accounts');
  }
}
