import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for GET /v1/messages (docs/api.md "Searching messages"): each leads with account_id, so a
 * search reads only its account's entries, then the filter's column, then (created_at, id), the page
 * order, so a filtered page is an ordered range scan that stops after `limit` rows. Built online.
 */
export class AddMessageSearchIndexes1766300000000 implements MigrationInterface {
  name = 'AddMessageSearchIndexes1766300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE sms_messages
        ADD INDEX ix_sms_messages_account_created (account_id, created_at, id),
        ADD INDEX ix_sms_messages_account_status (account_id, status, created_at, id),
        ADD INDEX ix_sms_messages_account_to (account_id, to_number, created_at, id),
        ADD INDEX ix_sms_messages_account_ref (account_id, client_reference, created_at, id),
        ALGORITHM=INPLACE, LOCK=NONE`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE sms_messages
        DROP INDEX ix_sms_messages_account_created,
        DROP INDEX ix_sms_messages_account_status,
        DROP INDEX ix_sms_messages_account_to,
        DROP INDEX ix_sms_messages_account_ref`,
    );
  }
}
