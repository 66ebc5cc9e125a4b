import type { FetchPacing } from './bus.port';

/** In-process retry of a throwing handler: exponential backoff with jitter, capped. */
export interface RetryBackoffPolicy {
  readonly initialMs: number;
  readonly multiplier: number;
  readonly maxMs: number;
  /** Fraction of the delay randomised either way, so retries of many partitions do not fire in lock-step. */
  readonly jitter: number;
}

/**
 * 100, 200, 400, 800 ms (±20 %) for the default 5 attempts: about 1.5 s of retries per record. That is
 * enough to ride out a DB deadlock or a brief failover, and far below the 30 s session timeout, so a
 * record in backoff never costs the consumer its group membership.
 */
export const RETRY_BACKOFF = {
  initialMs: 100,
  multiplier: 2,
  maxMs: 5_000,
  jitter: 0.2,
} as const satisfies RetryBackoffPolicy;

/**
 * Waiting out an infrastructure error (infrastructure-error.ts): the partition pauses and the failed record
 * is tried again at 0.2, 0.4, 0.8 ... s, then every 30 s (±20 %), for as long as the outage lasts. The cap
 * keeps a long outage to two tries a minute per paused partition, and bounds how late the partition resumes
 * after the dependency is back. These tries never count toward `maxAttempts`.
 */
export const INFRA_RETRY_BACKOFF = {
  initialMs: 200,
  multiplier: 2,
  maxMs: 30_000,
  jitter: 0.2,
} as const satisfies RetryBackoffPolicy;

/**
 * A paused partition sleeps in slices this long and checks between them whether it should stop (shutdown,
 * a rebalance, a seek), so a long backoff never holds up a rebalance or close().
 */
export const PAUSE_STOP_CHECK_MS = 250;

export interface SubscriptionDefaults {
  readonly maxAttempts: number;
  readonly concurrency: number;
  readonly keyConcurrency: number;
}

/** The port documents these defaults (maxAttempts 5, concurrency 1 = strict partition order). */
export const SUBSCRIPTION_DEFAULTS = {
  maxAttempts: 5,
  concurrency: 1,
  keyConcurrency: 1,
} as const satisfies SubscriptionDefaults;

/**
 * Concurrency for consumers whose handlers feed a group committer (intake's ledger, dlr-processor's
 * correlation lookups): the records in flight are what forms the next batch, so at 16 per partition a
 * batch never held more than a few dozen events and the statements per event stayed high. At 256 a
 * receipt storm is applied in batches of up to the committer's maximum (bench/dlr.bench.ts: the ledger
 * caught up ~0.4 s after a 5 s burst at 3,000/s instead of ~3 s, with a third less CPU per receipt).
 * Per-key order is unaffected: records of one key still run one at a time.
 */
export const GROUP_COMMIT_CONCURRENCY = 256;

export interface PublishBatchPolicy {
  readonly lingerMs: number;
  readonly maxBatchRecords: number;
}

/**
 * kafkajs does no batching of its own: one awaited `send` per record costs far more than batched sends
 * (docs/performance.md, "Bus"). A linger of a few milliseconds is invisible next to an HTTP request and still
 * coalesces bursts.
 */
export const PUBLISH_BATCH = {
  lingerMs: 2,
  maxBatchRecords: 500,
} as const satisfies PublishBatchPolicy;

export interface ConsumerRestartPolicy {
  readonly maxRestarts: number;
  readonly windowMs: number;
}

/**
 * kafkajs restarts a crashed consumer forever by default; a broker that stays away then shows up only as
 * log spam (tulios/kafkajs #1163 #1513). After this many restarts in the window the consumer stays down
 * and `isReady()` turns false, so the orchestrator restarts the process instead.
 */
export const CONSUMER_RESTART = {
  maxRestarts: 10,
  windowMs: 10 * 60_000,
} as const satisfies ConsumerRestartPolicy;

export interface OffsetCommitPolicy {
  readonly intervalMs: number;
}

/**
 * Committing after every record would cost one OffsetCommit round trip per record. The contiguous prefix
 * is committed at most this often while a batch runs, and always when the batch ends, stops or fails, so
 * a crash re-delivers at most this much work (at-least-once; consumers are idempotent).
 */
export const OFFSET_COMMIT = {
  intervalMs: 500,
} as const satisfies OffsetCommitPolicy;

export interface ReadinessPolicy {
  readonly timeoutMs: number;
  readonly cacheMs: number;
}

/** /readyz is polled often; one describeCluster per second at most, and never a hung probe. */
export const READINESS = {
  timeoutMs: 1_000,
  cacheMs: 1_000,
} as const satisfies ReadinessPolicy;

export interface InProcessDefaults {
  readonly partitions: number;
  readonly maxRetainedPerPartition: number;
  readonly maxBatchRecords: number;
}

export const IN_PROCESS = {
  /** Same key → same partition, as on Kafka; 4 partitions give 4 independent ordered lanes per topic. */
  partitions: 4,
  /**
   * Records kept per partition: a topic nobody consumes (and a DLQ) drops its oldest past it, as Kafka's
   * retention would; a consumed partition never drops what a group has yet to read, and past the cap its
   * entry publishers wait (Bus.awaitCapacity).
   */
  maxRetainedPerPartition: 100_000,
  /** Records handed to one partition batch, like one kafkajs fetch. */
  maxBatchRecords: 500,
} as const satisfies InProcessDefaults;

/** DLQ error headers are truncated: a stack or a huge message must not blow the record size limit. */
export const DLQ_ERROR_MAX_CHARS = 1_000;

export interface KafkaConsumerDefaults {
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly maxWaitTimeMs: number;
  readonly partitionsConsumedConcurrently: number;
}

/**
 * Fetch pacing for readers that act on aggregates and can be a second behind (router's health window,
 * opt-out's scan of status events for the rare provider-reported opt-out): during a receipt storm a fetch
 * then carries a fuller fetch instead of whatever arrived since the last one, which lowers those readers' and
 * the broker's CPU per receipt (docs/performance.md, "Bus"). The wait is also how often such a reader fetches
 * with no traffic at all, so a short one makes the service costly when idle (docs/performance.md, "Idle and
 * memory of the services").
 */
export const LAG_TOLERANT_FETCH = { minBytes: 64 * 1024, maxWaitMs: 1_000 } as const satisfies FetchPacing;

export const KAFKA_CONSUMER = {
  /** kafkajs' defaults (reliability.md §1); a handler slower than this is covered by the heartbeat timer. */
  sessionTimeoutMs: 30_000,
  heartbeatIntervalMs: 3_000,
  /** kafkajs waits 5 s per empty fetch; consumer.stop() sits that out, so shutdown and tests would too. */
  maxWaitTimeMs: 1_000,
  partitionsConsumedConcurrently: 4,
} as const satisfies KafkaConsumerDefaults;

/**
 * A partition of a `keyConcurrency` > 1 subscription runs as one batch growing across fetches
 * (growing-partition.run.ts). The next fetch waits while the run holds this many records not yet done, so
 * what a process buffers stays bounded: the send-worker needs rate × (latency + lead) records open per
 * sender (about 300 for 100 segments/s at 1 s), and a fetch adds up to maxBytesPerPartition (1 MB) more.
 */
export const KAFKA_GROWING_RUN = {
  maxHeld: 2_048,
} as const satisfies { readonly maxHeld: number };

/** Waiting for topic leaders after createTopics; a single-node KRaft broker needs well under a second. */
export const TOPIC_LEADER_WAIT = {
  timeoutMs: 30_000,
  pollMs: 100,
} as const satisfies { readonly timeoutMs: number; readonly pollMs: number };
