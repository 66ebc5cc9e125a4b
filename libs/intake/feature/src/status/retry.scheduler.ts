import { MessageClass, MessageStatus, TOPICS } from '@sms/contracts';
import { affectedRows, dbValue, enqueueOutbox, inTransaction } from '@sms/persistence';
import { TRACEPARENT_HEADER } from '@sms/tracing';
import type { DataSource } from 'typeorm';
import { INTAKE_OUTBOX } from '../database/intake.schema';
import { acceptedEvent } from '../ledger/ledger.writer';
import { RETRY_SCHEDULE } from './retry.constants';

/** A ledger row as the accepted event of its next attempt needs it. */
export interface DueRow {
  id: string;
  account_id: string;
  attempt: number;
  to_number: string;
  requested_from: string | null;
  country: string;
  body: string;
  encoding: string;
  segments: number;
  message_class: string;
  validity_seconds: number | null;
  avoid_providers: string | null;
  pin_provider: string | null;
  dlr_fallbacks: number | string;
  error_code: string | null;
  trace_parent: string | null;
  send_at: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

export const DUE_COLUMNS =
  'id, account_id, attempt, to_number, requested_from, country, body, encoding, segments, message_class, validity_seconds, avoid_providers, pin_provider, dlr_fallbacks, error_code, trace_parent, send_at, created_at, updated_at';

/**
 * Re-publishes messages whose retry is due to the router (so a retry can fail over), and messages
 * stuck in `queued` (a dispatch lost with a crashed process or the in-process bus). Each row is
 * claimed by a conditional UPDATE in the same transaction as its outbox record, so two intake
 * replicas never publish the same retry twice, and downstream idempotency absorbs the rest.
 */
export class RetryScheduler {
  private retryTimer: NodeJS.Timeout | null = null;
  /** When the planned retry pass runs (epoch ms); Infinity when none is planned. */
  private plannedAt = Number.POSITIVE_INFINITY;
  private stopped = true;
  private staleTimer: NodeJS.Timeout | null = null;
  private purgeTimer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private busy = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly onPublished: () => void,
    private readonly onError: (error: unknown) => void,
    /** `queued` with no progress for this long means its dispatch was lost: publish it again. */
    private readonly staleAfterMs: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  start(): void {
    this.stopped = false;
    this.planRetryPass(0);
    const sweepEvery = Math.min(RETRY_SCHEDULE.staleSweepIntervalMs, Math.max(500, this.staleAfterMs / 2));
    this.staleTimer = setInterval(() => this.run(() => this.republishStale()), sweepEvery);
    this.purgeTimer = setInterval(
      () => this.run(() => this.purgeExpiredIdempotencyKeys()),
      RETRY_SCHEDULE.purgeIntervalMs,
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
    if (this.staleTimer) {
      clearInterval(this.staleTimer);
    }
    if (this.purgeTimer) {
      clearInterval(this.purgeTimer);
    }
    await this.running;
  }

  /**
   * A retry was scheduled for `at` in this process (the status applier committed it): plan a pass then,
   * unless one is planned sooner. Retries scheduled elsewhere (another replica, before a restart) are
   * found by the passes themselves, which plan the next one at the earliest stored retry.
   */
  retryScheduled(at: Date): void {
    this.planRetryPass(at.getTime());
  }

  /** Messages waiting for a retry, and how many of them are already due (the retry-backlog gauges). */
  async backlog(): Promise<{ readonly waiting: number; readonly due: number }> {
    const rows: { waiting: number | string; due: number | string | null }[] = await this.dataSource.query(
      'SELECT COUNT(*) AS waiting, SUM(CASE WHEN next_retry_at <= ? THEN 1 ELSE 0 END) AS due FROM sms_messages WHERE next_retry_at IS NOT NULL',
      [dbValue(this.dataSource, this.now())],
    );

    return { waiting: Number(rows[0]?.waiting ?? 0), due: Number(rows[0]?.due ?? 0) };
  }

  /** Publishes retries whose time has come; returns how many. */
  async publishDueRetries(): Promise<number> {
    const now = this.now();
    const rows: DueRow[] = await this.dataSource.query(
      `SELECT ${DUE_COLUMNS} FROM sms_messages WHERE next_retry_at IS NOT NULL AND next_retry_at <= ? ORDER BY next_retry_at LIMIT ${RETRY_SCHEDULE.batchSize}`,
      [dbValue(this.dataSource, now)],
    );

    return this.claimAndPublish(rows, 'next_retry_at IS NOT NULL AND attempt = ?', (row) => [row.attempt]);
  }

  /** The earliest stored retry time, or null when no message waits for one. */
  async nextRetryAt(): Promise<Date | null> {
    const rows: { at: Date | string | null }[] = await this.dataSource.query(
      'SELECT MIN(next_retry_at) AS at FROM sms_messages WHERE next_retry_at IS NOT NULL',
    );
    const at = rows[0]?.at ?? null;

    return at === null ? null : toDate(at);
  }

  /**
   * Plans the retry pass at `at` (epoch ms, by this.now()) unless one is planned sooner. Retries are
   * looked for when one can be due, not on a fixed short interval: an idle intake otherwise queries its
   * ledger several times a second for nothing.
   */
  private planRetryPass(at: number): void {
    if (this.stopped || (this.retryTimer !== null && at >= this.plannedAt)) {
      return;
    }
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
    }
    this.plannedAt = at;
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = null;
        this.plannedAt = Number.POSITIVE_INFINITY;
        this.retryPass();
      },
      Math.max(0, at - this.now().getTime()),
    );
  }

  /**
   * Publishes due retries, then plans the next pass: soon while a full batch was due (more may be), else
   * at the earliest stored retry, at least pollIntervalMs and at most idleCheckMs away (the upper bound
   * catches retries another replica scheduled and then died before publishing).
   */
  private retryPass(): void {
    const started = this.run(async () => {
      let next = this.now().getTime() + RETRY_SCHEDULE.pollIntervalMs;
      try {
        const published = await this.publishDueRetries();
        if (published < RETRY_SCHEDULE.batchSize) {
          const due = await this.nextRetryAt();
          const now = this.now().getTime();
          next = Math.min(
            now + RETRY_SCHEDULE.idleCheckMs,
            Math.max(now + RETRY_SCHEDULE.pollIntervalMs, due?.getTime() ?? Number.POSITIVE_INFINITY),
          );
        }
      } finally {
        this.planRetryPass(next);
      }
    });
    if (!started) {
      // Another pass (stale sweep, purge) holds the scheduler: try again shortly.
      this.planRetryPass(this.now().getTime() + RETRY_SCHEDULE.pollIntervalMs);
    }
  }

  /** Re-publishes `queued` messages that made no progress for a while; returns how many. */
  async republishStale(): Promise<number> {
    const threshold = new Date(this.now().getTime() - this.staleAfterMs);
    const rows: DueRow[] = await this.dataSource.query(
      `SELECT ${DUE_COLUMNS} FROM sms_messages WHERE status = ? AND updated_at < ? AND next_retry_at IS NULL ORDER BY updated_at LIMIT ${RETRY_SCHEDULE.batchSize}`,
      [MessageStatus.Queued, dbValue(this.dataSource, threshold)],
    );

    return this.claimAndPublish(rows, 'status = ? AND next_retry_at IS NULL AND attempt = ?', (row) => [
      MessageStatus.Queued,
      row.attempt,
    ]);
  }

  /** Deletes idempotency records past their 24 h, a bounded batch per pass; returns how many. */
  async purgeExpiredIdempotencyKeys(): Promise<number> {
    const rows: { scope_key: string }[] = await this.dataSource.query(
      `SELECT scope_key FROM idempotency_keys WHERE expires_at <= ? LIMIT ${RETRY_SCHEDULE.purgeBatchSize}`,
      [dbValue(this.dataSource, this.now())],
    );
    if (rows.length === 0) {
      return 0;
    }
    const keys = rows.map((row) => row.scope_key);
    await this.dataSource.query(
      `DELETE FROM idempotency_keys WHERE scope_key IN (${keys.map(() => '?').join(',')}) AND expires_at <= ?`,
      [...keys, dbValue(this.dataSource, this.now())],
    );

    return keys.length;
  }

  private async claimAndPublish(
    rows: DueRow[],
    condition: string,
    params: (row: DueRow) => unknown[],
  ): Promise<number> {
    if (rows.length === 0) {
      return 0;
    }
    const now = this.now();
    const published = await inTransaction(this.dataSource, async (manager) => {
      const claimed: DueRow[] = [];
      for (const row of rows) {
        const changed = await affectedRows(
          manager,
          `UPDATE sms_messages SET next_retry_at = NULL, updated_at = ? WHERE id = ? AND ${condition}`,
          [dbValue(this.dataSource, now), row.id, ...params(row)],
        );
        if (changed > 0) {
          claimed.push(row);
        }
      }
      await enqueueOutbox(
        manager,
        INTAKE_OUTBOX,
        claimed.map((row) => ({
          topic: TOPICS.accepted,
          key: row.id,
          value: toAccepted(row),
          // The retry continues the message's own trace, not whatever the scheduler's timer inherited.
          headers: traceHeadersOf(row.trace_parent),
        })),
        now,
      );

      return claimed.length;
    });
    if (published > 0) {
      this.onPublished();
    }

    return published;
  }

  /** One pass at a time: a slow database must not pile up overlapping passes. False when one is running. */
  private run(work: () => Promise<unknown>): boolean {
    if (this.busy) {
      return false;
    }
    this.busy = true;
    this.running = work()
      .catch(this.onError)
      .finally(() => {
        this.busy = false;
      });

    return true;
  }
}

