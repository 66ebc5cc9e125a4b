export * from './bus.port';
export * from './bus.config';
export * from './bus.constants';
export * from './bus.errors';
export * from './bus.logger';
export * from './bus.factory';
export { KafkaBus } from './kafka.bus';
export {
  KAFKA_SASL_MECHANISMS,
  type KafkaSaslMechanism,
  type KafkaSecurity,
  type KafkaSecuritySettings,
  KafkaSecurityError,
  kafkaSecurityFromEnv,
  kafkaSecurityOf,
  kafkaSecurityProblems,
  kafkajsSecurityOptions,
  PLAINTEXT_KAFKA,
} from './kafka-security';
export { NamespacedBus } from './namespaced.bus';
export { ensureTopicsIfKafka } from './ensure-topics';
export type { EnsureTopicsOptions, TopicSpec } from './kafka.bus';
export { InProcessBus } from './in-process.bus';
export { partitionForKey } from './murmur2.partitioner';
export {
  DLQ_REPLAY_LEDGER_TOPIC,
  DLQ_REPLAY_MAX_LIMIT,
  DLQ_REPLAYED_FROM_HEADER,
  assertReplayRequest,
  DlqReplayRequestError,
} from './dlq-replay';
export { classifyHandlerError, isInfrastructureError, type HandlerErrorClass } from './infrastructure-error';
export * from './abortable-sleep.util';
export { exportConsumerLag, lagGroupLabel } from './bus.metrics';
