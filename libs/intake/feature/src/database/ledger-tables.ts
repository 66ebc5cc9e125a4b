import type { MonthlyTable } from '@sms/persistence';

/**
 * Intake's tables kept by month (MySQL/MariaDB; docs/data-lifecycle.md). A message by the time it was
 * accepted; an event by when it happened, the gateway's own clock at every stage, so a redelivered event
 * carries the same time and its unique (event_id, occurred_at) still makes the redelivery a no-op.
 */
export const SMS_MESSAGES_TABLE: MonthlyTable = { table: 'sms_messages', createdColumn: 'created_at' };
export const MESSAGE_EVENTS_TABLE: MonthlyTable = { table: 'message_events', createdColumn: 'occurred_at' };

export const INTAKE_MONTHLY_TABLES: readonly MonthlyTable[] = [SMS_MESSAGES_TABLE, MESSAGE_EVENTS_TABLE];

/**
 * The key changes that go with partitioning each table (MariaDB wants the partitioning column in every
 * unique key), and the ones that undo them: used by the migration and by the ledger-scale benchmark.
 */
export const LEDGER_PARTITION_KEYS = {
  sms_messages: {
    partitioned: ['DROP PRIMARY KEY', 'ADD PRIMARY KEY (id, created_at)'],
    unpartitioned: ['DROP PRIMARY KEY', 'ADD PRIMARY KEY (id)'],
  },
  message_events: {
    partitioned: [
      'DROP PRIMARY KEY',
      'ADD PRIMARY KEY (id, occurred_at)',
      'DROP INDEX uq_message_events_event',
      'ADD UNIQUE KEY uq_message_events_event (event_id, occurred_at)',
    ],
    unpartitioned: [
      'DROP INDEX uq_message_events_event',
      'ADD UNIQUE KEY uq_message_events_event (event_id)',
      'DROP PRIMARY KEY',
      'ADD PRIMARY KEY (id)',
    ],
  },
} as const;
