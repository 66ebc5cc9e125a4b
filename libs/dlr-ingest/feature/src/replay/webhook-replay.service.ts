import { TOPICS, type WebhookStoredV1 } from '@sms/contracts';
import { dbValue, enqueueOutbox, inTransaction, type OutboxRow } from '@sms/persistence';
import type { DataSource, EntitySchema } from 'typeorm';
import { WebhookState } from '../database/entities/inbound-webhook.entity';

export type ReplaySelection =
  { readonly ids: readonly string[] } | { readonly provider: string; readonly from: Date; readonly to: Date };

/** SQLite hands datetimes back as UTC text without a zone. */
const asDate = (value: Date | string): Date =>
  value instanceof Date ? value : new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);

/** Most rows one replay call re-publishes: a bigger range is replayed in several calls. */
export const MAX_REPLAY_ROWS = 10_000;

interface StoredRow {
  id: string;
  provider: string;
  kind: string;
  url: string;
  method: string;
  headers: string;
  body: string;
  content_type: string;
  received_at: Date | string;
}

/**
 * Re-publishes stored receipts so dlr-processor re-runs the *current* parser over them. Idempotent by
 * construction: the processor derives each receipt's event id from the stored row and what the parser
 * read, so an unchanged reading is the same event (intake applies it once) and only what a fixed
 * parser reads differently becomes a new event. Only accepted rows are replayed: rejected ones failed
 * their signature and duplicates repeat an accepted one.
 */
export class WebhookReplayService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: EntitySchema<OutboxRow>,
    private readonly onCommitted: () => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async replay(selection: ReplaySelection): Promise<{ replayed: number; truncated: boolean }> {
    const rows = await this.select(selection);
    const truncated = rows.length > MAX_REPLAY_ROWS;
    const chosen = rows.slice(0, MAX_REPLAY_ROWS);
    const events: WebhookStoredV1[] = chosen.map((row) => ({
      webhookId: row.id,
      provider: row.provider,
      kind: row.kind === 'inbound' ? 'inbound' : 'status',
      url: row.url,
      method: row.method,
      headers: JSON.parse(row.headers) as Record<string, string>,
      body: row.body,
      contentType: row.content_type,
      receivedAt: asDate(row.received_at).toISOString(),
      replay: true,
    }));
    for (let start = 0; start < events.length; start += 500) {
      await inTransaction(this.dataSource, (manager) =>
        enqueueOutbox(
          manager,
          this.outbox,
          events
            .slice(start, start + 500)
            .map((event) => ({ topic: TOPICS.dlrRaw, key: event.webhookId, value: event })),
          this.now(),
        ),
      );
    }
    if (events.length > 0) {
      this.onCommitted();
    }

    return { replayed: events.length, truncated };
  }

  private select(selection: ReplaySelection): Promise<StoredRow[]> {
    const columns = 'id, provider, kind, url, method, headers, body, content_type, received_at';
    if ('ids' in selection) {
      if (selection.ids.length === 0) {
        return Promise.resolve([]);
      }

      return this.dataSource.query(
        `SELECT ${columns} FROM inbound_webhooks WHERE kind = 'status' AND state = ? AND id IN (${selection.ids
          .map(() => '?')
          .join(',')}) ORDER BY received_at, id`,
        [WebhookState.Accepted, ...selection.ids],
      );
    }

    return this.dataSource.query(
      `SELECT ${columns} FROM inbound_webhooks WHERE provider = ? AND received_at >= ? AND received_at < ?
       AND kind = 'status' AND state = ? ORDER BY received_at, id LIMIT ${MAX_REPLAY_ROWS + 1}`,
      [
        selection.provider,
        dbValue(this.dataSource, selection.from),
        dbValue(this.dataSource, selection.to),
        WebhookState.Accepted,
      ],
    );
  }
}
