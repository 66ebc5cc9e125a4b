import type { InProcessBusConfig } from './bus.config';
import type { RetryBackoffPolicy } from './bus.constants';
import { INFRA_RETRY_BACKOFF, IN_PROCESS, RETRY_BACKOFF } from './bus.constants';
import { BusClosedError, DlqTopicNotFoundError } from './bus.errors';
import type { BusLogger } from './bus.logger';
import { consoleBusLogger, errorFields } from './bus.logger';
import type {
  Bus,
  BusRecord,
  ConsumerLag,
  DlqReplayRequest,
  DlqReplayResult,
  RecordHandler,
  SubscriptionOptions,
} from './bus.port';
import {
  assertReplayRequest,
  deadLetterId,
  describeReplayed,
  replayHeaders,
  selectForReplay,
  sourceTopicOf,
} from './dlq-replay';
import { metrics } from '@sms/metrics';
import { DLQ_HEADERS, dlqTopicOf } from './bus.port';
import { abortableSleep } from './abortable-sleep.util';
import type { DecodedValue } from './json.codec';
import { toFrozenJsonValue } from './json.codec';
import { partitionForKey } from './murmur2.partitioner';
import type { DeadLetter, RawRecord } from './partition-batch.processor';
import { processPartitionBatch } from './partition-batch.processor';
import type { ResolvedSubscription } from './subscription-options.util';
import { resolveSubscription } from './subscription-options.util';
import { assertTopicName } from './topic-name.util';
import { countPublished } from './bus.metrics';
import { isTracingActive, startProducerSpan, withTraceHeaders } from '@sms/tracing';

/**
 * A record as the in-process log keeps it: the value deep-frozen once at publish (json.codec.ts), so every
 * group and every attempt gets the same object without a parse, and its JSON text made only when a dead
 * letter or a replay needs it.
 */
class StoredRecord {
  readonly decoded: DecodedValue;
  private encoded: string | undefined;

  constructor(
    readonly key: string,
    readonly value: unknown,
    readonly headers: Readonly<Record<string, string>>,
    /** When it was appended (ms since the epoch), as Kafka's record timestamp: a DLQ replay selects by it. */
    readonly timestamp: number,
    text?: string,
  ) {
    this.decoded = { ok: true, value };
    this.encoded = text;
  }

  /** The UTF-8 JSON text a Kafka copy would carry (the value is plain JSON data, so this cannot throw). */
  get text(): string {
    this.encoded ??= JSON.stringify(this.value);

    return this.encoded;
  }
}

/** A stored record handed to a partition batch; `value` is its text, made only if a dead letter asks. */
class InProcessRawRecord implements RawRecord {
  readonly key: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly decoded: DecodedValue;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: string,
    readonly stored: StoredRecord,
  ) {
    this.key = stored.key;
    this.headers = stored.headers;
    this.decoded = stored.decoded;
  }

  get value(): string {
    return this.stored.text;
  }
}

/** Wakes a waiting partition worker; the next wait() after a notify() is a fresh one. */
class Signal {
  private waiters: (() => void)[] = [];

  wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((wake) => wake());
  }
}

/** One partition's log: offsets grow forever, the front is trimmed once every group has passed it. */
class PartitionLog {
  readonly appended = new Signal();
  private records: StoredRecord[] = [];
  /** Index of the first live record in `records`; trimming moves it and compacts now and then (O(1) amortised). */
  private head = 0;
  private base = 0;

  get startOffset(): number {
    return this.base;
  }

  get endOffset(): number {
    return this.base + this.records.length - this.head;
  }

  append(record: StoredRecord): void {
    this.records.push(record);
    this.appended.notify();
  }

  read(from: number, max: number): readonly StoredRecord[] {
    const start = this.head + from - this.base;

    return this.records.slice(start, start + max);
  }

  /** Drops everything before `offset`. */
  trimTo(offset: number): void {
    const count = Math.min(Math.max(0, offset - this.base), this.records.length - this.head);
    this.head += count;
    this.base += count;
    if (this.head > 1_024 && this.head * 2 > this.records.length) {
      this.records = this.records.slice(this.head);
      this.head = 0;
    }
  }
}

interface Member extends ResolvedSubscription {
  readonly handler: RecordHandler;
}

