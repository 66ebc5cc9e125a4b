import { dbValue } from '@sms/persistence';
import type { DataSource } from 'typeorm';
import { WebhookState } from '../database/entities/inbound-webhook.entity';
import { STORED_EVENT_COLUMNS, storedEventOf, type StoredWebhookRow } from '../webhooks/stored-webhook';
import type { WebhookPublisher } from '../webhooks/webhook-publisher';

export type ReplaySelection =
  { readonly ids: readonly string[] } | { readonly provider: string; readonly from: Date; readonly to: Date };

/** Most rows one replay call re-publishes: a bigger range is replayed in several calls. */
export const MAX_REPLAY_ROWS = 10_000;

/** The bus refused a replay's records (the replay may be sent again as is). */
export class ReplayPublishError extends Error {
  override readonly name = 'ReplayPublishError';
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
    private readonly publisher: Pick<WebhookPublisher, 'publishNow'>,
  ) {}

  /** Publishes before answering: the operator learns whether the replay reached the bus (a failure is a 5xx). */
  async replay(selection: ReplaySelection): Promise<{ replayed: number; truncated: boolean }> {
    const rows = await this.select(selection);
    const truncated = rows.length > MAX_REPLAY_ROWS;
    const events = rows.slice(0, MAX_REPLAY_ROWS).map((row) => storedEventOf(row, true));
    for (let start = 0; start < events.length; start += 1_000) {
      try {
        await this.publisher.publishNow(events.slice(start, start + 1_000));
      } catch (error) {
        throw new ReplayPublishError(
          `Replay reached the bus for ${start} of ${events.length} receipts, then failed (${error instanceof Error ? error.name : 'error'}); send it again`,
        );
      }
    }

    return { replayed: events.length, truncated };
  }

  private select(selection: ReplaySelection): Promise<StoredWebhookRow[]> {
    const columns = STORED_EVENT_COLUMNS;
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
