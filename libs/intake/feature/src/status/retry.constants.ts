/** Scheduling of retries and of the stale-message sweep (values in ms). */
export const RETRY_SCHEDULE = {
  /** How often due retries are looked for. */
  pollIntervalMs: 250,
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
