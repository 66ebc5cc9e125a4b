import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a status event said beyond its status, for a message's timeline (docs/api.md "A message's timeline"):
 * the send-worker's attempt (sender, provider id, cost, call latency), the event's error text and the stored
 * receipt a receipt event was read from. All nullable: most events carry one or two of them.
 */
export class AddEventTimelineFields1766600000000 implements MigrationInterface {
  name = 'AddEventTimelineFields1766600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE message_events
        ADD COLUMN error_message varchar(512) NULL DEFAULT NULL,
        ADD COLUMN provider_message_id varchar(128) NULL DEFAULT NULL,
        ADD COLUMN sender varchar(32) NULL DEFAULT NULL,
        ADD COLUMN cost varchar(32) NULL DEFAULT NULL,
        ADD COLUMN currency varchar(8) NULL DEFAULT NULL,
        ADD COLUMN latency_ms int NULL DEFAULT NULL,
        ADD COLUMN receipt_id varchar(64) NULL DEFAULT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE message_events
        DROP COLUMN error_message, DROP COLUMN provider_message_id, DROP COLUMN sender, DROP COLUMN cost,
        DROP COLUMN currency, DROP COLUMN latency_ms, DROP COLUMN receipt_id`,
    );
  }
}
