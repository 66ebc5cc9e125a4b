import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Keys belong to an account; keys created before accounts existed go to the default account. */
export class AddApiKeyAccount1765000000000 implements MigrationInterface {
  name = 'AddApiKeyAccount1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      "ALTER TABLE api_keys ADD COLUMN account_id varchar(36) NOT NULL DEFAULT '00000000-0000-4000-8000-000000000000' AFTER prefix, ADD KEY ix_api_keys_account (account_id)",
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE api_keys DROP KEY ix_api_keys_account, DROP COLUMN account_id');
  }
}
