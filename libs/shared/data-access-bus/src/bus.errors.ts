import { NonRetriableError } from './bus.port';

/** publish() or subscribe() after close(): the caller raced shutdown and must not assume delivery. */
export class BusClosedError extends Error {
  override readonly name = 'BusClosedError';

  constructor() {
    super('The bus is closed');
  }
}

/** A record value that JSON cannot represent (undefined, a function, a BigInt, a cycle). */
export class BusSerializationError extends Error {
  override readonly name = 'BusSerializationError';
}

/**
 * By name as well as by class: a handler bundled with its own copy of this lib (or Jest's per-file module
 * registry) throws a NonRetriableError that fails `instanceof` against ours.
 */
export const isNonRetriable = (error: unknown): boolean =>
  error instanceof NonRetriableError || (error instanceof Error && error.name === 'NonRetriableError');
