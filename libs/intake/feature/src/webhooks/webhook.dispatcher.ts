import { metrics } from '@sms/metrics';
import { affectedRows, dbValue } from '@sms/persistence';
import { backoffDelayMs, type OutboundOutcome } from '@sms/platform';
import type { DataSource } from 'typeorm';
import { EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, signatureHeader } from './webhook-events';
import type { WebhookSecretBox } from './webhook-secrets';
import { DeliveryState } from './webhook.store';

/** The part of @sms/platform's OutboundPoster the dispatcher uses (SSRF-safe POST). */
export interface WebhookPoster {
  post(url: string, body: string, headers: Readonly<Record<string, string>>): Promise<OutboundOutcome>;
}

export interface WebhookRetryPolicy {
  /** First retry delay; doubles per failed attempt up to maxDelayMs (equal jitter). */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** 10 s, 20 s, 40 s … doubling to one attempt an hour, until the delivery's retry window (24 h) ends. */
export const WEBHOOK_RETRY_POLICY: WebhookRetryPolicy = { baseDelayMs: 10_000, maxDelayMs: 3_600_000 };

export interface WebhookDispatcherOptions {
  readonly retry?: WebhookRetryPolicy;
  /** The fallback look for due deliveries nobody woke this process for (another process's, a lapsed lease). */
  readonly pollIntervalMs?: number;
  /** Deliveries in flight at once per process. */
  readonly concurrency?: number;
  readonly onError?: (error: unknown) => void;
}

interface DueRow {
  id: string;
  subscription_id: string;
  event_id: string;
  event_type: string;
  body: string;
  attempts: number | string;
  attempt_log: string;
  retry_until: Date | string;
  url: string;
  secret_ciphertext: string;
}

/** A lease keeps other processes off a delivery in flight; an attempt takes at most ~15 s. */
const LEASE_MS = 60_000;
const DEFAULT_POLL_INTERVAL_MS = 30_000;

const asDate = (value: Date | string): Date =>
  value instanceof Date ? value : new Date(/[zZ]$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);

/**
 * Delivers account webhook events (docs/webhooks.md): every pending row of `webhook_deliveries` whose
 * time has come, POSTed through the SSRF-safe poster the per-message callbacks use, signed with the
 * subscription's current secret, retried with exponential backoff (equal jitter) until a 2xx or the end
 * of the row's retry window. Every attempt is recorded on the row. Processes share the table: a lease
 * taken with a conditional UPDATE keeps two of them off the same row.
 */
export class WebhookDispatcher {
  private timer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryAt = Number.POSITIVE_INFINITY;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;

  constructor(
    private readonly dataSource: DataSource,
    private readonly poster: WebhookPoster,
    private readonly box: WebhookSecretBox,
    private readonly options: WebhookDispatcherOptions = {},
    private readonly now: () => Date = () => new Date(),
    private readonly random: () => number = Math.random,
  ) {}

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
  }

  /** Looks for due deliveries now (after this process recorded or replayed some). */
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

  /** Delivers what is due now; returns how many deliveries it attempted. */
  async runOnce(): Promise<number> {
    const now = this.now();
    const at = dbValue(this.dataSource, now);
    const concurrency = this.options.concurrency ?? 8;
    const due: DueRow[] = await this.dataSource.query(
      `SELECT d.id, d.subscription_id, d.event_id, d.event_type, d.body, d.attempts, d.attempt_log, d.retry_until,
         s.url, s.secret_ciphertext
       FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id
       WHERE d.state = 'pending' AND d.next_attempt_at <= ? AND (d.lease_until IS NULL OR d.lease_until < ?)
       ORDER BY d.next_attempt_at LIMIT ${concurrency * 4}`,
      [at, at],
    );
    let done = 0;
    const queue = [...due];
    const workers = Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
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

  /** When a delivery that failed its n-th attempt at `at` is tried again (before the window check). */
  nextAttemptAt(attempts: number, at: Date): Date {
    const { baseDelayMs, maxDelayMs } = this.options.retry ?? WEBHOOK_RETRY_POLICY;

    return new Date(at.getTime() + backoffDelayMs(attempts, baseDelayMs, maxDelayMs, this.random));
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        if ((await this.runOnce()) > 0) {
          this.again = true;
        }
      } catch (error) {
        this.options.onError?.(error);

        return;
      }
    } while (this.again && !this.stopped);
  }

  private async claim(id: string, now: Date): Promise<boolean> {
    return (
      (await affectedRows(
        this.dataSource.manager,
        `UPDATE webhook_deliveries SET lease_until = ? WHERE id = ? AND state = 'pending'
         AND (lease_until IS NULL OR lease_until < ?)`,
        [dbValue(this.dataSource, new Date(now.getTime() + LEASE_MS)), id, dbValue(this.dataSource, now)],
      )) > 0
    );
  }

  private async deliver(row: DueRow): Promise<void> {
    const outcome = await this.attempt(row);
    const now = this.now();
    const attempts = Number(row.attempts) + 1;
    const log = [...(JSON.parse(row.attempt_log) as unknown[]), entryOf(now, outcome)].slice(-50);
    let state = DeliveryState.Pending;
    let next = now;
    if (outcome.kind === 'delivered') {
      state = DeliveryState.Delivered;
    } else if (outcome.kind === 'refused') {
      state = DeliveryState.Refused;
    } else {
      next = this.nextAttemptAt(attempts, now);
      if (next.getTime() > asDate(row.retry_until).getTime()) {
        state = DeliveryState.Expired;
      }
    }
    const settled = state !== DeliveryState.Pending;
    metrics.webhookDeliveries.inc({ outcome: settled && state === DeliveryState.Expired ? 'expired' : outcome.kind });
    await affectedRows(
      this.dataSource.manager,
      `UPDATE webhook_deliveries SET state = ?, attempts = ?, next_attempt_at = ?, lease_until = NULL,
       last_status_code = ?, last_error = ?, attempt_log = ?, settled_at = ? WHERE id = ? AND state = 'pending'`,
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
    if (!settled) {
      this.wakeAt(next);
    }
  }

  private async attempt(row: DueRow): Promise<OutboundOutcome> {
    let secret: string;
    try {
      secret = this.box.open(row.secret_ciphertext, row.subscription_id);
    } catch {
      // Sealed under another WEBHOOK_SECRETS_KEY: retried, so a corrected key still delivers it.
      return { kind: 'failed', error: 'secret cannot be opened with WEBHOOK_SECRETS_KEY' };
    }
    const timestamp = Math.floor(this.now().getTime() / 1000);

    return this.poster.post(row.url, row.body, {
      'user-agent': 'sms-gateway-webhooks/1',
      [SIGNATURE_HEADER]: signatureHeader(secret, timestamp, row.body),
      [EVENT_ID_HEADER]: row.event_id,
      [EVENT_TYPE_HEADER]: row.event_type,
    });
  }

  /** Wakes the dispatcher when the earliest retry this process scheduled falls due. */
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
}

function entryOf(at: Date, outcome: OutboundOutcome): Record<string, unknown> {
  return {
    at: at.toISOString(),
    outcome: outcome.kind,
    ...('statusCode' in outcome && outcome.statusCode !== undefined ? { statusCode: outcome.statusCode } : {}),
    ...('error' in outcome ? { error: outcome.error } : {}),
  };
}
