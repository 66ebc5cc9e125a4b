import { randomUUID } from 'node:crypto';
import type {
  Admin,
  Consumer,
  EachBatchPayload,
  IHeaders,
  ITopicConfig,
  KafkaMessage,
  LogEntry,
  Message,
  Producer,
  TopicPartitionOffsetAndMetadata,
} from 'kafkajs';
import { Kafka, logLevel } from 'kafkajs';
import type { KafkaBusConfig } from './bus.config';
import { kafkajsSecurityOptions, PLAINTEXT_KAFKA } from './kafka-security';
import type { RetryBackoffPolicy } from './bus.constants';
import {
  CONSUMER_RESTART,
  INFRA_RETRY_BACKOFF,
  KAFKA_CONSUMER,
  KAFKA_GROWING_RUN,
  OFFSET_COMMIT,
  PUBLISH_BATCH,
  READINESS,
  RETRY_BACKOFF,
  TOPIC_LEADER_WAIT,
} from './bus.constants';
import { BusClosedError, DeadLetterPublishError, DlqTopicNotFoundError } from './bus.errors';
import type { BusLogger } from './bus.logger';
import { consoleBusLogger, errorFields } from './bus.logger';
import type { Bus, BusRecord, ConsumerLag, DlqReplayRequest, DlqReplayResult, SubscriptionOptions } from './bus.port';
import {
  assertReplayRequest,
  deadLetterId,
  describeReplayed,
  DLQ_REPLAY_LEDGER_TOPIC,
  replayHeaders,
  selectForReplay,
  sourceTopicOf,
} from './dlq-replay';
import { metrics } from '@sms/metrics';
import { DLQ_HEADERS, dlqTopicOf } from './bus.port';
import { abortableSleep } from './abortable-sleep.util';
import { encodeValue } from './json.codec';
import type { DeadLetter, RawRecord } from './partition-batch.processor';
import { processPartitionBatch, retryDelayMs } from './partition-batch.processor';
import { createMurmur2Partitioner } from './murmur2.partitioner';
import type { CommitOffsets, SendCommit } from './offset-commit.coalescer';
import { OffsetCommitCoalescer } from './offset-commit.coalescer';
import { PublishBatcher } from './publish.batcher';
import { type ResolvedSubscription, resolveSubscription } from './subscription-options.util';
import { assertTopicName } from './topic-name.util';
import { countPublished } from './bus.metrics';
import { isTracingActive, startProducerSpan, withTraceHeaders } from '@sms/tracing';
import { fixKafkajsTimers } from './kafkajs-timers.fix';
import { useFastCrc32c } from './kafkajs-crc32c.fix';
import type { PartitionFetch } from './growing-partition.run';
import { GrowingPartitionRun } from './growing-partition.run';
import { BatchOffsets } from './batch-offsets';

fixKafkajsTimers();
useFastCrc32c();

export interface TopicSpec {
  readonly topic: string;
  readonly numPartitions: number;
  readonly configEntries?: ITopicConfig['configEntries'];
  /** Default: min(3, brokers in the cluster). kafkajs speaks CreateTopics ≤ v3, where -1 (broker default) is invalid. */
  readonly replicationFactor?: number;
}

export interface EnsureTopicsOptions {
  /** Also create `<topic>.dlq` (same partition count, broker-default config: never compacted). Default true. */
  readonly withDlq?: boolean;
}

interface OutboundMessage {
  readonly topic: string;
  readonly message: Message;
}

/** The Kafka copy of a record keeps the original value bytes, so a DLQ copy is byte-identical. */
interface KafkaRawRecord extends RawRecord {
  readonly rawValue: Buffer | null;
}

/** A record read back from a DLQ (or the replay ledger), with its write time. */
interface KafkaDeadLetter extends KafkaRawRecord {
  readonly timestamp: number;
}

/** The replay ledger: one small record per replayed dead letter, its key unique, so compaction keeps them all. */
const DLQ_REPLAY_LEDGER_SPEC: TopicSpec = {
  topic: DLQ_REPLAY_LEDGER_TOPIC,
  numPartitions: 1,
  configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
};

/** A bound on reading a DLQ to its end, so that a replay never hangs on a broker that stopped answering. */
const DLQ_REPLAY_READ_TIMEOUT_MS = 60_000;

