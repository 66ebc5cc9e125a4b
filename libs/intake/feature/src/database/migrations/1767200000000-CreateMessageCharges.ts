import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 23 part 5: a charge per provider attempt (docs/billing.md). Not partitioned: billing records
 * outlive the ledger's months (docs/data-lifecycle.md), and the usage query reads them by
 * (account_id, charged_at) or charged_at.
 */
export class CreateMessageCharges1767200000000 implements MigrationInterface {
  name = 'CreateMessageCharges1767200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE message_charges (
      message_id char(36) CHARACTER SET ascii NOT NULL,
      attempt smallint NOT NULL,
      account_id char(36) CHARACTER SET ascii NOT NULL,
      provider varchar(64) NOT NULL,
      provider_message_id varchar(128) NULL,
      sender varchar(32) NULL,
      country char(2) CHARACTER SET ascii NOT NULL,
      network varchar(8) CHARACTER SET ascii NULL,
      segments smallint NOT NULL,
      unit_price_micros bigint NULL,
      amount_micros bigint NOT NULL,
      currency varchar(8) CHARACTER SET ascii NOT NULL,
      price_source varchar(16) CHARACTER SET ascii NOT NULL,
      final tinyint(1) NOT NULL,
      charged_at datetime(3) NOT NULL,
      updated_at datetime(3) NOT NULL,
      PRIMARY KEY (message_id, attempt),
      KEY ix_message_charges_account_charged (account_id, charged_at),
      KEY ix_message_charges_charged (charged_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE message_charges');
  }
}
