/**
 * Kafka records produced and consumed during a run, from the broker's own offsets: end offsets of the
 * run's topics (produced) and committed offsets of the run's consumer groups (consumed), both under the
 * run's KAFKA_TOPIC_PREFIX, so nothing else on a shared broker is counted and no client needs a hook.
 */
import { randomBytes } from 'node:crypto';
import { type Admin, Kafka, logLevel } from 'kafkajs';

export interface OffsetSnapshot {
  /** `topic/partition` → end offset (high watermark). */
  readonly ends: Record<string, number>;
  /** `group/topic/partition` → committed offset (-1 when none). */
  readonly committed: Record<string, number>;
}

export class KafkaOffsets {
  private readonly admin: Admin;
  private connected = false;

  constructor(
    brokers: string,
    private readonly prefix: string,
  ) {
    const kafka = new Kafka({
      clientId: `bench-e2e-offsets-${randomBytes(3).toString('hex')}`,
      brokers: brokers.split(','),
      logLevel: logLevel.NOTHING,
    });
    this.admin = kafka.admin();
  }

  async snapshot(): Promise<OffsetSnapshot> {
    await this.connect();
    const topics = (await this.admin.listTopics()).filter((t) => t.startsWith(this.prefix));
    const ends: Record<string, number> = {};
    for (const topic of topics) {
      for (const { partition, high } of await this.admin.fetchTopicOffsets(topic)) {
        ends[`${topic}/${partition}`] = Number(high);
      }
    }
    const groups = (await this.admin.listGroups()).groups
      .map((g) => g.groupId)
      .filter((g) => g.startsWith(this.prefix));
    const committed: Record<string, number> = {};
    for (const groupId of groups) {
      for (const { topic, partitions } of await this.admin.fetchOffsets({ groupId, topics })) {
        for (const { partition, offset } of partitions) {
          committed[`${groupId}/${topic}/${partition}`] = Number(offset);
        }
      }
    }

    return { ends, committed };
  }

  /** Deletes the run's topics, so a shared broker does not keep every bench run's partitions. */
  async deleteTopics(): Promise<void> {
    await this.connect();
    const topics = (await this.admin.listTopics()).filter((t) => t.startsWith(this.prefix));
    if (topics.length > 0) {
      await this.admin.deleteTopics({ topics, timeout: 10_000 });
    }
  }

  async close(): Promise<void> {
    if (this.connected) {
      await this.admin.disconnect();
    }
  }

  private async connect(): Promise<void> {
    if (!this.connected) {
      await this.admin.connect();
      this.connected = true;
    }
  }
}
