import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateRouterSchema1763770200000 implements MigrationInterface {
  name = 'CreateRouterSchema1763770200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE sms_providers (
      id varchar(64) NOT NULL,
      kind varchar(16) NOT NULL,
      name varchar(128) NOT NULL,
      active tinyint(1) NOT NULL,
      created_at datetime(3) NOT NULL,
      PRIMARY KEY (id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await queryRunner.query(`CREATE TABLE phone_numbers (
      number varchar(16) NOT NULL,
      provider_id varchar(64) NOT NULL,
      country char(2) NOT NULL,
      type varchar(16) NOT NULL,
      active tinyint(1) NOT NULL,
      created_at datetime(3) NOT NULL,
      PRIMARY KEY (number),
      KEY ix_phone_numbers_provider (provider_id, country)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await queryRunner.query(`CREATE TABLE route_rates (
      id bigint NOT NULL AUTO_INCREMENT,
      provider_id varchar(64) NOT NULL,
      country char(2) NOT NULL,
      price varchar(16) NOT NULL,
      currency char(3) NOT NULL,
      PRIMARY KEY (id),
      UNIQUE KEY uq_route_rates_provider_country (provider_id, country)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE route_rates');
    await queryRunner.query('DROP TABLE phone_numbers');
    await queryRunner.query('DROP TABLE sms_providers');
  }
}
