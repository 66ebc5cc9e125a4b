import {
  type RawReceiptReader,
  type RawReceiptView,
  redactCredentialHeaders,
  TIMELINE_MAX_RECEIPTS,
} from '@sms/contracts';
import type { DataSource } from 'typeorm';
import { asDate } from '../webhooks/stored-webhook';

interface RawReceiptRow {
  id: string;
  provider: string;
  received_at: Date | string;
  verified: boolean | number;
  content_type: string;
  headers: string;
  body: string;
}

/** Stored webhooks by id (the primary key), as the provider sent them, for a message's timeline. */
export class SqlRawReceiptReader implements RawReceiptReader {
  constructor(private readonly dataSource: DataSource) {}

  async read(ids: readonly string[]): Promise<RawReceiptView[]> {
    const wanted = [...new Set(ids)].slice(0, TIMELINE_MAX_RECEIPTS);
    if (wanted.length === 0) {
      return [];
    }
    const rows = await this.dataSource.query<RawReceiptRow[]>(
      `SELECT id, provider, received_at, verified, content_type, headers, body FROM inbound_webhooks
        WHERE id IN (${wanted.map(() => '?').join(',')})`,
      wanted,
    );

    return rows.map(toView);
  }
}

function toView(row: RawReceiptRow): RawReceiptView {
  return {
    id: row.id,
    provider: row.provider,
    receivedAt: asDate(row.received_at).toISOString(),
    verified: Boolean(row.verified),
    contentType: row.content_type,
    headers: redactCredentialHeaders(parseHeaders(row.headers)),
    body: row.body,
  };
}

function parseHeaders(text: string): Record<string, string> {
  try {
    const parsed = JSON.parse(text) as unknown;

    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? Object.fromEntries(Object.entries(parsed).map(([name, value]) => [name, String(value)]))
      : {};
  } catch {
    return {};
  }
}
