import { MessageStatus, type ReconcileRequestedV1, TOPICS } from '@sms/contracts';
import { affectedRows, dbValue, enqueueOutbox, inTransaction } from '@sms/persistence';
import type { DataSource } from 'typeorm';
import { INTAKE_OUTBOX } from '../database/intake.schema';

/** Receipt deadlines: a default and per-provider overrides, in seconds (RECONCILE_AFTER_SECONDS[_BY_PROVIDER]). */
export interface ReceiptDeadlines {
  readonly defaultSeconds: number;
  readonly byProvider: ReadonlyMap<string, number>;
}

/** Reads `smpp=7200,aws=86400` (AppConfig has validated the form). */
export function parseReceiptDeadlines(defaultSeconds: number, byProvider: string): ReceiptDeadlines {
  const pairs = byProvider
    .split(',')
    .filter(Boolean)
    .map((pair) => pair.split('=') as [string, string]);

  return { defaultSeconds, byProvider: new Map(pairs.map(([provider, seconds]) => [provider, Number(seconds)])) };
}

interface StuckRow {
  id: string;
  account_id: string;
  attempt: number | string;
  provider: string | null;
  provider_message_id: string | null;
  to_number: string;
  from_number: string | null;
  country: string | null;
  sent_at: Date | string | null;
  updated_at: Date | string;
}

/** Most requests published per provider per pass. */
const BATCH_SIZE = 200;
/** Longest pause between passes (shorter when a deadline is short, as in tests). */
const MAX_INTERVAL_MS = 30_000;

/**
 * No message stays `sent` for ever: one still `sent` (no final receipt) past its provider's deadline is handed
 * to the send-worker on `sms.reconcile.v1` to be looked up at the provider (ReceiptReconciler), which answers
 * on `sms.status.v1` with the final status found, or `unknown`.
 *
 * Several intake replicas share the work: a row is claimed by a conditional UPDATE of its `updated_at` (the
 * one that still finds it past the deadline wins) in the same transaction as its outbox record. The new
 * `updated_at` is also the lease: when no answer comes (a lost record), the message is asked about again one
 * deadline later.
 */
export class ReceiptDeadlineSweep {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private busy = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly deadlines: ReceiptDeadlines,
    private readonly onPublished: () => void,
    private readonly onError: (error: unknown) => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  start(): void {
    const shortest = Math.min(this.deadlines.defaultSeconds, ...this.deadlines.byProvider.values()) * 1000;
    const every = Math.min(MAX_INTERVAL_MS, Math.max(250, shortest / 2));
    this.timer = setInterval(() => this.run(), every);
  }

  async stop(): Promise<void> {
    if (this.timer) {
      clearInterval(this.timer);
    }
    await this.running;
  }

  /** One pass: claims and publishes every message past its deadline (up to a batch per provider); returns how many. */
  async sweep(): Promise<number> {
    let published = 0;
    const overridden = [...this.deadlines.byProvider.keys()];
    for (const [provider, seconds] of this.deadlines.byProvider) {
      published += await this.sweepOne(seconds, 'provider = ?', [provider]);
    }
    const others =
      overridden.length === 0
        ? '1 = 1'
        : `(provider IS NULL OR provider NOT IN (${overridden.map(() => '?').join(',')}))`;
    published += await this.sweepOne(this.deadlines.defaultSeconds, others, overridden);

    return published;
  }

  private async sweepOne(seconds: number, condition: string, params: unknown[]): Promise<number> {
    const now = this.now();
    const threshold = dbValue(this.dataSource, new Date(now.getTime() - seconds * 1000));
    const rows: StuckRow[] = await this.dataSource.query(
      `SELECT id, account_id, attempt, provider, provider_message_id, to_number, COALESCE(sender, requested_from) AS from_number, country, sent_at, updated_at
       FROM sms_messages WHERE status = ? AND updated_at < ? AND ${condition} ORDER BY updated_at LIMIT ${BATCH_SIZE}`,
      [MessageStatus.Sent, threshold, ...params],
    );
    if (rows.length === 0) {
      return 0;
    }
    const claimed = await inTransaction(this.dataSource, async (manager) => {
      const mine: StuckRow[] = [];
      for (const row of rows) {
        const changed = await affectedRows(
          manager,
          'UPDATE sms_messages SET updated_at = ? WHERE id = ? AND status = ? AND updated_at < ?',
          [dbValue(this.dataSource, now), row.id, MessageStatus.Sent, threshold],
        );
        if (changed > 0) {
          mine.push(row);
        }
      }
      await enqueueOutbox(
        manager,
        INTAKE_OUTBOX,
        mine.map((row) => ({ topic: TOPICS.reconcile, key: row.id, value: requestOf(row, now) })),
        now,
      );

      return mine.length;
    });
    if (claimed > 0) {
      this.onPublished();
    }

    return claimed;
  }

  private run(): void {
    if (this.busy) {
      return;
    }
    this.busy = true;
    this.running = this.sweep()
      .catch(this.onError)
      .finally(() => {
        this.busy = false;
      });
  }
}

function requestOf(row: StuckRow, now: Date): ReconcileRequestedV1 {
  return {
    messageId: row.id,
    accountId: row.account_id,
    attempt: Number(row.attempt) || null,
    provider: row.provider ?? 'unknown',
    providerMessageId: row.provider_message_id,
    to: row.to_number,
    from: row.from_number,
    sentAt: toDate(row.sent_at ?? row.updated_at).toISOString(),
    // Carried onto the answer's status events: the router counts an overdue receipt against this route.
    ...(row.country ? { country: row.country } : {}),
    requestedAt: now.toISOString(),
  };
}

/** MySQL returns Date; SQLite returns `YYYY-MM-DD HH:MM:SS.mmm` in UTC. */
function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(`${value.replace(' ', 'T')}Z`);
}
