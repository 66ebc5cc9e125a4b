/** Scheduling of retries and of the stale-message sweep (values in ms). */
export const RETRY_SCHEDULE = {
  /** Shortest pause between two passes for due retries. */
  pollIntervalMs: 250,
  /** Longest pause between two passes for due retries when none is known to be due sooner. */
  idleCheckMs: 5_000,
  /** Most due messages re-published per poll. */
  batchSize: 200,
  /** Longest backoff between two attempts. */
  maxDelayMs: 5 * 60_000,
  /** Longest pause between two sweeps for stale messages (shorter when the stale threshold is short). */
  staleSweepIntervalMs: 10_000,
  /** Expired idempotency records are deleted this often, this many at a time. */
  purgeIntervalMs: 10 * 60_000,
  purgeBatchSize: 1000,
} as const satisfies Record<string, number>;

/** Longest pause between two polls of intake's outbox when nothing woke the relay (OutboxRelay.maxPollIntervalMs). */
export const OUTBOX_MAX_POLL_INTERVAL_MS = 5_000;
