import type { ConsumerRestartPolicy, RetryBackoffPolicy } from './bus.constants';
import type { BusLogger } from './bus.logger';
import type { KafkaSecurity } from './kafka-security';

export interface KafkaBusConfig {
  /** `host:port` list; use 127.0.0.1 rather than localhost (Node resolves localhost to ::1 first). */
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** TLS and SASL for every client (producer, consumers, admin, readiness probe). Default: plaintext. */
  readonly security?: KafkaSecurity;
  /** How long publish() waits for company before sending a batch. Default 2 ms. */
  readonly lingerMs?: number;
  /** A batch is sent as soon as it holds this many records. Default 500. */
  readonly maxBatchRecords?: number;
  /** Consumer session timeout (kafkajs default 30 s). */
  readonly sessionTimeoutMs?: number;
  readonly logger?: BusLogger;
  /** Handler retry backoff; tests shorten it. Default RETRY_BACKOFF. */
  readonly retryBackoff?: RetryBackoffPolicy;
  /** Backoff while a handler meets an infrastructure error (no attempt limit). Default INFRA_RETRY_BACKOFF. */
  readonly infraRetryBackoff?: RetryBackoffPolicy;
  /** Partitions of one subscription whose batches run at the same time. Default 4 (as in-process partitions). */
  readonly partitionsConsumedConcurrently?: number;
  /** Longest fetch long-poll; also bounds how long close() waits for an idle consumer. Default 1000 ms. */
  readonly maxWaitTimeMs?: number;
  /** Bound on kafkajs consumer restarts after a crash. Default CONSUMER_RESTART. */
  readonly restart?: ConsumerRestartPolicy;
  /**
   * subscribe() resolves once the options are checked; the consumer connects and joins its group in the
   * background, retried with INFRA_RETRY_BACKOFF while the broker is away, and a consumer that crashed past
   * its restarts is created anew. For services: their HTTP must not wait for a group to form (a dead
   * member's session timeout) or for Kafka to come back. Default false: subscribe() resolves once joined.
   */
  readonly joinInBackground?: boolean;
}

export interface InProcessBusConfig {
  /** Partitions per topic (same-key order holds within one). Default 4. */
  readonly partitions?: number;
  readonly logger?: BusLogger;
  readonly retryBackoff?: RetryBackoffPolicy;
  /** Backoff while a handler meets an infrastructure error (no attempt limit). Default INFRA_RETRY_BACKOFF. */
  readonly infraRetryBackoff?: RetryBackoffPolicy;
  /** Oldest records beyond this are dropped from a partition nobody has consumed. Default 100,000. */
  readonly maxRetainedPerPartition?: number;
}

/** What `createBus` takes: a service picks the adapter from its validated env, never by `instanceof`. */
export type BusConfig =
  | ({
      readonly kind: 'kafka';
      /** Prefix of every topic and consumer group on the broker (namespaced.bus.ts); empty = none. */
      readonly topicPrefix?: string;
      /** Topics shared by every region, under their own prefix (regions only; namespaced.bus.ts). */
      readonly globalTopics?: { readonly prefix: string; readonly topics: ReadonlySet<string> };
    } & KafkaBusConfig)
  | ({ readonly kind: 'in-process' } & InProcessBusConfig);
