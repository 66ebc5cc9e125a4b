import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Opt-outs belong to an account (`*`: every account). Entries and audit rows written before accounts
 * existed go to the default account. Adds the per-account settings and the (sender, recipient) → account
 * index that tells which account an inbound STOP answers.
 */
export class OptOutAccounts1765000000100 implements MigrationInterface {
  name = 'OptOutAccounts1765000000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      "ALTER TABLE opt_outs ADD COLUMN account_id varchar(36) NOT NULL DEFAULT '00000000-0000-4000-8000-000000000000' AFTER id, DROP KEY uq_opt_outs_number_scope, ADD UNIQUE KEY uq_opt_outs_number_account_scope (number, account_id, scope_key)",
    );
    await queryRunner.query(
      "ALTER TABLE opt_out_audit ADD COLUMN account_id varchar(36) NOT NULL DEFAULT '00000000-0000-4000-8000-000000000000' AFTER id",
    );
    await queryRunner.query(`CREATE TABLE opt_out_settings (
      account_id varchar(36) NOT NULL,
      scope varchar(8) NULL,
      display_name varchar(64) NULL,
      stop_reply varchar(320) NULL,
      stop_sender_reply varchar(320) NULL,
      start_reply varchar(320) NULL,
      help_reply varchar(320) NULL,
      updated_at datetime(3) NOT NULL,
      PRIMARY KEY (account_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await queryRunner.query(`CREATE TABLE opt_out_recent_senders (
      sender varchar(32) NOT NULL,
      recipient varchar(32) NOT NULL,
      account_id varchar(36) NOT NULL,
      routed_at datetime(3) NOT NULL,
      PRIMARY KEY (sender, recipient)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE opt_out_recent_senders');
    await queryRunner.query('DROP TABLE opt_out_settings');
    await queryRunner.query('ALTER TABLE opt_out_audit DROP COLUMN account_id');
    await queryRunner.query(
      'ALTER TABLE opt_outs DROP KEY uq_opt_outs_number_account_scope, DROP COLUMN account_id, ADD UNIQUE KEY uq_opt_outs_number_scope (number, scope_key)',
    );
  }
}
