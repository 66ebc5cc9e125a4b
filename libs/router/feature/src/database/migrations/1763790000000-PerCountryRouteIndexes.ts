import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A cold routing decision reads only its destination country's part of the pool (SqlRoutePool): its
 * active numbers in number order, and its rates. These indexes make both reads range scans; the
 * numbers' one carries every column that read selects, so it never touches the table rows.
 */
export class PerCountryRouteIndexes1763790000000 implements MigrationInterface {
  name = 'PerCountryRouteIndexes1763790000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE INDEX ix_phone_numbers_country ON phone_numbers (country, active, number, provider_id, type, segments_per_second, capabilities)',
    );
    await queryRunner.query('CREATE INDEX ix_route_rates_country ON route_rates (country)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX ix_route_rates_country ON route_rates');
    await queryRunner.query('DROP INDEX ix_phone_numbers_country ON phone_numbers');
  }
}
