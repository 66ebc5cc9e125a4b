/**
 * The bus port: the only way services talk to each other. Two adapters implement it with the same
 * semantics, so a service never knows which one it runs on:
 *  - Kafka (kafkajs) in the distributed mode;
 *  - an in-process bus in the embedded mode.
 *
 * Semantics both adapters guarantee:
 *  - at-least-once delivery: a record is acknowledged (offset committed) only after its handler resolved;
 *  - per-key order: records with the same key reach one handler invocation at a time, in publish order
 *    (unless the subscriber asks for `keyConcurrency` > 1: then up to that many start in publish order);
 *  - retry: a handler that throws is retried with backoff up to `maxAttempts`, then the record goes to
 *    `<topic>.dlq` with the error in the headers, and the partition moves on;
 *  - a handler that throws {@link NonRetriableError} goes to the DLQ at once (poison / invalid payload).
 */
export interface BusRecord {
  readonly topic: string;
  readonly key: string;
  /** JSON-serialisable value; the adapters serialise it as UTF-8 JSON. */
  readonly value: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ConsumedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string;
  /** Parsed JSON value. A record whose value is not JSON goes to the DLQ without reaching a handler. */
  readonly value: unknown;
  readonly headers: Readonly<Record<string, string>>;
  /** 1 on first delivery, then 2, 3... on retries within this process. */
  readonly attempt: number;
}

export type RecordHandler = (record: ConsumedRecord) => Promise<void>;

export interface SubscriptionOptions {
  /** Consumer group; one per service (e.g. `router`). */
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly handler: RecordHandler;
  /** Tries before the record goes to the DLQ. Default 5. */
  readonly maxAttempts?: number;
  /** Records of different keys handled concurrently per partition batch. Default 1 (strict order). */
  readonly concurrency?: number;
  /**
   * Records of one key handled at once per partition batch, started in offset order (counted within
   * `concurrency`). Default 1: one at a time, in order. For a subscriber whose records carry their own
   * order (the send-worker: each dispatch holds its slot on the sender's schedule), so that one busy key
   * is not held to one slow call at a time. Commits still cover only the contiguous done prefix.
   */
  readonly keyConcurrency?: number;
  /**
   * Records this subscriber has no use for, told from their headers before the value is parsed: they are
   * done (and committed) without a handler call. For a group that reads a busy topic for a few of its
   * events (dlr-processor learns provider ids from `sent` events among every status change).
   */
  readonly ignores?: (headers: Readonly<Record<string, string>>) => boolean;
  /**
   * How full a fetch should be before the broker answers, and how long it may wait for that (Kafka only;
   * the in-process bus hands records over as they come). Default: answer as soon as one record is there.
   * For a reader that tolerates some lag on a busy topic: fewer, fuller fetches, so fewer wake-ups,
   * fetch requests and offset commits per record, for it and for the broker.
   */
  readonly fetch?: FetchPacing;
}

export interface FetchPacing {
  readonly minBytes: number;
  readonly maxWaitMs: number;
}

export interface Bus {
  /** Resolves once every record is durably accepted by the bus (Kafka acks=all / in-process queue). */
  publish(records: readonly BusRecord[]): Promise<void>;
  subscribe(options: SubscriptionOptions): Promise<void>;
  /** Stop fetching, finish in-flight handlers, commit their offsets, disconnect. Idempotent. */
  close(): Promise<void>;
  /** True when the bus can publish and consume (used by /readyz). */
  isReady(): Promise<boolean>;
  /**
   * Resolves when a publisher that feeds new work in (an outbox relay) may publish more. On Kafka at once: the
   * broker's log holds any backlog. On the in-process bus once no consumed partition holds more than its cap,
   * so a backlog waits in the outbox instead of growing in memory. Also resolves when `signal` aborts or the
   * bus closes. Handlers never call it: what they publish must not wait on their own consumption.
   */
  awaitCapacity(signal?: AbortSignal): Promise<void>;
  /** Records behind per group/topic/partition for this process's subscriptions (the lag metric, exportConsumerLag). */
  consumerLag(): Promise<readonly ConsumerLag[]>;
  /**
   * Puts dead-lettered records back on their source topic (dlq-replay.ts), each dead letter at most once:
   * the ones put back are recorded, and a later call skips them. Rejects with a RangeError on a bad request
   * and with DlqTopicNotFoundError when the DLQ topic does not exist.
   */
  replayDeadLetters(request: DlqReplayRequest): Promise<DlqReplayResult>;
}

export interface DlqReplayRequest {
  /** A DLQ topic: `<source topic>.dlq`. */
  readonly dlqTopic: string;
  /** Only records dead-lettered at or after this time. */
  readonly from?: Date;
  /** Only records dead-lettered before this time. */
  readonly to?: Date;
  /** At most this many records are put back, oldest first (1..10,000; default: all in the window). */
  readonly limit?: number;
  /** Report what would be put back, without publishing or recording anything. */
  readonly dryRun?: boolean;
}

export interface DlqReplayedRecord {
  readonly partition: number;
  readonly offset: string;
  readonly sourceTopic: string;
  readonly deadLetteredAt: string;
  /** Handler invocations before the record was dead-lettered (0: its value never parsed). */
  readonly attempts: number;
}

export interface DlqReplayResult {
  readonly dlqTopic: string;
  readonly dryRun: boolean;
  /** Put back now (or, on a dry run, what would be), oldest first. */
  readonly replayed: readonly DlqReplayedRecord[];
  /** Records in the window that an earlier replay put back already (skipped). */
  readonly alreadyReplayed: number;
  /** Records in the window left for a later call because of the limit. */
  readonly remaining: number;
}

export interface ConsumerLag {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  /** Log end offset minus the group's committed offset (a group that never committed counts from the start). */
  readonly lag: number;
  /**
   * True where this process holds the group's leader member, which the group coordinator elects: one process
   * per group at a time (every group of the in-process bus lives in one process). The lag is the group's,
   * read from the broker, so each replica sees the same figure; only the leader exports it, so a sum over
   * replicas counts it once.
   */
  readonly groupLeader: boolean;
}

/**
 * Thrown by a handler for a record that can never succeed (invalid payload): straight to the DLQ. Any
 * Error with `nonRetriable: true` is treated the same way.
 */
export class NonRetriableError extends Error {
  override readonly name = 'NonRetriableError';
}

/** Header names the adapters set on DLQ records. */
export const DLQ_HEADERS = {
  error: 'x-dlq-error',
  sourceTopic: 'x-dlq-source-topic',
  sourcePartition: 'x-dlq-source-partition',
  sourceOffset: 'x-dlq-source-offset',
  attempts: 'x-dlq-attempts',
} as const;

export const dlqTopicOf = (topic: string): string => `${topic}.dlq`;