interface Subscription {
  readonly consumer: Consumer;
  readonly groupId: string;
  readonly topics: readonly string[];
  /** The consumer's offset commits (offset-commit.coalescer.ts); close() sends what it deferred. */
  readonly commits: OffsetCommitCoalescer;
  /** Set when kafkajs crashed and will not restart it: the service can no longer consume. */
  dead: boolean;
  /** This member leads the group since its last join (the coordinator's choice); it exports the group's lag. */
  leader: boolean;
  /** Partitions running as growing batches (keyConcurrency > 1), by `topic|partition`. */
  readonly runs: Map<string, GrowingPartitionRun<KafkaRawRecord>>;
  /** Bumped when the group starts a rebalance and when this member joins: runs started before stop. */
  epoch: number;
  /** Bumped when this member joins: a run started in an earlier generation no longer commits. */
  joins: number;
}

/**
 * The bus on Kafka via kafkajs 2.2.4.
 *
 * Producer: acks=all and idempotent, with `maxInFlightRequests: 1`. kafkajs assigns idempotent sequence
 * numbers per request and *rolls them back* when a request fails; with a second request in flight the
 * broker would see a gap (OutOfOrderSequence) or a retried batch would overtake a later one and break
 * per-key order. The micro-batcher keeps one `sendBatch` in flight anyway; the connection limit makes the
 * same hold for DLQ writes and any future caller. After a failed send the producer is replaced: the rolled
 * back sequence may collide with a batch the broker did write, and the broker would then acknowledge the
 * next, different batch as a duplicate and drop it. A new producer id starts a clean sequence.
 *
 * Consumer (one per subscribe): manual commits of the contiguous done prefix (see partition-batch.processor),
 * a fresh group starts at the earliest offset (records published before the first deploy are not lost).
 */
