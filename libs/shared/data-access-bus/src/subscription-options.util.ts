import { SUBSCRIPTION_DEFAULTS } from './bus.constants';
import type { SubscriptionOptions } from './bus.port';
import { assertSubscribableTopic } from './topic-name.util';

export interface ResolvedSubscription {
  readonly maxAttempts: number;
  readonly concurrency: number;
  readonly keyConcurrency: number;
  readonly ignores?: SubscriptionOptions['ignores'];
}

/** Both adapters fail the same way on a bad option, at subscribe time rather than on the first record. */
export function resolveSubscription(options: SubscriptionOptions): ResolvedSubscription {
  if (options.groupId.length === 0) {
    throw new RangeError('groupId must not be empty');
  }
  if (options.topics.length === 0) {
    throw new RangeError('topics must not be empty');
  }
  options.topics.forEach(assertSubscribableTopic);

  return {
    maxAttempts: positiveInteger('maxAttempts', options.maxAttempts ?? SUBSCRIPTION_DEFAULTS.maxAttempts),
    concurrency: positiveInteger('concurrency', options.concurrency ?? SUBSCRIPTION_DEFAULTS.concurrency),
    keyConcurrency: positiveInteger('keyConcurrency', options.keyConcurrency ?? SUBSCRIPTION_DEFAULTS.keyConcurrency),
    ...(options.ignores ? { ignores: options.ignores } : {}),
  };
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }

  return value;
}
