import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Callbacks in another format than the gateway's signed JSON (docs/twilio-compat.md): the format's name
 * and the signature computed when the change was recorded (Twilio's covers no timestamp, so it is fixed).
 */
export class AddCallbackFormat1766500000100 implements MigrationInterface {
  name = 'AddCallbackFormat1766500000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE callback_deliveries
      ADD COLUMN format varchar(16) NULL DEFAULT NULL,
      ADD COLUMN signature varchar(128) NULL DEFAULT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE callback_deliveries DROP COLUMN format, DROP COLUMN signature');
  }
}
