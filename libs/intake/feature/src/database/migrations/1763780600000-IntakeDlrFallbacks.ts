import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue #5: a receipt-driven fallback re-send is counted so it happens at most once per message. */
export class IntakeDlrFallbacks1763780600000 implements MigrationInterface {
  name = 'IntakeDlrFallbacks1763780600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE sms_messages ADD COLUMN dlr_fallbacks int NOT NULL DEFAULT 0');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE sms_messages DROP COLUMN dlr_fallbacks');
  }
}
