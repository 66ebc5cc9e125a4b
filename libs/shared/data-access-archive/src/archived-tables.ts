import type { MonthlyTable } from '@sms/persistence';

export interface ServiceMonthlyTable extends MonthlyTable {
  /** The service owning the table: its SQLite file in the embedded mode, its MySQL slice otherwise. */
  readonly service: string;
}

/**
 * The tables that grow with traffic and are archived by month, each with its owning service and the column
 * deciding its month. Other tables are bounded already (outboxes drain, idempotency keys expire) or are
 * configuration.
 */
export const ARCHIVED_TABLES: readonly ServiceMonthlyTable[] = [
  { service: 'intake', table: 'sms_messages', createdColumn: 'created_at' },
  { service: 'intake', table: 'message_events', createdColumn: 'occurred_at' },
  { service: 'intake', table: 'inbound_messages', createdColumn: 'received_at' },
  { service: 'intake', table: 'webhook_deliveries', createdColumn: 'created_at' },
  { service: 'send-worker', table: 'send_attempts', createdColumn: 'created_at' },
  { service: 'dlr-ingest', table: 'inbound_webhooks', createdColumn: 'received_at' },
  { service: 'dlr-processor', table: 'callback_deliveries', createdColumn: 'created_at' },
];

export function archivedTablesOf(service: string): MonthlyTable[] {
  return ARCHIVED_TABLES.filter((table) => table.service === service).map(({ table, createdColumn }) => ({
    table,
    createdColumn,
  }));
}

export function archivedTable(table: string): ServiceMonthlyTable | undefined {
  return ARCHIVED_TABLES.find((candidate) => candidate.table === table);
}
