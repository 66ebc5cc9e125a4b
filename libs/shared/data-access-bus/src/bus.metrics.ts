import { metrics } from '@sms/metrics';

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
