import type { CallbackLogReader, CallbackLogView } from '@sms/contracts';
import type { DataSource } from 'typeorm';

/** Most callback deliveries a timeline lists: one per status change of the message, so a handful. */
const MAX_DELIVERIES = 100;

interface CallbackRow {
  id: string;
  url: string;
  state: string;
  attempts: number | string;
  last_status_code: number | string | null;
  last_error: string | null;
  created_at: Date | string;
  settled_at: Date | string | null;
}

const asDate = (value: Date | string): Date =>
  value instanceof Date ? value : new Date(/[zZ]$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);

/** A message's caller callbacks, oldest first, by `ix_callback_deliveries_message` (message_id, seq). */
export class SqlCallbackLogReader implements CallbackLogReader {
  constructor(private readonly dataSource: DataSource) {}

  async read(messageId: string): Promise<CallbackLogView[]> {
    const rows = await this.dataSource.query<CallbackRow[]>(
      `SELECT id, url, state, attempts, last_status_code, last_error, created_at, settled_at
         FROM callback_deliveries WHERE message_id = ? ORDER BY seq LIMIT ${MAX_DELIVERIES}`,
      [messageId],
    );

    return rows.map((row) => ({
      id: String(row.id),
      url: row.url,
      state: row.state,
      attempts: Number(row.attempts),
      lastStatusCode: row.last_status_code === null ? null : Number(row.last_status_code),
      lastError: row.last_error,
      createdAt: asDate(row.created_at).toISOString(),
      settledAt: row.settled_at === null ? null : asDate(row.settled_at).toISOString(),
    }));
  }
}