/** A consumer group's state on one topic: its committed position per partition and its members. */
interface GroupTopic {
  readonly groupId: string;
  readonly topic: string;
  readonly committed: number[];
  readonly members: Member[];
}

interface TopicLog {
  readonly partitions: readonly PartitionLog[];
  /** Every group that ever subscribed: retention keeps a record until all of them committed past it. */
  readonly groups: GroupTopic[];
}

/**
 * The bus in one process (embedded mode), with Kafka's semantics: keyed partitions (Kafka's murmur2, so a
 * key's partition number matches a Kafka topic with as many partitions), per-key order, consumer groups
 * with committed positions, retention from the earliest offset for late groups, and the same retry/DLQ
 * path, because partitions run through the same processor as the Kafka adapter.
 *
 * It is not durable: what is unconsumed at close() or at a crash is gone. That is the embedded mode's
 * documented trade-off; the outbox still holds anything a service had not published.
 */
/** `messaging.system` of this adapter's spans: no semantic-convention value names an in-process log. */
const IN_PROCESS_SYSTEM = 'in-process';
/** A waiting publisher also looks again this often, whatever wakes it (a group that subscribes late, say). */
const CAPACITY_RECHECK_MS = 250;

export class InProcessBus implements Bus {
  private readonly topics = new Map<string, TopicLog>();
  private readonly groups = new Map<string, GroupTopic>();
  private readonly workers: Promise<void>[] = [];
  private readonly stopping = new AbortController();
  private readonly logger: BusLogger;
  private readonly backoff: RetryBackoffPolicy;
  private readonly infraBackoff: RetryBackoffPolicy;
  private readonly partitions: number;
  private readonly maxRetained: number;
  private closing: Promise<void> | undefined;
  private closed = false;
  /** Woken when a consumed partition is trimmed while a publisher waits for capacity. */
  private readonly trimmed = new Signal();
  private capacityWaiters = 0;
  /** The replay ledger of this process: ids of dead letters already put back (dlq-replay.ts). */
  private readonly replayedDeadLetters = new Set<string>();

  constructor(config: InProcessBusConfig = {}) {
    this.logger = config.logger ?? consoleBusLogger;
    this.backoff = config.retryBackoff ?? RETRY_BACKOFF;
    this.infraBackoff = config.infraRetryBackoff ?? INFRA_RETRY_BACKOFF;
    this.partitions = config.partitions ?? IN_PROCESS.partitions;
    this.maxRetained = config.maxRetainedPerPartition ?? IN_PROCESS.maxRetainedPerPartition;
    if (!Number.isInteger(this.partitions) || this.partitions < 1) {
      throw new RangeError(`partitions must be a positive integer, got ${this.partitions}`);
    }
  }

  async publish(records: readonly BusRecord[]): Promise<void> {
    if (this.closed) {
      throw new BusClosedError();
    }
    records.forEach((record) => assertTopicName(record.topic));
    // PRODUCER spans as on Kafka, so both modes draw the same trace; none at all with tracing off.
    const spans = isTracingActive()
      ? records.map((record) => startProducerSpan(IN_PROCESS_SYSTEM, record.topic, record.headers))
      : undefined;
    try {
      // Encode all first: a bad value fails the call with nothing appended, as on Kafka.
      const encoded = records.map((record, index) => ({
        topic: record.topic,
        stored: new StoredRecord(
          record.key,
          toFrozenJsonValue(record.value),
          Object.freeze({ ...(spans ? spans[index]?.headers : withTraceHeaders(record.headers)) }),
          Date.now(),
        ),
      }));
      for (const { topic, stored } of encoded) {
        this.append(topic, stored);
      }
    } catch (error) {
      spans?.forEach((span) => span.end(error));
      throw error;
    }
    spans?.forEach((span) => span.end());
    countPublished(records);
  }

  async subscribe(options: SubscriptionOptions): Promise<void> {
    if (this.closing) {
      throw new BusClosedError();
    }
    const member: Member = { handler: options.handler, ...resolveSubscription(options) };
    for (const topic of new Set(options.topics)) {
      const id = `${options.groupId}\u0000${topic}`;
      const existing = this.groups.get(id);
      if (existing) {
        // A second member of the group shares its partitions (each record still reaches the group once).
        existing.members.push(member);
        continue;
      }
      const log = this.topicLog(topic);
      const group: GroupTopic = {
        groupId: options.groupId,
        topic,
        committed: log.partitions.map((partition) => partition.startOffset),
        members: [member],
      };
      this.groups.set(id, group);
      log.groups.push(group);
      log.partitions.forEach((_, partition) => this.workers.push(this.runPartition(group, partition)));
    }
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();

    return this.closing;
  }

