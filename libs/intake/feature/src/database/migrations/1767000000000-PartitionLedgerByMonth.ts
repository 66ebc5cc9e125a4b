import { convertToMonthlyPartitions, removeMonthlyPartitions } from '@sms/persistence';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { LEDGER_PARTITION_KEYS, MESSAGE_EVENTS_TABLE, SMS_MESSAGES_TABLE } from '../ledger-tables';

/** Months created past the current one; the maintenance job keeps them ahead from then on. */
const MONTHS_AHEAD = 3;

/**
 * The ledger and its events partitioned by month (issue #22). MariaDB wants the partitioning column in
 * every unique key: the primary keys become (id, created_at) and (id, occurred_at), the event id's unique
 * key (event_id, occurred_at). A message id stays unique because the gateway makes it (UUIDv7) or claims a
 * producer's in idempotency_keys (LedgerWriter). Skips a table that is partitioned already. Converting
 * copies the table: for a big one read docs/data-lifecycle.md first.
 */
export class PartitionLedgerByMonth1767000000000 implements MigrationInterface {
  name = 'PartitionLedgerByMonth1767000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await convertToMonthlyPartitions(queryRunner, SMS_MESSAGES_TABLE, {
      keyChanges: LEDGER_PARTITION_KEYS.sms_messages.partitioned,
      monthsAhead: MONTHS_AHEAD,
    });
    await convertToMonthlyPartitions(queryRunner, MESSAGE_EVENTS_TABLE, {
      keyChanges: LEDGER_PARTITION_KEYS.message_events.partitioned,
      monthsAhead: MONTHS_AHEAD,
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await removeMonthlyPartitions(
      queryRunner,
      MESSAGE_EVENTS_TABLE.table,
      LEDGER_PARTITION_KEYS.message_events.unpartitioned,
    );
    await removeMonthlyPartitions(
      queryRunner,
      SMS_MESSAGES_TABLE.table,
      LEDGER_PARTITION_KEYS.sms_messages.unpartitioned,
    );
  }
}