export class KafkaBus implements Bus {
  private readonly kafka: Kafka;
  /** TLS and SASL options, the same for every client this bus creates. */
  private readonly connection: ReturnType<typeof kafkajsSecurityOptions>;
  private readonly logger: BusLogger;
  private readonly backoff: RetryBackoffPolicy;
  private readonly infraBackoff: RetryBackoffPolicy;
  private readonly batcher: PublishBatcher<OutboundMessage>;
  private readonly subscriptions: Subscription[] = [];
  private readonly subscribing = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private producer: Promise<Producer> | undefined;
  private probeAdmin: Promise<Admin> | undefined;
  private readiness: { readonly at: number; readonly value: Promise<boolean> } | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly config: KafkaBusConfig) {
    this.logger = config.logger ?? consoleBusLogger;
    this.backoff = config.retryBackoff ?? RETRY_BACKOFF;
    this.infraBackoff = config.infraRetryBackoff ?? INFRA_RETRY_BACKOFF;
    this.connection = kafkajsSecurityOptions(config.security ?? PLAINTEXT_KAFKA);
    this.kafka = new Kafka({
      clientId: config.clientId,
      brokers: [...config.brokers],
      ...this.connection,
      connectionTimeout: 3_000,
      logLevel: logLevel.WARN,
      logCreator: () => (entry) => this.logKafkajs(entry),
    });
    this.batcher = new PublishBatcher((items) => this.sendBatch(items), {
      lingerMs: config.lingerMs ?? PUBLISH_BATCH.lingerMs,
      maxBatchRecords: config.maxBatchRecords ?? PUBLISH_BATCH.maxBatchRecords,
    });
  }

  async publish(records: readonly BusRecord[]): Promise<void> {
    records.forEach((record) => assertTopicName(record.topic));
    // A PRODUCER span per record while the broker takes it; none at all with tracing off (the hot path).
    const spans = isTracingActive() ? records.map((r) => startProducerSpan('kafka', r.topic, r.headers)) : undefined;
    try {
      // Encode everything before queueing anything: one bad value fails the whole call, nothing half-sent.
      const items = records.map((record, index): OutboundMessage => ({
        topic: record.topic,
        message: {
          key: record.key,
          value: encodeValue(record.value),
          headers: { ...(spans ? spans[index]?.headers : withTraceHeaders(record.headers)) },
        },
      }));
      await this.batcher.add(items);
    } catch (error) {
      spans?.forEach((span) => span.end(error));
      throw error;
    }
    spans?.forEach((span) => span.end());
    countPublished(records);
  }

  subscribe(options: SubscriptionOptions): Promise<void> {
    if (this.closing) {
      return Promise.reject(new BusClosedError());
    }
    if (this.config.joinInBackground) {
      try {
        resolveSubscription(options);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      void this.track(this.joinUntilJoined(options));

      return Promise.resolve();
    }

    return this.track(this.startConsumer(options));
  }

  /** close() waits for subscribes in progress: a consumer.run() landing after stop() would keep consuming. */
  private track(subscribing: Promise<void>): Promise<void> {
    this.subscribing.add(subscribing);
    void subscribing.catch(() => undefined).finally(() => this.subscribing.delete(subscribing));

    return subscribing;
  }

  /** Tries to join until it did or the bus closes: a broker away at start delays consuming, not the process. */
  private async joinUntilJoined(options: SubscriptionOptions, afterTries = 0): Promise<void> {
    for (let tries = afterTries; !this.stopping.signal.aborted;) {
      if (tries > 0) {
        const delayMs = retryDelayMs(this.infraBackoff, tries);
        if (!(await abortableSleep(delayMs, this.stopping.signal))) {
          return;
        }
      }
      try {
        await this.startConsumer(options);

        return;
      } catch (error) {
        tries++;
        this.logger.warn('Kafka consumer could not join its group; trying again', {
          groupId: options.groupId,
          tries,
          ...errorFields(error),
        });
      }
    }
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();

    return this.closing;
  }

  isReady(): Promise<boolean> {
    if (this.closing) {
      return Promise.resolve(false);
    }
    if (this.subscriptions.some((subscription) => subscription.dead)) {
      return Promise.resolve(false);
    }
    const now = Date.now();
    if (!this.readiness || now - this.readiness.at >= READINESS.cacheMs) {
      this.readiness = { at: now, value: this.probe() };
    }

    return this.readiness.value;
  }

  /** At once: the broker's log, not this process's memory, holds a backlog (its retention is the operator's). */
  awaitCapacity(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Lag per partition from the broker's view (what KEDA's Kafka scaler sees too): the topic's high
   * watermark minus the group's committed offset. Asked on each scrape through the readiness admin
   * client, so it costs two small admin requests per subscribed topic and no consumer round trip.
   */
  consumerLag(): Promise<readonly ConsumerLag[]> {
    return this.lagOf(this.subscriptions);
  }

  /**
   * The same lag for any groups, subscribed here or not (a benchmark watching another process's consumers);
   * `groupLeader` only where a subscription of this process leads the group.
   */
  async lagOf(
    groups: readonly { groupId: string; topics: readonly string[]; leader?: boolean }[],
  ): Promise<readonly ConsumerLag[]> {
    if (this.closing || groups.length === 0) {
      return [];
    }
    this.probeAdmin ??= this.connectAdmin();
    const admin = await this.probeAdmin;
    const lags: ConsumerLag[] = [];
    for (const { groupId, topics, leader = false } of groups) {
      const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
      for (const { topic, partitions } of committed) {
        const ends = await admin.fetchTopicOffsets(topic);
        for (const end of ends) {
          const offset = Number(partitions.find((p) => p.partition === end.partition)?.offset ?? '-1');
          // -1: the group never committed on this partition; it will start from the earliest offset.
          const from = offset < 0 ? Number(end.low) : offset;
          lags.push({
            groupId,
            topic,
            partition: end.partition,
            lag: Math.max(0, Number(end.high) - from),
            groupLeader: leader,
          });
        }
      }
    }

    return lags;
  }

  /**
   * Creates missing topics and waits until every partition has a leader. kafkajs' own `waitForLeaders` is
   * skipped when any of the topics already existed (createTopics then returns false early), so the wait
   * is done here for all of them; an existing topic with another partition count is reported, not altered.
   */
  async ensureTopics(topics: readonly TopicSpec[], options: EnsureTopicsOptions = {}): Promise<void> {
    const wanted = new Map<string, TopicSpec>();
    for (const spec of topics) {
      wanted.set(spec.topic, spec);
      if ((options.withDlq ?? true) && !spec.topic.endsWith('.dlq')) {
        const dlq = dlqTopicOf(spec.topic);
        // A DLQ keeps what its topic keeps (numbers, message texts) for no longer than the topic: its retention.
        const retention = spec.configEntries?.filter((entry) => entry.name === 'retention.ms');
        wanted.set(dlq, {
          topic: dlq,
          numPartitions: spec.numPartitions,
          replicationFactor: spec.replicationFactor,
          ...(retention && retention.length > 0 ? { configEntries: retention } : {}),
        });
      }
    }
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = [...wanted.values()].filter((spec) => !existing.has(spec.topic));
      if (missing.length > 0) {
        const brokers = (await admin.describeCluster()).brokers.length;
        // Leaders are awaited below: kafkajs' own wait gives up on UNKNOWN_TOPIC_OR_PARTITION, which a busy
        // broker answers while the new topic's metadata is still propagating.
        await admin.createTopics({
          waitForLeaders: false,
          topics: missing.map((spec) => ({
            topic: spec.topic,
            numPartitions: spec.numPartitions,
            replicationFactor: spec.replicationFactor ?? Math.min(3, brokers),
            configEntries: spec.configEntries,
          })),
        });
      }
      await this.waitForLeaders(admin, [...wanted.values()]);
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Reads the DLQ and the replay ledger to their ends, then publishes the selected dead letters (value bytes
   * as they were, key, original headers) to their source topics together with their ledger entries, in the
   * same producer batches: a ledger entry is never sent before its record. A crash between the two can at
   * worst replay a record once more, which the consumers' idempotence absorbs.
   */
  async replayDeadLetters(request: DlqReplayRequest): Promise<DlqReplayResult> {
    assertReplayRequest(request);
    if (this.closing) {
      throw new BusClosedError();
    }
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      if (!(await admin.listTopics()).includes(request.dlqTopic)) {
        throw new DlqTopicNotFoundError(request.dlqTopic);
      }
      await this.ensureTopics([DLQ_REPLAY_LEDGER_SPEC], { withDlq: false });
      const [dlq, ledger] = await Promise.all([
        this.readToEnd(admin, request.dlqTopic),
        this.readToEnd(admin, DLQ_REPLAY_LEDGER_TOPIC),
      ]);
      const selection = selectForReplay(request, dlq, new Set(ledger.map((entry) => entry.key)));
      if (!request.dryRun && selection.toReplay.length > 0) {
        const replayedAt = new Date().toISOString();
        await this.batcher.add(
          selection.toReplay.flatMap((record): OutboundMessage[] => {
            const sourceTopic = sourceTopicOf(request.dlqTopic, record.headers);

            return [
              {
                topic: sourceTopic,
                message: {
                  key: record.key,
                  value: record.rawValue,
                  headers: { ...replayHeaders(request.dlqTopic, record) },
                },
              },
              {
                topic: DLQ_REPLAY_LEDGER_TOPIC,
                message: {
                  key: deadLetterId(request.dlqTopic, record.partition, record.offset),
                  value: JSON.stringify({ replayedAt, sourceTopic }),
                },
              },
            ];
          }),
        );
        metrics.busDlqReplayed.inc({ topic: request.dlqTopic }, selection.toReplay.length);
      }

      return {
        dlqTopic: request.dlqTopic,
        dryRun: request.dryRun ?? false,
        replayed: selection.toReplay.map((record) => describeReplayed(request.dlqTopic, record)),
        alreadyReplayed: selection.alreadyReplayed,
        remaining: selection.remaining,
      };
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Every record of `topic` up to the end offsets it had when called, through a throw-away consumer group
   * that commits nothing and is deleted afterwards.
   */
  private async readToEnd(admin: Admin, topic: string): Promise<KafkaDeadLetter[]> {
    const ends = new Map<number, bigint>();
    for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
      if (BigInt(high) > BigInt(low)) {
        ends.set(partition, BigInt(high));
      }
    }
    if (ends.size === 0) {
      return [];
    }
    const pending = new Set(ends.keys());
    const records: KafkaDeadLetter[] = [];
    const groupId = `${this.config.clientId}.dlq-replay-reader.${randomUUID()}`;
    const consumer = this.kafka.consumer({ groupId, maxWaitTimeInMs: KAFKA_CONSUMER.maxWaitTimeMs });
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    let timer: NodeJS.Timeout | undefined;
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const end = ends.get(batch.partition) ?? 0n;
          for (const message of batch.messages) {
            if (BigInt(message.offset) < end) {
              records.push({ ...toRawRecord(topic, batch.partition, message), timestamp: Number(message.timestamp) });
            }
          }
          if (BigInt(batch.lastOffset()) + 1n >= end) {
            pending.delete(batch.partition);
            if (pending.size === 0) {
              finish();
            }
          }
        },
      });
      await Promise.race([
        finished,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            // ETIMEDOUT: an unresponsive broker, so callers treat it as the outage it is.
            () => reject(Object.assign(new Error(`Timed out reading ${topic} to its end`), { code: 'ETIMEDOUT' })),
            DLQ_REPLAY_READ_TIMEOUT_MS,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
      await consumer.disconnect();
      await admin.deleteGroups([groupId]).catch(() => undefined);
    }

    return records;
  }

  private async startConsumer(options: SubscriptionOptions): Promise<void> {
    const resolved = resolveSubscription(options);
    const consumer = this.createConsumer(options);
    // The consumer's partition batches share OffsetCommit requests, and a batch that ends soon after the last
    // request leaves its offset for the next one (offset-commit.coalescer.ts).
    const commits = new OffsetCommitCoalescer(OFFSET_COMMIT.intervalMs, (error) =>
      this.logger.warn('Deferred offset commit failed; the records will be delivered again', {
        groupId: options.groupId,
        ...errorFields(error),
      }),
    );
    const subscription: Subscription = {
      consumer,
      groupId: options.groupId,
      topics: [...options.topics],
      commits,
      dead: false,
      leader: false,
      runs: new Map(),
      epoch: 0,
      joins: 0,
    };
    this.watchConsumer(subscription, options);
    this.subscriptions.push(subscription);
    await this.connectSubscription(subscription);
    await this.runSubscription(subscription, options.handler, resolved);
  }

  private createConsumer(options: SubscriptionOptions): Consumer {
    const restart = this.config.restart ?? CONSUMER_RESTART;
    const restarts: number[] = [];

    return this.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: this.config.sessionTimeoutMs ?? KAFKA_CONSUMER.sessionTimeoutMs,
      heartbeatInterval: KAFKA_CONSUMER.heartbeatIntervalMs,
      maxWaitTimeInMs: options.fetch?.maxWaitMs ?? this.config.maxWaitTimeMs ?? KAFKA_CONSUMER.maxWaitTimeMs,
      ...(options.fetch ? { minBytes: options.fetch.minBytes } : {}),
      retry: {
        // kafkajs restarts a crashed consumer on every retriable error, forever; bound it (see CONSUMER_RESTART).
        restartOnFailure: async () => {
          const now = Date.now();
          while (restarts.length > 0 && (restarts[0] as number) < now - restart.windowMs) {
            restarts.shift();
          }
          restarts.push(now);

          return restarts.length <= restart.maxRestarts;
        },
      },
    });
  }

  /** Keeps the subscription's state (dead, leader, epoch) in step with the consumer's group events. */
  private watchConsumer(subscription: Subscription, options: SubscriptionOptions): void {
    const { consumer, commits } = subscription;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.logger.error('Kafka consumer crashed', {
        groupId: payload.groupId,
        restart: payload.restart,
        ...errorFields(payload.error),
      });
      subscription.dead = !payload.restart;
      subscription.leader = false;
      if (subscription.dead) {
        commits.discard();
      }
      if (subscription.dead && this.config.joinInBackground && !this.closing) {
        // kafkajs gave up on this consumer (and disconnected it): a new one joins once the cause is gone.
        this.subscriptions.splice(this.subscriptions.indexOf(subscription), 1);
        void this.track(this.joinUntilJoined(options, 1));
      }
    });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      subscription.dead = false;
      subscription.leader = payload.isLeader;
      subscription.epoch++;
      subscription.joins++;
    });
    // Best effort before the partitions move: offsets a finished batch deferred go with this generation, so
    // the next owner does not repeat those records (the broker takes commits while the group prepares).
    consumer.on(consumer.events.REBALANCING, () => {
      subscription.epoch++;
      void commits
        .flushNow((offsets) => consumer.commitOffsets(toTopicPartitionOffsets(offsets)))
        .catch(() => undefined);
    });
  }

  private async connectSubscription(subscription: Subscription): Promise<void> {
    const { consumer } = subscription;
    try {
      await consumer.connect();
      // Earliest for a new group, like the in-process bus: records published before the service's first
      // deploy are consumed, not skipped.
      await consumer.subscribe({ topics: [...subscription.topics], fromBeginning: true });
    } catch (error) {
      this.subscriptions.splice(this.subscriptions.indexOf(subscription), 1);
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
  }

  private async runSubscription(
    subscription: Subscription,
    handler: SubscriptionOptions['handler'],
    { maxAttempts, concurrency, keyConcurrency, ignores }: ResolvedSubscription,
  ): Promise<void> {
    const { consumer, commits } = subscription;
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently:
        this.config.partitionsConsumedConcurrently ?? KAFKA_CONSUMER.partitionsConsumedConcurrently,
      eachBatch: (payload) =>
        (keyConcurrency > 1 ? this.consumeGrowing.bind(this, subscription) : this.consumeBatch.bind(this))(payload, {
          handler,
          maxAttempts,
          concurrency,
          keyConcurrency,
          ignores,
          heartbeatInterval: KAFKA_CONSUMER.heartbeatIntervalMs,
          commits,
          commitLater: (offsets) => consumer.commitOffsets(toTopicPartitionOffsets(offsets)),
        }),
    });
  }

  /**
   * A partition of a `keyConcurrency` > 1 subscription: the fetch is fed to the partition's growing run
   * (growing-partition.run.ts), which it starts when none takes records, and returns once the run has room,
   * so kafkajs fetches the next records while this fetch's handlers still run.
   */
  private async consumeGrowing(
    subscription: Subscription,
    payload: EachBatchPayload,
    options: ConsumeOptions,
  ): Promise<void> {
    const { batch } = payload;
    const key = `${batch.topic}|${batch.partition}`;
    const fetch = fetchOf(payload);
    let run = subscription.runs.get(key);
    if (run && !run.accepting) {
      // A run that stopped (a rebalance, a rewind) finishes first: two runs of one partition would start
      // the same record twice in this process.
      await run.ended.catch(() => undefined);
      run = subscription.runs.get(key);
    }
    if (this.stopping.signal.aborted || !fetch.isRunning() || fetch.isStale() || batch.messages.length === 0) {
      return;
    }
    const records = batch.messages.map((message) => toRawRecord(batch.topic, batch.partition, message));
    if (run?.accepting) {
      run.feed(records, fetch);
    } else {
      run = this.startGrowingRun(subscription, key, records, fetch, payload, options);
    }
    // The fetch position moves past what the run now holds; commits cover only its done prefix.
    payload.resolveOffset(batch.lastOffset());
    await run.room();
  }

  private startGrowingRun(
    subscription: Subscription,
    key: string,
    records: readonly KafkaRawRecord[],
    fetch: PartitionFetch,
    payload: EachBatchPayload,
    options: ConsumeOptions,
  ): GrowingPartitionRun<KafkaRawRecord> {
    const { topic, partition } = payload.batch;
    const epoch = subscription.epoch;
    const joins = subscription.joins;
    const commitOffsets: SendCommit = (offsets) => payload.commitOffsetsIfNecessary(offsets);
    let lastCommitAt = Date.now();
    const run: GrowingPartitionRun<KafkaRawRecord> = new GrowingPartitionRun(
      records,
      fetch,
      KAFKA_GROWING_RUN.maxHeld,
      {
        batch: this.batchSettings(options),
        revoked: () => this.stopping.signal.aborted || subscription.epoch !== epoch,
        onDone: async (record, end) => {
          if (subscription.joins !== joins) {
            // Another generation owns the partition now; its next owner starts from the group's offset.
            return;
          }
          const next = (BigInt(record.offset) + 1n).toString();
          if (!end.final) {
            if (Date.now() - lastCommitAt >= OFFSET_COMMIT.intervalMs) {
              lastCommitAt = Date.now();
              await options.commits.commit(topic, partition, next, commitOffsets);
            }

            return;
          }
          if (end.completed && options.commits.sentRecently() && !this.stopping.signal.aborted) {
            options.commits.defer(topic, partition, next, options.commitLater);

            return;
          }
          await options.commits.commit(topic, partition, next, commitOffsets).catch((error: unknown) =>
            this.logger.warn('Offset commit failed; the records will be delivered again', {
              topic,
              partition,
              offset: record.offset,
              ...errorFields(error),
            }),
          );
        },
        rewind: (offset) => {
          try {
            subscription.consumer.seek({ topic, partition, offset });
          } catch (error) {
            this.logger.warn('Could not rewind a partition; its records come again after a rebalance', {
              topic,
              partition,
              offset,
              ...errorFields(error),
            });
          }
        },
      },
    );
    subscription.runs.set(key, run);
    void run.ended
      .catch((error: unknown) =>
        this.logger.warn('Partition run stopped; its unfinished records will be delivered again', {
          topic,
          partition,
          ...errorFields(error),
        }),
      )
      .finally(() => {
        if (subscription.runs.get(key) === run) {
          subscription.runs.delete(key);
        }
      });

    return run;
  }

  /** A partition batch of a subscription that runs one record per key at a time: run it, then commit its offsets. */
  private async consumeBatch(payload: EachBatchPayload, options: ConsumeOptions): Promise<void> {
    const { batch } = payload;
    const records = batch.messages.map((message) => toRawRecord(batch.topic, batch.partition, message));
    const offsets = new BatchOffsets(payload, options.commits, options.commitLater);
    const fetch = fetchOf(payload);
    let completed = false;
    try {
      await processPartitionBatch(records, {
        ...this.batchSettings(options),
        shouldStop: () => this.stopping.signal.aborted || !fetch.isRunning() || fetch.isStale(),
        onDone: (record) => offsets.done(record.offset),
        heartbeat: () => payload.heartbeat(),
      });
      completed = true;
    } finally {
      const deferrable = completed && !this.stopping.signal.aborted && fetch.isRunning() && !fetch.isStale();
      await offsets.finish(deferrable, (offset, error) =>
        this.logger.warn('Offset commit failed; the records will be delivered again', {
          topic: batch.topic,
          partition: batch.partition,
          offset,
          ...errorFields(error),
        }),
      );
    }
  }

  /** What every partition batch of a subscription is run with, whatever its fetch. */
  private batchSettings(options: ConsumeOptions) {
    return {
      handler: options.handler,
      maxAttempts: options.maxAttempts,
      concurrency: options.concurrency,
      keyConcurrency: options.keyConcurrency,
      ignores: options.ignores,
      backoff: this.backoff,
      infraBackoff: this.infraBackoff,
      logger: this.logger,
      deadLetter: (letter: DeadLetter<KafkaRawRecord>) => this.publishDeadLetter(letter),
      heartbeatEveryMs: options.heartbeatInterval,
      sleep: (ms: number) => abortableSleep(ms, this.stopping.signal),
    };
  }

  private async publishDeadLetter({ record, error, attempts }: DeadLetter<KafkaRawRecord>): Promise<void> {
    const dlqTopic = dlqTopicOf(record.topic);
    await this.batcher
      .add([
        {
          topic: dlqTopic,
          message: {
            key: record.key,
            value: record.rawValue,
            headers: {
              ...record.headers,
              [DLQ_HEADERS.error]: error,
              [DLQ_HEADERS.sourceTopic]: record.topic,
              [DLQ_HEADERS.sourcePartition]: String(record.partition),
              [DLQ_HEADERS.sourceOffset]: record.offset,
              [DLQ_HEADERS.attempts]: String(attempts),
            },
          },
        },
      ])
      .catch((cause: unknown) => {
        throw new DeadLetterPublishError(dlqTopic, cause);
      });
  }

  private async sendBatch(items: readonly OutboundMessage[]): Promise<void> {
    const producer = await this.connectedProducer();
    // One entry per topic, records in call order: same key → same partition, so per-key order holds.
    const byTopic = new Map<string, Message[]>();
    for (const { topic, message } of items) {
      const messages = byTopic.get(topic) ?? [];
      messages.push(message);
      byTopic.set(topic, messages);
    }
    try {
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
    } catch (error) {
      this.logger.error('Kafka publish failed; replacing the producer', {
        records: items.length,
        ...errorFields(error),
      });
      this.producer = undefined;
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
  }

  private connectedProducer(): Promise<Producer> {
    if (!this.producer) {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        // kafkajs' DefaultPartitioner placement (Java-compatible murmur2), computed without its per-record
        // Long arithmetic and partition filtering (murmur2.partitioner.ts).
        createPartitioner: createMurmur2Partitioner,
      });
      const connecting = producer.connect().then(() => producer);
      connecting.catch(() => {
        if (this.producer === connecting) {
          this.producer = undefined;
        }
      });
      this.producer = connecting;
    }

    return this.producer;
  }

  private async probe(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('describeCluster timed out')), READINESS.timeoutMs);
    });
    try {
      this.probeAdmin ??= this.connectAdmin();
      const admin = await Promise.race([this.probeAdmin, timeout]);
      await Promise.race([admin.describeCluster(), timeout]);

      return true;
    } catch (error) {
      this.logger.warn('Kafka readiness probe failed', errorFields(error));

      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  private connectAdmin(): Promise<Admin> {
    // A client of its own: `admin({ retry })` does not reach connect(), which uses the *client's* retry
    // (5 tries, ~12 s against a dead broker) and would keep close() waiting. The probe has its own deadline
    // and runs again a second later, and reports failures itself, so kafkajs' connection errors are muted.
    const probeClient = new Kafka({
      clientId: `${this.config.clientId}-readiness`,
      brokers: [...this.config.brokers],
      ...this.connection,
      connectionTimeout: READINESS.timeoutMs,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    });
    const admin = probeClient.admin();
    const connecting = admin.connect().then(() => admin);
    connecting.catch(() => {
      this.probeAdmin = undefined;
    });

    return connecting;
  }

  private async waitForLeaders(admin: Admin, specs: readonly TopicSpec[]): Promise<void> {
    const deadline = Date.now() + TOPIC_LEADER_WAIT.timeoutMs;
    for (;;) {
      try {
        const { topics } = await admin.fetchTopicMetadata({ topics: specs.map((spec) => spec.topic) });
        if (topics.every((topic) => topic.partitions.length > 0 && topic.partitions.every((p) => p.leader >= 0))) {
          for (const spec of specs) {
            const actual = topics.find((topic) => topic.name === spec.topic)?.partitions.length;
            if (actual !== spec.numPartitions) {
              this.logger.warn('Topic exists with another partition count', {
                topic: spec.topic,
                expected: spec.numPartitions,
                actual,
              });
            }
          }

          return;
        }
      } catch (error) {
        // UNKNOWN_TOPIC_OR_PARTITION right after creation: metadata has not propagated yet.
        if (Date.now() > deadline) {
          throw error;
        }
      }
      if (Date.now() > deadline) {
        throw new Error(`Timed out waiting for leaders of ${specs.map((spec) => spec.topic).join(', ')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, TOPIC_LEADER_WAIT.pollMs));
    }
  }

  private async shutdown(): Promise<void> {
    // Ends backoff sleeps and stops new records; in-flight handlers finish and may still publish.
    this.stopping.abort();
    await Promise.allSettled([...this.subscribing]);
    // Growing runs stop taking records and finish their handlers; their done prefix is committed below.
    await Promise.allSettled(this.subscriptions.flatMap(({ runs }) => [...runs.values()].map((run) => run.ended)));
    const stopped = await Promise.allSettled(
      this.subscriptions.map(async ({ consumer, commits }) => {
        // Offsets deferred by finished batches go now, while the consumer is still a member of its group.
        await commits
          .flushNow((offsets) => consumer.commitOffsets(toTopicPartitionOffsets(offsets)))
          .catch((error: unknown) =>
            this.logger.warn('Offset commit failed on close; the records will be delivered again', errorFields(error)),
          );
        // stop() waits for the running eachBatch, which commits its done prefix before returning.
        await consumer.stop();
        await consumer.disconnect();
      }),
    );
    for (const result of stopped) {
      if (result.status === 'rejected') {
        this.logger.error('Kafka consumer did not stop cleanly', errorFields(result.reason));
      }
    }
    await this.batcher.close();
    const producer = this.producer;
    const admin = this.probeAdmin;
    this.producer = undefined;
    this.probeAdmin = undefined;
    await Promise.allSettled([producer?.then((p) => p.disconnect()), admin?.then((a) => a.disconnect())]);
  }

  private logKafkajs({ level, log }: LogEntry): void {
    const { message, timestamp: _timestamp, logger: _logger, ...context } = log;
    const text = `kafkajs: ${message}`;
    if (level === logLevel.ERROR) {
      this.logger.error(text, context);
    } else if (level === logLevel.WARN) {
      this.logger.warn(text, context);
    } else if (level === logLevel.INFO) {
      this.logger.info(text, context);
    } else {
      this.logger.debug(text, context);
    }
  }
}

interface ConsumeOptions {
  readonly handler: SubscriptionOptions['handler'];
  readonly maxAttempts: number;
  readonly concurrency: number;
  readonly keyConcurrency: number;
  readonly ignores: SubscriptionOptions['ignores'];
  readonly heartbeatInterval: number;
  readonly commits: OffsetCommitCoalescer;
  /** The consumer's own commit, for an offset deferred past the end of its batch. */
  readonly commitLater: SendCommit;
}

/**
 * A fetch's view for a growing run. kafkajs answers isStale() (a seek happened) by JSON-encoding a map key
 * on every call, and a run asks before every record: once a millisecond is soon enough to stop after a seek.
 */
function fetchOf(payload: EachBatchPayload): PartitionFetch {
  let checkedAt = Number.NEGATIVE_INFINITY;
  let stale = false;

  return {
    heartbeat: () => payload.heartbeat(),
    isRunning: () => payload.isRunning(),
    isStale: () => {
      const now = performance.now();
      if (!stale && now - checkedAt >= 1) {
        checkedAt = now;
        stale = payload.isStale();
      }

      return stale;
    },
  };
}

/** The coalescer's commit request in the shape of kafkajs' consumer.commitOffsets(). */
function toTopicPartitionOffsets({ topics }: CommitOffsets): TopicPartitionOffsetAndMetadata[] {
  return topics.flatMap(({ topic, partitions }) =>
    partitions.map(({ partition, offset }) => ({ topic, partition, offset })),
  );
}

function toRawRecord(topic: string, partition: number, message: KafkaMessage): KafkaRawRecord {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString('utf8') ?? '',
    value: message.value?.toString('utf8') ?? null,
    rawValue: message.value,
    headers: decodeHeaders(message.headers),
  };
}

/** Kafka allows repeated header names; kafkajs then gives an array, and the last value wins here. */
function decodeHeaders(headers: IHeaders | undefined): Readonly<Record<string, string>> {
  const decoded: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value !== undefined) {
      decoded[name] = value.toString();
    }
  }

  return Object.freeze(decoded);
}
