/** Scheduling of retries and of the stale-message sweep (values in ms). */
export const RETRY_SCHEDULE = {
  /** How often due retries are looked for. */
  pollIntervalMs: 250,
  /** Most due messages re-published per poll. */
  batchSize: 200,
  /** Longest backoff between two attempts. */
  maxDelayMs: 5 * 60_000,
  /** A `queued` message with no progress for this long is re-published (lost dispatch, crash). */
  staleAfterMs: 60_000,
  staleSweepIntervalMs: 10_000,
} as const satisfies Record<string, number>;
