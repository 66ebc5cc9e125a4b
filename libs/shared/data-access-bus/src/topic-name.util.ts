import { dlqTopicOf } from './bus.port';

/** Kafka's own rule (Topic.validate): 1-249 chars of ASCII letters, digits, '.', '_' and '-'. */
const LEGAL_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

/**
 * Checked before a record is queued: an illegal name inside a coalesced sendBatch would fail every other
 * caller's records in that batch too. Both adapters check, so an embedded run fails like a distributed one.
 */
export function assertTopicName(topic: string): void {
  if (!LEGAL_TOPIC.test(topic) || topic === '.' || topic === '..') {
    throw new RangeError(`Illegal Kafka topic name: ${JSON.stringify(topic)}`);
  }
}

/** A subscribed topic must leave room for its `.dlq`, or its first poison record would stall the partition. */
export function assertSubscribableTopic(topic: string): void {
  assertTopicName(topic);
  assertTopicName(dlqTopicOf(topic));
}
