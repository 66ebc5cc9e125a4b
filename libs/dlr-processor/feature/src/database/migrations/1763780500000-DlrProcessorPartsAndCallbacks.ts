import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue #5: per-part refs and receipts, unmatched/unreadable receipts, caller callbacks. */
export class DlrProcessorPartsAndCallbacks1763780500000 implements MigrationInterface {
  name = 'DlrProcessorPartsAndCallbacks1763780500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE provider_message_refs
      ADD COLUMN part_index int NOT NULL DEFAULT 0,
      ADD COLUMN part_count int NOT NULL DEFAULT 1,
      ADD KEY ix_provider_message_refs_message (message_id)`);
    await queryRunner.query(`ALTER TABLE parked_receipts
      ADD COLUMN reason varchar(16) NOT NULL DEFAULT 'unmatched',
      ADD COLUMN webhook_id varchar(64) NULL,
      ADD KEY ix_parked_receipts_parked (parked_at),
      ADD KEY ix_parked_receipts_webhook (webhook_id)`);
    await queryRunner.query(`CREATE TABLE receipt_parts (
      message_id char(36) CHARACTER SET ascii NOT NULL,
      part_index int NOT NULL,
      part_count int NOT NULL,
      status varchar(16) NOT NULL,
      status_rank int NOT NULL,
      provider_status varchar(64) NOT NULL,
      updated_at datetime(3) NOT NULL,
      PRIMARY KEY (message_id, part_index)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    await queryRunner.query(`CREATE TABLE callback_deliveries (
      id char(36) CHARACTER SET ascii NOT NULL,
      message_id char(36) CHARACTER SET ascii NOT NULL,
      seq int NOT NULL,
      url varchar(2048) NOT NULL,
      body text NOT NULL,
      state varchar(16) NOT NULL,
      attempts int NOT NULL DEFAULT 0,
      next_attempt_at datetime(3) NOT NULL,
      lease_until datetime(3) NULL,
      last_status_code int NULL,
      last_error varchar(255) NULL,
      attempt_log text NOT NULL,
      created_at datetime(3) NOT NULL,
      settled_at datetime(3) NULL,
      PRIMARY KEY (id),
      KEY ix_callback_deliveries_due (state, next_attempt_at),
      KEY ix_callback_deliveries_message (message_id, seq)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE callback_deliveries');
    await queryRunner.query('DROP TABLE receipt_parts');
    await queryRunner.query(`ALTER TABLE parked_receipts DROP KEY ix_parked_receipts_webhook, DROP KEY ix_parked_receipts_parked, DROP COLUMN webhook_id,
      DROP COLUMN reason`);
    await queryRunner.query(`ALTER TABLE provider_message_refs DROP KEY ix_provider_message_refs_message,
      DROP COLUMN part_count, DROP COLUMN part_index`);
  }
}
