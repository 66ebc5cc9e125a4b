import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * dlr-ingest records each publish as one row of `inbound_webhook_publications` instead of stamping every
 * published row's `published_at` (ADR 0013). The sweep's horizon starts at the oldest row still
 * unpublished, or now when there is none; rows after it that were published already are published once
 * more by the first sweep, which dlr-processor applies idempotently.
 */
export class PublicationRecordsInsteadOfStamps1764580000000 implements MigrationInterface {
  name = 'PublicationRecordsInsteadOfStamps1764580000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE inbound_webhook_publications (
      id bigint NOT NULL AUTO_INCREMENT,
      first_received_at datetime(3) NOT NULL,
      last_received_at datetime(3) NOT NULL,
      webhook_ids mediumtext CHARACTER SET ascii NOT NULL,
      published_at datetime(3) NOT NULL,
      PRIMARY KEY (id),
      KEY ix_inbound_webhook_publications_first (first_received_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await queryRunner.query(`CREATE TABLE inbound_webhook_sweep_horizon (
      id int NOT NULL,
      checked_until datetime(3) NOT NULL,
      PRIMARY KEY (id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await queryRunner.query(`INSERT INTO inbound_webhook_sweep_horizon (id, checked_until)
      SELECT 1, COALESCE(MIN(received_at), NOW(3)) FROM inbound_webhooks
      WHERE state = 'accepted' AND published_at IS NULL`);
    await queryRunner.query(`ALTER TABLE inbound_webhooks
      DROP KEY ix_inbound_webhooks_unpublished,
      DROP KEY ix_inbound_webhooks_received,
      DROP COLUMN published_at,
      ADD KEY ix_inbound_webhooks_received_state (received_at, state)`);
  }

  /** Rows the sweep has not passed yet stay unstamped, so the old sweep publishes them again. */
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE inbound_webhooks
      DROP KEY ix_inbound_webhooks_received_state,
      ADD COLUMN published_at datetime(3) NULL,
      ADD KEY ix_inbound_webhooks_received (received_at),
      ADD KEY ix_inbound_webhooks_unpublished (state, published_at, received_at)`);
    await queryRunner.query(`UPDATE inbound_webhooks w JOIN inbound_webhook_sweep_horizon h ON h.id = 1
      SET w.published_at = w.received_at WHERE w.state = 'accepted' AND w.received_at < h.checked_until`);
    await queryRunner.query('DROP TABLE inbound_webhook_sweep_horizon');
    await queryRunner.query('DROP TABLE inbound_webhook_publications');
  }
}
