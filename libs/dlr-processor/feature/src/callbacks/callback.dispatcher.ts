import { metrics } from '@sms/metrics';
import { type MessageTransitionV1, MessageStatus } from '@sms/contracts';
import { backoffDelayMs } from '@sms/platform';
import { affectedRows, dbValue, GroupCommitter, insertRows, isDuplicateKeyError } from '@sms/persistence';
import type { DataSource } from 'typeorm';
import { CallbackState } from '../database/entities/callback-delivery.entity';
import type { CallbackClient, CallbackOutcome, PresignedRequest } from './callback.client';
import { twilioCallbackOf } from './twilio-callback.format';

/** Order of a message's changes: each applied change moves the rank forward, so rank orders them. */
const SEQ: Record<MessageStatus, number> = {
  [MessageStatus.Scheduled]: 0,
  [MessageStatus.Queued]: 0,
  [MessageStatus.Sending]: 1,
  [MessageStatus.Sent]: 2,
  // A receipt may still replace `unknown` (docs/reconciliation.md), so `unknown` orders before the others.
  [MessageStatus.Unknown]: 3,
  [MessageStatus.Delivered]: 4,
  [MessageStatus.Undelivered]: 4,
  [MessageStatus.Failed]: 4,
  [MessageStatus.Cancelled]: 4,
  [MessageStatus.Expired]: 4,
};

export interface DispatcherOptions {
  /** Give up after retrying this long (≥ 24 h in production). */
  readonly retryWindowMs: number;
  /** First retry delay; doubles per attempt up to maxDelayMs. */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /**
   * The fallback look for due callbacks nobody woke this process for: another replica's lapsed lease, or
   * retries an earlier process scheduled. New changes wake the dispatcher, and its own retries arm a timer.
   */
  readonly pollIntervalMs?: number;
  /** Callbacks in flight at once per process. */
  readonly concurrency?: number;
  readonly onError?: (error: unknown) => void;
  /** An account's Twilio auth token, which signs callbacks in Twilio's format (docs/twilio-compat.md). */
  readonly twilioAuthToken?: (accountId: string) => string;
}

interface DueRow {
  id: string;
  url: string;
  body: string;
  attempts: number;
  attempt_log: string;
  created_at: Date | string;
  format: string | null;
  signature: string | null;
}

const COLUMNS = [
  'id',
  'message_id',
  'seq',
  'url',
  'body',
  'state',
  'attempts',
  'next_attempt_at',
  'lease_until',
  'last_status_code',
  'last_error',
  'attempt_log',
  'created_at',
  'settled_at',
  'format',
  'signature',
] as const;

/** Without a wake-up, the dispatcher looks for due callbacks this often (a lapsed lease takes 60 s anyway). */
const DEFAULT_POLL_INTERVAL_MS = 30_000;

const asDate = (value: Date | string): Date =>
  value instanceof Date ? value : new Date(/[zZ]$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);

/**
 * Caller callbacks (api.md "Status callbacks to the caller"): one row per applied status change in
 * `callback_deliveries`, delivered in order per message (a change waits while an earlier change of the
 * same message is still pending), retried with exponential backoff and jitter until it gets a 2xx or
 * the retry window (≥ 24 h) ends. Every attempt is recorded on the row. Replicas share the table: a
 * lease taken with a conditional UPDATE keeps two of them off the same row.
 */
