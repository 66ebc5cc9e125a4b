import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 21 part 3: account webhook subscriptions and their delivery log (docs/webhooks.md). */
export class CreateWebhooks1766400000000 implements MigrationInterface {
  name = 'CreateWebhooks1766400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE webhook_subscriptions (
      id char(36) CHARACTER SET ascii NOT NULL,
      account_id char(36) CHARACTER SET ascii NOT NULL,
      url varchar(2048) NOT NULL,
      events varchar(255) NOT NULL,
      secret_ciphertext varchar(512) NOT NULL,
      created_at datetime(3) NOT NULL,
      updated_at datetime(3) NOT NULL,
      PRIMARY KEY (id),
      KEY ix_webhook_subscriptions_account (account_id, created_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    await queryRunner.query(`CREATE TABLE webhook_deliveries (
      id char(36) CHARACTER SET ascii NOT NULL,
      subscription_id char(36) CHARACTER SET ascii NOT NULL,
      account_id char(36) CHARACTER SET ascii NOT NULL,
      event_id char(36) CHARACTER SET ascii NOT NULL,
      event_type varchar(32) NOT NULL,
      body text NOT NULL,
      state varchar(16) NOT NULL,
      attempts int NOT NULL DEFAULT 0,
      next_attempt_at datetime(3) NOT NULL,
      retry_until datetime(3) NOT NULL,
      lease_until datetime(3) NULL,
      last_status_code int NULL,
      last_error varchar(255) NULL,
      attempt_log text NOT NULL,
      created_at datetime(3) NOT NULL,
      settled_at datetime(3) NULL,
      PRIMARY KEY (id),
      UNIQUE KEY ux_webhook_deliveries_event (subscription_id, event_id),
      KEY ix_webhook_deliveries_due (state, next_attempt_at),
      KEY ix_webhook_deliveries_subscription (subscription_id, created_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE webhook_deliveries');
    await queryRunner.query('DROP TABLE webhook_subscriptions');
  }
}
