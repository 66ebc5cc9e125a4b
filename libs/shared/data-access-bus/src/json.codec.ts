import { BusSerializationError } from './bus.errors';

/**
 * Both adapters put the same bytes on the bus: UTF-8 JSON text. Serialising (rather than structuredClone)
 * in the in-process bus too means a Date arrives as an ISO string and a Map as `{}` on either adapter, so
 * a handler that works embedded also works distributed.
 */
export function encodeValue(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new BusSerializationError(`Record value is not JSON-serialisable: ${(error as Error).message}`);
  }
  // JSON.stringify returns undefined (not a string) for undefined, functions and symbols.
  if (text === undefined) {
    throw new BusSerializationError(`Record value is not JSON-serialisable: ${typeof value}`);
  }

  return text;
}

export type DecodedValue =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

/** A null value (tombstone) or broken text from a foreign producer is not JSON: the caller dead-letters it. */
export function decodeValue(text: string | null): DecodedValue {
  if (text === null) {
    return { ok: false, error: 'NonRetriableError: record value is null, not JSON' };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: `NonRetriableError: record value is not JSON: ${(error as Error).message}` };
  }
}
