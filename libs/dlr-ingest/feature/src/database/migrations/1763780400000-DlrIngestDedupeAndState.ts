import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue #5: what became of each webhook (accepted / rejected / duplicate) and the retry dedupe key. */
export class DlrIngestDedupeAndState1763780400000 implements MigrationInterface {
  name = 'DlrIngestDedupeAndState1763780400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE inbound_webhooks
      ADD COLUMN state varchar(16) NOT NULL DEFAULT 'accepted',
      ADD COLUMN dedupe_key char(64) CHARACTER SET ascii NULL,
      ADD COLUMN duplicate_of char(36) CHARACTER SET ascii NULL,
      ADD UNIQUE KEY ux_inbound_webhooks_dedupe (dedupe_key),
      ADD KEY ix_inbound_webhooks_received (received_at)`);
    await queryRunner.query(`UPDATE inbound_webhooks SET state = 'rejected' WHERE verified = 0`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE inbound_webhooks
      DROP KEY ix_inbound_webhooks_received,
      DROP KEY ux_inbound_webhooks_dedupe,
      DROP COLUMN duplicate_of,
      DROP COLUMN dedupe_key,
      DROP COLUMN state`);
  }
}
