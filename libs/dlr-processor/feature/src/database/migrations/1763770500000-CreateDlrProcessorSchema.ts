import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateDlrProcessorSchema1763770500000 implements MigrationInterface {
  name = 'CreateDlrProcessorSchema1763770500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE provider_message_refs (
      provider varchar(64) NOT NULL,
      provider_message_id varchar(128) NOT NULL,
      message_id char(36) CHARACTER SET ascii NOT NULL,
      created_at datetime(3) NOT NULL,
      PRIMARY KEY (provider, provider_message_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    await queryRunner.query(`CREATE TABLE parked_receipts (
      id bigint NOT NULL AUTO_INCREMENT,
      provider varchar(64) NOT NULL,
      provider_message_id varchar(128) NOT NULL,
      event text NOT NULL,
      parked_at datetime(3) NOT NULL,
      PRIMARY KEY (id),
      KEY ix_parked_receipts_ref (provider, provider_message_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE parked_receipts');
    await queryRunner.query('DROP TABLE provider_message_refs');
  }
}
