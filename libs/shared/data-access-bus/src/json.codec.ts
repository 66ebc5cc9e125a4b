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

/** Marks a value the plain-data walk cannot copy with JSON's exact semantics. */
const NOT_PLAIN = Symbol('not plain JSON data');
/** Deeper than this the walk gives up and lets JSON.stringify decide (it reports cycles). */
const MAX_PLAIN_DEPTH = 64;

/**
 * What a handler would get from `JSON.parse(JSON.stringify(value))`, deep-frozen, so that the in-process
 * bus can hand one value to every group and every attempt without re-parsing it, and no handler can edit
 * what another one sees. Plain data (plain objects, arrays, strings, finite numbers, booleans, null) is
 * copied and frozen in one walk, which is cheaper than encoding and parsing; anything JSON would change (a
 * Date, an undefined property, a class instance, toJSON, NaN, -0, a `__proto__` key) takes the JSON round
 * trip itself, so both adapters give a handler the same data. Throws BusSerializationError as encodeValue.
 */
export function toFrozenJsonValue(value: unknown): unknown {
  const copy = copyPlain(value, 0);

  return copy === NOT_PLAIN ? deepFreeze(JSON.parse(encodeValue(value)) as unknown) : copy;
}

function copyPlain(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0) ? value : NOT_PLAIN;
    case 'object':
      break;
    case 'bigint':
    case 'function':
    case 'symbol':
    case 'undefined':
      return NOT_PLAIN;
  }
  if (value === null) {
    return null;
  }
  if (depth >= MAX_PLAIN_DEPTH) {
    return NOT_PLAIN;
  }
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) {
      return NOT_PLAIN;
    }
    const copy = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const item = copyPlain(value[i], depth + 1);
      if (item === NOT_PLAIN) {
        return NOT_PLAIN;
      }
      copy[i] = item;
    }

    return Object.freeze(copy);
  }
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) {
    return NOT_PLAIN;
  }
  const source = value as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    if (key === '__proto__' || key === 'toJSON') {
      return NOT_PLAIN;
    }
    const item = copyPlain(source[key], depth + 1);
    if (item === NOT_PLAIN) {
      return NOT_PLAIN;
    }
    copy[key] = item;
  }

  return Object.freeze(copy);
}

function deepFreeze(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const item of Object.values(value)) {
      deepFreeze(item);
    }
    Object.freeze(value);
  }

  return value;
}
