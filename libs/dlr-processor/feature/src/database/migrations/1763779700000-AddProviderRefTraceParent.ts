import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The message's W3C trace context, kept with the provider ref so a receipt's processing links back to it. */
export class AddProviderRefTraceParent1763779700000 implements MigrationInterface {
  name = 'AddProviderRefTraceParent1763779700000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE provider_message_refs ADD COLUMN trace_parent varchar(64) CHARACTER SET ascii NULL',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE provider_message_refs DROP COLUMN trace_parent');
  }
}
