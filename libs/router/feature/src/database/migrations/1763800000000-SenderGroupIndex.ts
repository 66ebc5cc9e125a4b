import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A cold routing decision reads its destination country's active senders grouped by provider, type
 * and rate limit, each group's numbers joined in one value (SqlRoutePool). With the grouping columns
 * right after the country in the index, MariaDB walks the groups in index order: no temporary table,
 * no sort, and the numbers of a group arrive in number order. The index still carries every column the
 * read selects. It replaces the number-ordered one, which nothing else needs.
 */
export class SenderGroupIndex1763800000000 implements MigrationInterface {
  name = 'SenderGroupIndex1763800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE INDEX ix_phone_numbers_country_senders ON phone_numbers (country, active, provider_id, type, segments_per_second, number, capabilities)',
    );
    await queryRunner.query('DROP INDEX ix_phone_numbers_country ON phone_numbers');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE INDEX ix_phone_numbers_country ON phone_numbers (country, active, number, provider_id, type, segments_per_second, capabilities)',
    );
    await queryRunner.query('DROP INDEX ix_phone_numbers_country_senders ON phone_numbers');
  }
}
