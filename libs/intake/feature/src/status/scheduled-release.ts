import { MessageStatus, TOPICS, VALIDITY_EXPIRED } from '@sms/contracts';
import { dbValue, enqueueOutbox, inTransaction } from '@sms/persistence';
import type { DataSource } from 'typeorm';
import { INTAKE_OUTBOX } from '../database/intake.schema';
import { applyOwnChange, type ChangedRow } from './own-change';
import { DUE_COLUMNS, type DueRow, toAccepted, toDate, traceHeadersOf } from './retry.scheduler';

/** Scheduling of the release passes (ms, rows). */
export const RELEASE_SCHEDULE = {
  /** Longest pause between passes when none is known to be due sooner (catches other replicas' messages). */
  idleCheckMs: 5_000,
  /** Shortest pause between passes while a full batch was due. */
  busyPollMs: 50,
  batchSize: 200,
} as const satisfies Record<string, number>;

interface ScheduledRow extends DueRow, ChangedRow {
  attempt: number;
  expires_at: Date | string | null;
}

/**
 * Releases scheduled messages when their `sendAt` comes: `scheduled` → `queued` and their `sms.accepted.v1`
 * through the outbox, in one transaction, so from then on they travel like any other message. A message whose
 * validity ran out meanwhile (intake was down past it) ends `expired` instead.
 *
 * They are held in the ledger, not in a timer, so they survive restarts; several intake replicas share the
 * work as the retry scheduler does: each row is claimed by an UPDATE conditional on `status = 'scheduled'`,
 * which exactly one replica (or a cancel) wins.
 */
export class ScheduledRelease {
  private timer: NodeJS.Timeout | null = null;
  private plannedAt = Number.POSITIVE_INFINITY;
  private stopped = true;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly onPublished: () => void,
    private readonly onError: (error: unknown) => void,
    /** Told of each message that expired here, never sent (its booked spend is given back). */
    private readonly onExpired: (messageId: string) => void = () => undefined,
    private readonly now: () => Date = () => new Date(),
  ) {}

  start(): void {
    this.stopped = false;
    this.plan(this.now().getTime());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    await this.running;
  }

  /** A message was scheduled for `at` in this process: plan a pass then, unless one is planned sooner. */
  scheduled(at: Date): void {
    this.plan(at.getTime());
  }

  /** Releases (or expires) the scheduled messages that are due; returns how many it claimed. */
  async releaseDue(): Promise<number> {
    const now = this.now();
    const rows: ScheduledRow[] = await this.dataSource.query(
      `SELECT ${DUE_COLUMNS}, status, callback_url, client_reference, expires_at FROM sms_messages
       WHERE status = ? AND send_at <= ? ORDER BY send_at LIMIT ${RELEASE_SCHEDULE.batchSize}`,
      [MessageStatus.Scheduled, dbValue(this.dataSource, now)],
    );
    if (rows.length === 0) {
      return 0;
    }
    const expired: string[] = [];
    const released = await inTransaction(this.dataSource, async (manager) => {
      expired.length = 0;
      let claimed = 0;
      const accepted = [];
      for (const row of rows) {
        const late = row.expires_at !== null && toDate(row.expires_at).getTime() <= now.getTime();
        const moved = await applyOwnChange(
          this.dataSource,
          manager,
          row,
          late
            ? {
                to: MessageStatus.Expired,
                errorCode: VALIDITY_EXPIRED,
                detail: 'its validity ran out before its scheduled time came round',
                condition: 'status = ?',
                params: [MessageStatus.Scheduled],
              }
            : {
                to: MessageStatus.Queued,
                errorCode: null,
                detail: 'released at its sendAt',
                condition: 'status = ?',
                params: [MessageStatus.Scheduled],
              },
          now,
        );
        if (!moved) {
          continue;
        }
        claimed++;
        if (late) {
          expired.push(row.id);
        } else {
          accepted.push({
            topic: TOPICS.accepted,
            key: row.id,
            value: toAccepted(row),
            headers: traceHeadersOf(row.trace_parent),
          });
        }
      }
      await enqueueOutbox(manager, INTAKE_OUTBOX, accepted, now);

      return claimed;
    });
    if (released > 0) {
      this.onPublished();
    }
    expired.forEach((id) => this.onExpired(id));

    return released;
  }

  /** The earliest `sendAt` still waiting, or null. */
  async nextDueAt(): Promise<Date | null> {
    const rows: { at: Date | string | null }[] = await this.dataSource.query(
      'SELECT MIN(send_at) AS at FROM sms_messages WHERE status = ?',
      [MessageStatus.Scheduled],
    );
    const at = rows[0]?.at ?? null;

    return at === null ? null : toDate(at);
  }

  private plan(at: number): void {
    if (this.stopped || (this.timer !== null && at >= this.plannedAt)) {
      return;
    }
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.plannedAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.plannedAt = Number.POSITIVE_INFINITY;
        this.pass();
      },
      Math.max(0, at - this.now().getTime()),
    );
  }

  /**
   * One pass at a time (a new plan made meanwhile waits for it): releases what is due, then plans the next
   * pass at the earliest stored `sendAt`, at most idleCheckMs away for messages other replicas wrote.
   */
  private pass(): void {
    this.running = this.running.then(async () => {
      let next = this.now().getTime() + RELEASE_SCHEDULE.idleCheckMs;
      try {
        const released = await this.releaseDue();
        if (released >= RELEASE_SCHEDULE.batchSize) {
          next = this.now().getTime() + RELEASE_SCHEDULE.busyPollMs;
        } else {
          const due = await this.nextDueAt();
          if (due !== null) {
            next = Math.min(next, Math.max(due.getTime(), this.now().getTime() + RELEASE_SCHEDULE.busyPollMs));
          }
        }
      } catch (error) {
        this.onError(error);
      } finally {
        this.plan(next);
      }
    });
  }
}
