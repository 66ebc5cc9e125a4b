import type { Bus, BusRecord, ConsumerLag, DlqReplayRequest, DlqReplayResult, SubscriptionOptions } from './bus.port';
import type { EnsureTopicsOptions, KafkaBus, TopicSpec } from './kafka.bus';

export interface GlobalTopics {
  readonly prefix: string;
  readonly topics: ReadonlySet<string>;
}

/**
 * One gateway's topics and consumer groups under a prefix on a shared Kafka cluster (KAFKA_TOPIC_PREFIX):
 * `sms.send.v1` is `<prefix>sms.send.v1` on the broker, group `router` is `<prefix>router`. Two gateways
 * (a test run beside a developer's, the fault suite beside the e2e specs) then neither read each other's
 * records nor take each other's partitions in a rebalance. Services keep using the plain names: records
 * reach handlers, and lag is reported, under the names the code knows.
 */
export class NamespacedBus implements Bus {
  constructor(
    private readonly inner: Bus,
    private readonly prefix: string,
    /**
     * Topics every region shares (docs/regions.md): under this prefix instead, so each region's services
     * read and write the same records (the opt-out ledger). Consumer groups stay under `prefix`.
     */
    private readonly global: GlobalTopics | null = null,
  ) {}

  publish(records: readonly BusRecord[]): Promise<void> {
    return this.inner.publish(records.map((record) => ({ ...record, topic: this.onBroker(record.topic) })));
  }

  subscribe(options: SubscriptionOptions): Promise<void> {
    return this.inner.subscribe({
      ...options,
      groupId: this.prefix + options.groupId,
      topics: options.topics.map((topic) => this.onBroker(topic)),
      handler: (record) => options.handler({ ...record, topic: this.strip(record.topic) }),
    });
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  isReady(): Promise<boolean> {
    return this.inner.isReady();
  }

  awaitCapacity(signal?: AbortSignal): Promise<void> {
    return this.inner.awaitCapacity(signal);
  }

  async consumerLag(): Promise<readonly ConsumerLag[]> {
    return (await this.inner.consumerLag()).map((lag) => ({
      ...lag,
      groupId: this.strip(lag.groupId),
      topic: this.strip(lag.topic),
    }));
  }

  /** Dead letters of this gateway's topics only: the DLQ and the source topics it names are prefixed. */
  async replayDeadLetters(request: DlqReplayRequest): Promise<DlqReplayResult> {
    const result = await this.inner.replayDeadLetters({ ...request, dlqTopic: this.onBroker(request.dlqTopic) });

    return {
      ...result,
      dlqTopic: this.strip(result.dlqTopic),
      replayed: result.replayed.map((record) => ({ ...record, sourceTopic: this.strip(record.sourceTopic) })),
    };
  }

  /** Topic administration (ensureTopicsIfKafka), under the prefix. */
  async ensureTopics(topics: readonly TopicSpec[], options?: EnsureTopicsOptions): Promise<void> {
    const admin = this.inner as Partial<Pick<KafkaBus, 'ensureTopics'>>;
    await admin.ensureTopics?.(
      topics.map((spec) => ({ ...spec, topic: this.onBroker(spec.topic) })),
      options,
    );
  }

  /** A topic's name on the broker: a global topic (or its `.dlq`) under the global prefix, any other under ours. */
  private onBroker(topic: string): string {
    if (this.global !== null && this.global.topics.has(topic.replace(/\.dlq$/, ''))) {
      return this.global.prefix + topic;
    }

    return this.prefix + topic;
  }

  private strip(name: string): string {
    if (this.global !== null && name.startsWith(this.global.prefix)) {
      const plain = name.slice(this.global.prefix.length);
      if (this.global.topics.has(plain.replace(/\.dlq$/, ''))) {
        return plain;
      }
    }

    return name.startsWith(this.prefix) ? name.slice(this.prefix.length) : name;
  }
}
