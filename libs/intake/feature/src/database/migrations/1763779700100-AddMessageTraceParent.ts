import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The W3C trace context of the request that created the message, so a retry continues the same trace. */
export class AddMessageTraceParent1763779700100 implements MigrationInterface {
  name = 'AddMessageTraceParent1763779700100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE sms_messages ADD COLUMN trace_parent varchar(64) CHARACTER SET ascii NULL');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE sms_messages DROP COLUMN trace_parent');
  }
}
