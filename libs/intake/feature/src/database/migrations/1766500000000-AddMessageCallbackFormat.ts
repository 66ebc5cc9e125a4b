import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The format a message's status callbacks take (docs/twilio-compat.md): NULL is the gateway's signed JSON,
 * `twilio` is Twilio's form-encoded StatusCallback, for messages sent through the Twilio-compatible API.
 */
export class AddMessageCallbackFormat1766500000000 implements MigrationInterface {
  name = 'AddMessageCallbackFormat1766500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE sms_messages ADD COLUMN callback_format varchar(16) NULL DEFAULT NULL AFTER callback_url',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE sms_messages DROP COLUMN callback_format');
  }
}