/** A stored datetime: a Date from mysql2, a UTC `YYYY-MM-DD HH:MM:SS.mmm` string from SQLite. */
export const toDate = (value: Date | string): Date =>
  value instanceof Date ? value : new Date(`${value.replace(' ', 'T')}Z`);

export function toAccepted(row: DueRow): ReturnType<typeof acceptedEvent> {
  const createdAt = toDate(row.created_at);

  return acceptedEvent(
    {
      id: row.id,
      accountId: row.account_id,
      createdAt,
      message: {
        to: row.to_number,
        from: row.requested_from,
        country: row.country,
        body: row.body,
        encoding: row.encoding === 'UCS-2' ? 'UCS-2' : 'GSM-7',
        segments: Number(row.segments),
        messageClass: row.message_class === 'marketing' ? MessageClass.Marketing : MessageClass.Transactional,
        callbackUrl: null,
        clientReference: null,
        validitySeconds: row.validity_seconds === null ? null : Number(row.validity_seconds),
        sendAt: row.send_at === null ? null : toDate(row.send_at),
      },
    },
    Number(row.attempt),
    (row.avoid_providers ?? '').split(',').filter(Boolean),
    row.pin_provider,
    // The DLR fallback's re-send (DlrFallback.reroute stored the receipt's code): another provider or none.
    Number(row.dlr_fallbacks) > 0 ? (row.error_code ?? 'DLR_FALLBACK') : null,
  );
}

/** The stored trace context as record headers; `{}` (not undefined) so the outbox adds nothing of its own. */
export function traceHeadersOf(traceParent: string | null): Record<string, string> {
  return traceParent ? { [TRACEPARENT_HEADER]: traceParent } : {};
}
