import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * dlr-ingest publishes accepted rows straight from `inbound_webhooks` (`published_at`, swept when null)
 * instead of copying each into `dlr_ingest_outbox` (ADR 0009). Rows whose outbox record was still
 * waiting stay unpublished, so the sweep publishes them; every other accepted row counts as published.
 * A replay request still waiting in the outbox is published again as an ordinary receipt, which
 * dlr-processor applies idempotently.
 */
export class InboundWebhooksAreTheirOwnOutbox1763790000000 implements MigrationInterface {
  name = 'InboundWebhooksAreTheirOwnOutbox1763790000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE inbound_webhooks
      ADD COLUMN published_at datetime(3) NULL,
      ADD KEY ix_inbound_webhooks_unpublished (state, published_at, received_at)`);
    await queryRunner.query(`UPDATE inbound_webhooks w SET published_at = received_at
      WHERE state = 'accepted' AND NOT EXISTS (SELECT 1 FROM dlr_ingest_outbox o WHERE o.msg_key = w.id)`);
    await queryRunner.query('DROP TABLE dlr_ingest_outbox');
  }

  /** Rows still unpublished are not copied back: let the sweep empty the backlog before rolling back. */
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE dlr_ingest_outbox (
      id bigint NOT NULL AUTO_INCREMENT,
      topic varchar(128) NOT NULL,
      msg_key varchar(255) NOT NULL,
      payload mediumtext NOT NULL,
      headers text NULL,
      created_at datetime(3) NOT NULL,
      PRIMARY KEY (id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await queryRunner.query(`ALTER TABLE inbound_webhooks
      DROP KEY ix_inbound_webhooks_unpublished,
      DROP COLUMN published_at`);
  }
}
