import type { Bus } from './bus.port';
import type { EnsureTopicsOptions, KafkaBus, TopicSpec } from './kafka.bus';

/**
 * Creates topics that need settings of their own (compacted state topics) before anyone reads or writes
 * them: a broker that auto-creates topics would otherwise make them with its defaults (one partition, delete
 * policy), and a consumer subscribing to a topic that does not exist yet fails its first metadata request.
 * The in-process bus needs nothing. Safe to call from every process that uses the topic, concurrently.
 */
export async function ensureTopicsIfKafka(
  bus: Bus,
  topics: readonly TopicSpec[],
  options?: EnsureTopicsOptions,
): Promise<void> {
  // Duck-typed: only the Kafka adapter administers topics.
  const admin = bus as Partial<Pick<KafkaBus, 'ensureTopics'>>;
  if (typeof admin.ensureTopics === 'function') {
    await admin.ensureTopics(topics, options);
  }
}