  async isReady(): Promise<boolean> {
    return !this.closing;
  }

  async consumerLag(): Promise<readonly ConsumerLag[]> {
    return [...this.groups.values()].flatMap((group) => {
      const log = this.topics.get(group.topic) as TopicLog;

      return log.partitions.map((partition, index) => ({
        groupId: group.groupId,
        topic: group.topic,
        partition: index,
        lag: partition.endOffset - Math.max(group.committed[index] as number, partition.startOffset),
        groupLeader: true,
      }));
    });
  }

  async replayDeadLetters(request: DlqReplayRequest): Promise<DlqReplayResult> {
    assertReplayRequest(request);
    if (this.closing) {
      throw new BusClosedError();
    }
    const log = this.topics.get(request.dlqTopic);
    if (!log) {
      throw new DlqTopicNotFoundError(request.dlqTopic);
    }
    const dlq = log.partitions.flatMap((partitionLog, partition) =>
      partitionLog
        .read(partitionLog.startOffset, partitionLog.endOffset - partitionLog.startOffset)
        .map((stored, index) => ({
          stored,
          key: stored.key,
          headers: stored.headers,
          timestamp: stored.timestamp,
          partition,
          offset: String(partitionLog.startOffset + index),
        })),
    );
    const selection = selectForReplay(request, dlq, this.replayedDeadLetters);
    if (!request.dryRun) {
      for (const record of selection.toReplay) {
        this.append(
          sourceTopicOf(request.dlqTopic, record.headers),
          new StoredRecord(
            record.key,
            record.stored.value,
            Object.freeze(replayHeaders(request.dlqTopic, record)),
            Date.now(),
          ),
        );
        this.replayedDeadLetters.add(deadLetterId(request.dlqTopic, record.partition, record.offset));
      }
      if (selection.toReplay.length > 0) {
        metrics.busDlqReplayed.inc({ topic: request.dlqTopic }, selection.toReplay.length);
      }
    }

    return {
      dlqTopic: request.dlqTopic,
      dryRun: request.dryRun ?? false,
      replayed: selection.toReplay.map((record) => describeReplayed(request.dlqTopic, record)),
      alreadyReplayed: selection.alreadyReplayed,
      remaining: selection.remaining,
    };
  }

  /**
   * Waits while a consumed partition holds more than the cap (records no group has read yet are never
   * dropped, so the cap bounds memory only through the publishers that call this).
   */
  async awaitCapacity(signal?: AbortSignal): Promise<void> {
    const until = signal ? AbortSignal.any([signal, this.stopping.signal]) : this.stopping.signal;
    while (this.overCap() && !until.aborted) {
      this.capacityWaiters++;
      try {
        await Promise.race([this.trimmed.wait(), abortableSleep(CAPACITY_RECHECK_MS, until)]);
      } finally {
        this.capacityWaiters--;
      }
    }
  }

  private overCap(): boolean {
    for (const [topic, log] of this.topics) {
      if (log.groups.length === 0 || topic.endsWith('.dlq')) {
        continue;
      }
      if (log.partitions.some((partition) => partition.endOffset - partition.startOffset > this.maxRetained)) {
        return true;
      }
    }

    return false;
  }

  private async shutdown(): Promise<void> {
    this.stopping.abort();
    this.trimmed.notify();
    for (const log of this.topics.values()) {
      log.partitions.forEach((partition) => partition.appended.notify());
    }
    // In-flight handlers finish (and may still publish) before publish() starts refusing.
    await Promise.all(this.workers);
    this.closed = true;
  }

  private topicLog(topic: string): TopicLog {
    let log = this.topics.get(topic);
    if (!log) {
      log = { partitions: Array.from({ length: this.partitions }, () => new PartitionLog()), groups: [] };
      this.topics.set(topic, log);
    }

    return log;
  }

