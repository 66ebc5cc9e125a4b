import { NonRetriableError } from './bus.port';

/** publish() or subscribe() after close(): the caller raced shutdown and must not assume delivery. */
export class BusClosedError extends Error {
  override readonly name = 'BusClosedError';

  constructor() {
    super('The bus is closed');
  }
}

/**
 * A handler gave up on a record it had not started working on, because its process is shutting down (a
 * send waiting for its rate slot). The record is not done: the bus neither retries nor dead-letters it, the
 * batch ends before it, and the record is delivered again after the restart. By name as well as by class,
 * for the same reason as {@link isNonRetriable}.
 */
export class HandlerStoppedError extends Error {
  override readonly name = 'HandlerStoppedError';
}

export const isHandlerStopped = (error: unknown): boolean =>
  error instanceof HandlerStoppedError || (error instanceof Error && error.name === 'HandlerStoppedError');

/** A record value that JSON cannot represent (undefined, a function, a BigInt, a cycle). */
export class BusSerializationError extends Error {
  override readonly name = 'BusSerializationError';
}

/**
 * By name as well as by class: a handler bundled with its own copy of this lib (or Jest's per-file module
 * registry) throws a NonRetriableError that fails `instanceof` against ours. Errors from libraries that
 * cannot depend on the bus (the contracts' ContractViolationError) declare `nonRetriable: true` instead.
 */
export const isNonRetriable = (error: unknown): boolean =>
  error instanceof NonRetriableError ||
  (error instanceof Error &&
    (error.name === 'NonRetriableError' || (error as Error & { nonRetriable?: unknown }).nonRetriable === true));

/**
 * A DLQ write failed, so the record is neither handled nor parked and the batch must stop uncommitted.
 * Marked retriable on purpose: kafkajs treats a KafkaJSNonRetriableError thrown from eachBatch (which is what
 * the producer throws for, say, an invalid topic) as fatal and crashes the consumer with no restart. Wrapped,
 * kafkajs re-runs the batch a few times, then crashes *with* a restart, bounded by CONSUMER_RESTART.
 */
export class DeadLetterPublishError extends Error {
  override readonly name = 'DeadLetterPublishError';
  readonly retriable = true;

  constructor(
    readonly dlqTopic: string,
    override readonly cause: unknown,
  ) {
    super(`Could not publish to ${dlqTopic}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** A DLQ replay named a DLQ topic that does not exist (nothing was ever dead-lettered there). */
export class DlqTopicNotFoundError extends Error {
  override readonly name = 'DlqTopicNotFoundError';

  constructor(readonly dlqTopic: string) {
    super(`No DLQ topic ${dlqTopic}`);
  }
}
