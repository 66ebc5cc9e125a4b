import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue #4: number capabilities, cost and throughput, rates per prefix, and country rules. */
export class RoutingEngineSchema1763780400000 implements MigrationInterface {
  name = 'RoutingEngineSchema1763780400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE phone_numbers
      ADD COLUMN capabilities varchar(128) NOT NULL DEFAULT 'sms',
      ADD COLUMN monthly_cost varchar(16) NULL,
      ADD COLUMN segments_per_second double NOT NULL DEFAULT 1`);
    // Existing rows get their type's carrier default (see DEFAULT_SEGMENTS_PER_SECOND).
    await queryRunner.query(`UPDATE phone_numbers SET segments_per_second = CASE type
      WHEN 'shortcode' THEN 100 WHEN 'tollfree' THEN 3 WHEN 'alphanumeric' THEN 10 ELSE 1 END`);
    await queryRunner.query(`ALTER TABLE route_rates
      ADD COLUMN prefix varchar(15) NOT NULL DEFAULT '',
      DROP INDEX uq_route_rates_provider_country,
      ADD UNIQUE KEY uq_route_rates_provider_country (provider_id, country, prefix)`);
    await queryRunner.query(`CREATE TABLE country_rules (
      country char(2) NOT NULL,
      allowed_sender_types varchar(64) NOT NULL,
      sender_id_policy varchar(16) NOT NULL,
      local_number_required tinyint(1) NOT NULL,
      blocked tinyint(1) NOT NULL,
      updated_at datetime(3) NOT NULL,
      PRIMARY KEY (country)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE country_rules');
    await queryRunner.query(`ALTER TABLE route_rates
      DROP INDEX uq_route_rates_provider_country,
      DROP COLUMN prefix,
      ADD UNIQUE KEY uq_route_rates_provider_country (provider_id, country)`);
    await queryRunner.query(`ALTER TABLE phone_numbers
      DROP COLUMN capabilities, DROP COLUMN monthly_cost, DROP COLUMN segments_per_second`);
  }
}
