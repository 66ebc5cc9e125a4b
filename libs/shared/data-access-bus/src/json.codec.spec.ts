import { BusSerializationError } from './bus.errors';
import { decodeValue, encodeValue, toFrozenJsonValue } from './json.codec';

const roundTrip = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

function expectDeepFrozen(value: unknown): void {
  if (typeof value === 'object' && value !== null) {
    expect(Object.isFrozen(value)).toBe(true);
    Object.values(value).forEach(expectDeepFrozen);
  }
}

class Money {
  constructor(
    readonly amount: string,
    readonly currency: string,
  ) {}
}

describe('toFrozenJsonValue', () => {
  const plain: [string, unknown][] = [
    ['null', null],
    ['a string', 'héllo \ud83d\ude00'],
    ['a number', 42.5],
    ['a boolean', false],
    ['an array', [1, 'two', null, [3]]],
    ['a status event', { eventId: 'e1', status: 'sent', attempt: 1, price: { amount: '0.01', currency: 'USD' } }],
    ['integer-like keys in JSON order', { b: 1, 10: 'x', 2: 'y', a: [] }],
    ['an object without a prototype', Object.assign(Object.create(null) as object, { n: 1 })],
  ];
  const changedByJson: [string, unknown][] = [
    ['a Date', { at: new Date('2026-12-06T21:00:00.000Z') }],
    ['an undefined property', { a: 1, b: undefined }],
    ['an undefined array item and a hole', [undefined, , 1]],
    ['NaN, Infinity and -0', [Number.NaN, Number.POSITIVE_INFINITY, -0]],
    ['a class instance', { price: new Money('1', 'EUR') }],
    ['toJSON', { v: { toJSON: () => 'custom' } }],
    ['a data field named toJSON', { toJSON: 'x' }],
    ['a __proto__ key', JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as unknown],
    ['a function property', { a: 1, f: () => 1 }],
    ['a Map', { m: new Map([[1, 2]]) }],
  ];

  it.each([...plain, ...changedByJson])('gives what a JSON round trip gives for %s', (_, value) => {
    const frozen = toFrozenJsonValue(value);
    expect(frozen).toEqual(roundTrip(value));
    expect(JSON.stringify(frozen)).toBe(encodeValue(value));
    expectDeepFrozen(frozen);
  });

  it('never shares or freezes the caller’s objects', () => {
    const value = { nested: { n: 1 }, list: [{ m: 2 }] };
    const frozen = toFrozenJsonValue(value) as typeof value;
    expect(frozen.nested).not.toBe(value.nested);
    expect(Object.isFrozen(value)).toBe(false);
    expect(Object.isFrozen(value.nested)).toBe(false);
    value.nested.n = 9;
    expect(frozen.nested.n).toBe(1);
  });

  it('refuses an edit of the result in strict code', () => {
    const frozen = toFrozenJsonValue({ nested: { n: 1 } }) as { nested: { n: number } };
    expect(() => {
      frozen.nested.n = 2;
    }).toThrow(TypeError);
  });

  it('keeps a __proto__ key a plain property, as JSON.parse does, without touching prototypes', () => {
    const frozen = toFrozenJsonValue(JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(frozen)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('throws BusSerializationError where encodeValue does', () => {
    const cycle: Record<string, unknown> = {};
    cycle['self'] = cycle;
    expect(() => toFrozenJsonValue(cycle)).toThrow(BusSerializationError);
    expect(() => toFrozenJsonValue({ n: 1n })).toThrow(BusSerializationError);
    expect(() => toFrozenJsonValue(undefined)).toThrow(BusSerializationError);
    expect(() => toFrozenJsonValue(() => 1)).toThrow(BusSerializationError);
  });

  it('handles nesting deeper than the plain walk by the JSON round trip', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 200; i++) {
      deep = { d: deep };
    }
    const frozen = toFrozenJsonValue(deep);
    expect(frozen).toEqual(deep);
    expectDeepFrozen(frozen);
  });

  it('round-trips through decodeValue like the Kafka path', () => {
    const value = { a: [1, { b: 'c' }], d: null };
    expect(decodeValue(JSON.stringify(toFrozenJsonValue(value)))).toEqual({ ok: true, value });
  });
});
