import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue #23 part 6: country rules per mobile network (MCC/MNC). A cold decision reads its country's
 * network rules with the rest of the country (SqlRoutePool), on the primary key's leading column.
 */
export class NetworkRules1767400000100 implements MigrationInterface {
  name = 'NetworkRules1767400000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE network_rules (
      country varchar(2) NOT NULL,
      mcc varchar(3) NOT NULL,
      mnc varchar(3) NOT NULL,
      allowed_sender_types varchar(64) NOT NULL,
      sender_id_policy varchar(16) NOT NULL,
      local_number_required tinyint(1) NOT NULL,
      blocked tinyint(1) NOT NULL,
      updated_at datetime(3) NOT NULL,
      PRIMARY KEY (country, mcc, mnc)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE network_rules');
  }
}
