import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Routing by measured quality (docs/routing.md): hourly roll-ups of each route's quality, kept so a
 * restarted router scores on days of history, and the score weights per country (and the default).
 */
export class RouteQualityAndWeights1767260000000 implements MigrationInterface {
  name = 'RouteQualityAndWeights1767260000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE route_quality_hourly (
      provider_id varchar(64) NOT NULL,
      country varchar(2) NOT NULL,
      network varchar(6) NOT NULL DEFAULT '',
      hour_start bigint NOT NULL,
      sent int NOT NULL DEFAULT 0,
      delivered int NOT NULL DEFAULT 0,
      undelivered int NOT NULL DEFAULT 0,
      overdue int NOT NULL DEFAULT 0,
      err_transient int NOT NULL DEFAULT 0,
      err_permanent int NOT NULL DEFAULT 0,
      err_opted_out int NOT NULL DEFAULT 0,
      err_configuration int NOT NULL DEFAULT 0,
      err_other int NOT NULL DEFAULT 0,
      lat_0 int NOT NULL DEFAULT 0,
      lat_1 int NOT NULL DEFAULT 0,
      lat_2 int NOT NULL DEFAULT 0,
      lat_3 int NOT NULL DEFAULT 0,
      lat_4 int NOT NULL DEFAULT 0,
      lat_5 int NOT NULL DEFAULT 0,
      lat_6 int NOT NULL DEFAULT 0,
      lat_7 int NOT NULL DEFAULT 0,
      lat_8 int NOT NULL DEFAULT 0,
      lat_9 int NOT NULL DEFAULT 0,
      lat_10 int NOT NULL DEFAULT 0,
      lat_11 int NOT NULL DEFAULT 0,
      lat_12 int NOT NULL DEFAULT 0,
      lat_13 int NOT NULL DEFAULT 0,
      lat_14 int NOT NULL DEFAULT 0,
      PRIMARY KEY (provider_id, country, network, hour_start),
      KEY ix_route_quality_hourly_hour (hour_start)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await queryRunner.query(`CREATE TABLE route_score_weights (
      scope varchar(7) NOT NULL,
      cost double NOT NULL,
      delivery double NOT NULL,
      latency double NOT NULL,
      errors double NOT NULL,
      updated_at datetime(3) NOT NULL,
      PRIMARY KEY (scope)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE route_score_weights');
    await queryRunner.query('DROP TABLE route_quality_hourly');
  }
}