  private append(topic: string, record: StoredRecord): void {
    const log = this.topicLog(topic);
    const partition = partitionForKey(record.key, log.partitions.length);
    const partitionLog = log.partitions[partition] as PartitionLog;
    partitionLog.append(record);
    // Records a group has yet to read are never dropped (they may be accepted messages): the cap holds for
    // them through awaitCapacity. A topic nobody consumes, and a DLQ, keep the newest up to the cap.
    const unread = log.groups.length > 0 && !topic.endsWith('.dlq');
    if (!unread && partitionLog.endOffset - partitionLog.startOffset > this.maxRetained) {
      partitionLog.trimTo(partitionLog.endOffset - this.maxRetained);
      this.logger.warn('In-process retention cap reached; oldest record dropped', { topic, partition });
    }
  }

  /**
   * Retention: keep a record until every group that ever subscribed to the topic committed past it. A DLQ
   * keeps its records whoever read them (up to the cap), as a Kafka DLQ keeps them for its retention time,
   * so that they can still be replayed.
   */
  private trim(topic: string, partition: number): void {
    const log = this.topics.get(topic);
    if (!log || log.groups.length === 0 || topic.endsWith('.dlq')) {
      return;
    }
    const low = Math.min(...log.groups.map((group) => group.committed[partition] as number));
    (log.partitions[partition] as PartitionLog).trimTo(low);
    if (this.capacityWaiters > 0) {
      this.trimmed.notify();
    }
  }

  private async runPartition(group: GroupTopic, partition: number): Promise<void> {
    const log = (this.topics.get(group.topic) as TopicLog).partitions[partition] as PartitionLog;
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      // A position below the log start means the cap dropped records: resume at the earliest, as Kafka does.
      const position = Math.max(group.committed[partition] as number, log.startOffset);
      if (position >= log.endOffset) {
        await log.appended.wait();
        continue;
      }
      const readFrom = (from: number, max: number): InProcessRawRecord[] =>
        log
          .read(from, max)
          .map((stored, index) => new InProcessRawRecord(group.topic, partition, String(from + index), stored));
      const records = readFrom(position, IN_PROCESS.maxBatchRecords);
      // Partitions are spread over the members, as a Kafka group assignment would (looked up per batch,
      // so a member joining later takes over some partitions from the next batch on).
      const member = group.members[partition % group.members.length] as Member;
      let next = position + records.length;
      try {
        await processPartitionBatch(records, {
          more: {
            // Records appended while the batch runs (only subscriptions with keyConcurrency > 1 ask).
            take: (max) => {
              const arrived = readFrom(next, max);
              next += arrived.length;

              return arrived;
            },
            arrival: () => log.appended.wait(),
          },
          handler: member.handler,
          maxAttempts: member.maxAttempts,
          messagingSystem: IN_PROCESS_SYSTEM,
          concurrency: member.concurrency,
          keyConcurrency: member.keyConcurrency,
          ignores: member.ignores,
          backoff: this.backoff,
          infraBackoff: this.infraBackoff,
          logger: this.logger,
          shouldStop: () => signal.aborted,
          onDone: (record) => {
            group.committed[partition] = Number(record.offset) + 1;
          },
          deadLetter: async (letter) => this.deadLetter(letter),
          heartbeat: async () => undefined,
          sleep: (ms) => abortableSleep(ms, signal),
        });
        // Once per batch rather than per record: trimming is memory only, and the batch's offsets are in.
        this.trim(group.topic, partition);
      } catch (error) {
        // Only a bug can get here (in-process DLQ writes do not fail); keep the partition alive.
        this.logger.error('In-process partition batch failed', {
          groupId: group.groupId,
          topic: group.topic,
          partition,
          ...errorFields(error),
        });
        await abortableSleep(this.backoff.initialMs, signal);
      }
    }
  }

  private deadLetter({ record, error, attempts }: DeadLetter<InProcessRawRecord>): void {
    const { stored } = record;
    this.append(
      dlqTopicOf(record.topic),
      new StoredRecord(
        stored.key,
        stored.value,
        Object.freeze({
          ...record.headers,
          [DLQ_HEADERS.error]: error,
          [DLQ_HEADERS.sourceTopic]: record.topic,
          [DLQ_HEADERS.sourcePartition]: String(record.partition),
          [DLQ_HEADERS.sourceOffset]: record.offset,
          [DLQ_HEADERS.attempts]: String(attempts),
        }),
        Date.now(),
      ),
    );
  }
}
