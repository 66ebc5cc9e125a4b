import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateApiKeys1763770000000 implements MigrationInterface {
  name = 'CreateApiKeys1763770000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE api_keys (
      id varchar(36) NOT NULL,
      key_hash char(64) NOT NULL,
      prefix varchar(16) NOT NULL,
      name varchar(128) NOT NULL,
      scopes varchar(64) NOT NULL,
      created_at datetime(3) NOT NULL,
      revoked_at datetime(3) NULL,
      PRIMARY KEY (id),
      UNIQUE KEY uq_api_keys_hash (key_hash)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE api_keys');
  }
}