export class CallbackDispatcher {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  /** The timer for the earliest retry this process scheduled, and when it fires. */
  private retryTimer: NodeJS.Timeout | null = null;
  private retryAt = Number.POSITIVE_INFINITY;
  /** Changes recorded together: one multi-row INSERT for the transitions a consumer handles at once. */
  private readonly inserts: GroupCommitter<readonly unknown[], true>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly client: CallbackClient,
    private readonly options: DispatcherOptions,
    private readonly now: () => Date = () => new Date(),
    private readonly random: () => number = Math.random,
  ) {
    // A batch with a redelivered change fails on its key as a whole; the committer then inserts each
    // row alone, so only the repeated one fails (and is reported as already known).
    this.inserts = new GroupCommitter(
      async (rows) => {
        await insertRows(this.dataSource.manager, 'callback_deliveries', COLUMNS, rows);

        return rows.map(() => true as const);
      },
      { maxBatch: 500, maxConcurrent: 1 },
    );
  }

  /** Records a change to call back; a redelivered transition (same event id) is the same row. */
  async enqueue(transition: MessageTransitionV1): Promise<boolean> {
    if (transition.callbackFormat === 'twilio') {
      if (!this.options.twilioAuthToken) {
        throw new Error('a Twilio-format callback needs the twilioAuthToken option');
      }
      const twilio = twilioCallbackOf(transition, this.options.twilioAuthToken(transition.accountId));

      return this.record(transition, twilio.body, 'twilio', twilio.signature);
    }
    const body = JSON.stringify({
      id: transition.messageId,
      status: transition.status,
      previousStatus: transition.previousStatus,
      errorCode: transition.errorCode ?? null,
      errorMessage: transition.errorMessage ?? null,
      at: transition.at,
      clientReference: transition.clientReference ?? null,
    });

    return this.record(transition, body, null, null);
  }

  private async record(
    transition: MessageTransitionV1,
    body: string,
    format: string | null,
    signature: string | null,
  ): Promise<boolean> {
    const now = this.now();
    try {
      await this.inserts.submit([
        transition.eventId,
        transition.messageId,
        SEQ[transition.status],
        transition.callbackUrl,
        body,
        CallbackState.Pending,
        0,
        now,
        null,
        null,
        null,
        '[]',
        now,
        null,
        format,
        signature,
      ]);
    } catch (error) {
      if (isDuplicateKeyError(error)) {
        return false;
      }
      throw error;
    }
    this.wake();

    return true;
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.wake(), this.options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS);
    this.timer.unref();
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
    this.clearRetryTimer();
    await this.running;
    await this.inserts.drain();
  }

  /** Wakes the dispatcher when a retry it scheduled falls due (the earliest one; each run re-arms the next). */
  private wakeAt(at: Date): void {
    const when = at.getTime();
    if (this.stopped || when >= this.retryAt) {
      return;
    }
    this.clearRetryTimer();
    this.retryAt = when;
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = null;
        this.retryAt = Number.POSITIVE_INFINITY;
        this.wake();
      },
      Math.max(0, when - this.now().getTime()),
    );
    this.retryTimer.unref();
  }

  private clearRetryTimer(): void {
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
    this.retryAt = Number.POSITIVE_INFINITY;
  }

  wake(): void {
    if (this.stopped) {
      return;
    }
    if (this.running) {
      this.again = true;

      return;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        const worked = await this.runOnce();
        if (worked > 0) {
          this.again = true;
        }
      } catch (error) {
        this.options.onError?.(error);

        return;
      }
    } while (this.again && !this.stopped);
  }

  /** Delivers the callbacks due now (first pending change of each message only); returns how many. */
  async runOnce(): Promise<number> {
    const now = this.now();
    const at = dbValue(this.dataSource, now);
    const due: DueRow[] = await this.dataSource.query(
      `SELECT d.id, d.url, d.body, d.attempts, d.attempt_log, d.created_at, d.format, d.signature
       FROM callback_deliveries d
       WHERE d.state = 'pending' AND d.next_attempt_at <= ? AND (d.lease_until IS NULL OR d.lease_until < ?)
       AND NOT EXISTS (SELECT 1 FROM callback_deliveries e
         WHERE e.message_id = d.message_id AND e.state = 'pending' AND e.seq < d.seq)
       ORDER BY d.next_attempt_at LIMIT ${(this.options.concurrency ?? 16) * 4}`,
      [at, at],
    );
    let done = 0;
    const queue = [...due];
    const workers = Array.from({ length: Math.min(this.options.concurrency ?? 16, queue.length) }, async () => {
      for (let row = queue.shift(); row; row = queue.shift()) {
        if (await this.claim(row.id, now)) {
          await this.deliver(row);
          done++;
        }
      }
    });
    await Promise.all(workers);

    return done;
  }

  private async claim(id: string, now: Date): Promise<boolean> {
    const lease = new Date(now.getTime() + 60_000);

    return (
      (await affectedRows(
        this.dataSource.manager,
        `UPDATE callback_deliveries SET lease_until = ? WHERE id = ? AND state = 'pending'
         AND (lease_until IS NULL OR lease_until < ?)`,
        [dbValue(this.dataSource, lease), id, dbValue(this.dataSource, now)],
      )) > 0
    );
  }

  private async deliver(row: DueRow): Promise<void> {
    const outcome = await this.client.post(
      row.url,
      row.body,
      row.format === 'twilio' ? twilioRequestOf(row.signature ?? '') : undefined,
    );
    const now = this.now();
    const attempts = Number(row.attempts) + 1;
    const log = [...(JSON.parse(row.attempt_log) as unknown[]), entryOf(now, outcome)].slice(-50);
    let state: CallbackState = CallbackState.Pending;
    let next = now;
    if (outcome.kind === 'delivered') {
      state = CallbackState.Delivered;
    } else if (outcome.kind === 'refused') {
      state = CallbackState.Refused;
    } else {
      const delay = this.backoff(attempts);
      next = new Date(now.getTime() + delay);
      if (next.getTime() - asDate(row.created_at).getTime() > this.options.retryWindowMs) {
        state = CallbackState.Expired;
      }
    }
    const settled = state !== CallbackState.Pending;
    if (!settled) {
      this.wakeAt(next);
    }
    metrics.callbackDeliveries.inc({ outcome: outcome.kind });
    if (outcome.kind !== 'delivered') {
      // refused: the URL broke the SSRF rules (final); http_<code> / network: retried until the window ends.
      const reason =
        outcome.kind === 'refused' ? 'refused' : outcome.statusCode ? `http_${outcome.statusCode}` : 'network';
      metrics.callbackFailures.inc({ reason: state === CallbackState.Expired ? 'expired' : reason });
    }
    await affectedRows(
      this.dataSource.manager,
      `UPDATE callback_deliveries SET state = ?, attempts = ?, next_attempt_at = ?, lease_until = NULL,
       last_status_code = ?, last_error = ?, attempt_log = ?, settled_at = ? WHERE id = ?`,
      [
        state,
        attempts,
        dbValue(this.dataSource, next),
        'statusCode' in outcome ? (outcome.statusCode ?? null) : null,
        'error' in outcome ? outcome.error.slice(0, 255) : null,
        JSON.stringify(log),
        settled ? dbValue(this.dataSource, now) : null,
        row.id,
      ],
    );
  }

  /** Exponential with equal jitter (backoffDelayMs), 5 s doubling to at most an hour by default. */
  private backoff(attempts: number): number {
    return backoffDelayMs(
      attempts,
      this.options.baseDelayMs ?? 5_000,
      this.options.maxDelayMs ?? 3_600_000,
      this.random,
    );
  }
}

/** How a Twilio-format callback goes out: a form, with the signature computed when it was recorded. */
const twilioRequestOf = (signature: string): PresignedRequest => ({
  contentType: 'application/x-www-form-urlencoded',
  headers: { 'x-twilio-signature': signature },
});

function entryOf(at: Date, outcome: CallbackOutcome): Record<string, unknown> {
  return {
    at: at.toISOString(),
    outcome: outcome.kind,
    ...('statusCode' in outcome && outcome.statusCode !== undefined ? { statusCode: outcome.statusCode } : {}),
    ...('error' in outcome ? { error: outcome.error } : {}),
  };
}
