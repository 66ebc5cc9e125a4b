export * from './key-value.store';
export * from './memory.store';
export * from './redis.store';
export * from './price-book';
export * from './send-gate';
export * from './number-owners';
