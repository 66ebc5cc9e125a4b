import { metrics } from '@sms/metrics';
import type { ConsumerLag } from './bus.port';

/** Counts records the bus accepted, per topic (one label set per distinct topic in the call). */
export function countPublished(records: readonly { readonly topic: string }[]): void {
  const perTopic = new Map<string, number>();
  for (const { topic } of records) {
    perTopic.set(topic, (perTopic.get(topic) ?? 0) + 1);
  }
  for (const [topic, count] of perTopic) {
    metrics.busRecordsPublished.inc({ topic }, count);
  }
}

/**
 * A group named `<name>.<uuid>` is a per-process reader (every replica reads a whole compacted topic under a
 * group of its own). Its lag is labelled `<name>`: a label per uuid would start new series on every restart.
 */
const PER_PROCESS_GROUP = /\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The `group` label of a consumer group's lag: stable across restarts (see PER_PROCESS_GROUP). */
export function lagGroupLabel(groupId: string): string {
  return groupId.replace(PER_PROCESS_GROUP, '');
}

/**
 * Replaces the `sms_consumer_lag` series with the groups this process leads (ConsumerLag.groupLeader):
 * each group's lag is exported by one process, so sums over replicas count it once, and a process that
 * lost the leadership stops exporting it at its next scrape.
 */
export function exportConsumerLag(lags: readonly ConsumerLag[]): void {
  metrics.consumerLag.reset();
  for (const { groupId, topic, partition, lag, groupLeader } of lags) {
    if (groupLeader) {
      metrics.consumerLag.set({ group: lagGroupLabel(groupId), topic, partition: String(partition) }, lag);
    }
  }
}
