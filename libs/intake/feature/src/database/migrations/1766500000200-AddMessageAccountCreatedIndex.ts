import type { MigrationInterface, QueryRunner } from 'typeorm';

/** One account's messages, newest first, keyset-paged (the Twilio-compatible list, docs/twilio-compat.md). */
export class AddMessageAccountCreatedIndex1766500000200 implements MigrationInterface {
  name = 'AddMessageAccountCreatedIndex1766500000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE INDEX ix_sms_messages_account_created ON sms_messages (account_id, created_at, id)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX ix_sms_messages_account_created ON sms_messages');
  }
}
