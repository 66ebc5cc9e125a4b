import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 21 part 5: scheduled messages (`send_at`, found by the release job through the status index) and
 * the deadline every stage checks before sending (`expires_at`). Both NULL for every earlier message.
 */
export class AddMessageSchedule1766200000000 implements MigrationInterface {
  name = 'AddMessageSchedule1766200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE sms_messages ADD COLUMN send_at datetime(3) NULL, ADD COLUMN expires_at datetime(3) NULL, ADD KEY ix_sms_messages_scheduled (status, send_at)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE sms_messages DROP KEY ix_sms_messages_scheduled, DROP COLUMN expires_at, DROP COLUMN send_at',
    );
  }
}
