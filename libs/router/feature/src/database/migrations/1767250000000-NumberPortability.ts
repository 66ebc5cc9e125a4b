import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue #23 part 6: rates per mobile network (MCC/MNC beside the prefix), and the per-country number
 * lookup setting (off unless a row turns it on).
 */
export class NumberPortability1767250000000 implements MigrationInterface {
  name = 'NumberPortability1767250000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE route_rates
      ADD COLUMN mcc varchar(3) NOT NULL DEFAULT '',
      ADD COLUMN mnc varchar(3) NOT NULL DEFAULT '',
      DROP INDEX uq_route_rates_provider_country,
      ADD UNIQUE KEY uq_route_rates_provider_country (provider_id, country, prefix, mcc, mnc)`);
    await queryRunner.query(`CREATE TABLE number_lookup_settings (
      country varchar(2) NOT NULL,
      enabled tinyint(1) NOT NULL,
      provider varchar(32) NOT NULL,
      ttl_seconds int NOT NULL,
      updated_at datetime(3) NOT NULL,
      PRIMARY KEY (country)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE number_lookup_settings');
    await queryRunner.query(`ALTER TABLE route_rates
      DROP INDEX uq_route_rates_provider_country,
      DROP COLUMN mcc,
      DROP COLUMN mnc,
      ADD UNIQUE KEY uq_route_rates_provider_country (provider_id, country, prefix)`);
  }
}
