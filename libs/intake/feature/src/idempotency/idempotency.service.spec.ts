import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MemoryKeyValueStore } from '@sms/counters';
import { createServiceDataSource } from '@sms/persistence';
import { ApiError } from '@sms/platform';
import type { DataSource } from 'typeorm';
import { IdempotencyKeyEntity } from '../database/entities/idempotency-key.entity';
import { INTAKE_ENTITIES } from '../database/intake.schema';
import { IDEMPOTENCY_TTL_MS, IdempotencyService, stableStringify, type StoredResponse } from './idempotency.service';

const BODY = { to: '+447400123456', body: 'Hi', clientReference: 'order-42' };
const RESPONSE: StoredResponse = { status: 202, body: { id: 'm-1', status: 'queued', note: 'a:b:c' } };

/** The ApiError a promise rejects with; fails the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) {
    throw new Error(`resolved: ${JSON.stringify(outcome.value)}`);
  }
  expect(outcome.error).toBeInstanceOf(ApiError);

  return outcome.error as ApiError;
}

describe(stableStringify.name, () => {
  it.each<[string, unknown, unknown]>([
    ['top-level keys', { a: 1, b: 2 }, { b: 2, a: 1 }],
    ['nested keys', { x: { a: 1, b: [1, { d: 1, c: 2 }] } }, { x: { b: [1, { c: 2, d: 1 }], a: 1 } }],
    ['unicode keys', { é: 1, z: 2 }, { z: 2, é: 1 }],
  ])('ignores the order of %s', (_name, left, right) => {
    expect(stableStringify(left)).toBe(stableStringify(right));
  });

  it.each<[string, unknown, unknown]>([
    ['array order', [1, 2], [2, 1]],
    ['a value', { a: 1 }, { a: 2 }],
    ['a number and a string', { a: 1 }, { a: '1' }],
    ['null and a missing key', { a: null }, {}],
    ['JSON smuggled into a string', { a: 'b', c: 'd' }, { a: 'b","c":"d' }],
  ])('tells apart %s', (_name, left, right) => {
    expect(stableStringify(left)).not.toBe(stableStringify(right));
  });

  it.each<[unknown, string]>([
    [{ b: [true, null], a: 'x"y' }, '{"a":"x\\"y","b":[true,null]}'],
    ['text', '"text"'],
    [42, '42'],
    [null, 'null'],
    [undefined, 'null'],
    [[], '[]'],
    [{}, '{}'],
  ])('writes %p as %s', (value, expected) => {
    expect(stableStringify(value)).toBe(expected);
  });
});

describe('IdempotencyService.fingerprint', () => {
  it('is a SHA-256 hex digest that ignores key order', () => {
    const fingerprint = IdempotencyService.fingerprint(BODY);

    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(IdempotencyService.fingerprint({ clientReference: 'order-42', body: 'Hi', to: '+447400123456' })).toBe(
      fingerprint,
    );
    expect(IdempotencyService.fingerprint({ ...BODY, body: 'Hi!' })).not.toBe(fingerprint);
  });
});

describe('IdempotencyService.validateKey', () => {
  it.each([
    ['one character', 'k'],
    ['255 characters', 'k'.repeat(255)],
    ['a UUID', '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5'],
    ['every printable ASCII character', Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('')],
  ])('accepts %s', (_name, key) => {
    expect(() => IdempotencyService.validateKey(key)).not.toThrow();
  });

  it.each([
    ['an empty key', ''],
    ['256 characters', 'k'.repeat(256)],
    ['non-ASCII', 'clé-1'],
    ['an emoji', 'key-😀'],
    ['a line feed', 'key\n1'],
    ['a tab', 'key\t1'],
    ['DEL', 'key\u007f'],
    ['NUL', 'key\u0000'],
  ])('refuses %s with 400 INVALID_IDEMPOTENCY_KEY', (_name, key) => {
    expect(() => IdempotencyService.validateKey(key)).toThrow(
      expect.objectContaining({ status: 400, code: 'INVALID_IDEMPOTENCY_KEY' }),
    );
  });
});

describe(IdempotencyService.name, () => {
  let directory: string;
  let dataSource: DataSource;
  let clock: number;
  let kv: MemoryKeyValueStore;
  let sut: IdempotencyService;
  let keySeq = 0;
  let key: string;

  beforeAll(async () => {
    directory = mkdtempSync(path.join(tmpdir(), 'idempotency-spec-'));
    dataSource = await createServiceDataSource({
      service: 'intake',
      database: { kind: 'sqlite', directory },
      entities: INTAKE_ENTITIES,
      migrations: [],
    }).initialize();
  });

  afterAll(async () => {
    await dataSource.destroy();
    rmSync(directory, { recursive: true, force: true });
  });

  beforeEach(() => {
    clock = Date.now();
    kv = new MemoryKeyValueStore(() => clock);
    sut = new IdempotencyService(kv, dataSource);
    key = `key-${++keySeq}`;
  });

  afterEach(async () => {
    await kv.close();
  });

  /** What LedgerWriter stores in the same transaction as the message. */
  const storeDurably = (scopeKey: string, body: unknown, expiresAt: Date): Promise<unknown> =>
    dataSource.getRepository(IdempotencyKeyEntity).insert({
      scopeKey,
      fingerprint: IdempotencyService.fingerprint(body),
      messageId: 'm-1',
      response: JSON.stringify(RESPONSE),
      expiresAt,
    });

  it('claims a new key, scoped to the caller', async () => {
    expect(await sut.claim('caller-a', key, BODY)).toEqual({
      kind: 'claimed',
      scopeKey: `caller-a:${key}`,
      fingerprint: IdempotencyService.fingerprint(BODY),
    });
  });

  it('refuses an invalid key before touching any store', async () => {
    expect(await rejection(sut.claim('caller-a', '', BODY))).toMatchObject({ code: 'INVALID_IDEMPOTENCY_KEY' });
    expect(await kv.get('idem:caller-a:')).toBeNull();
  });

  it('answers 409 with Retry-After to the same request while the first is in flight', async () => {
    await sut.claim('caller-a', key, BODY);

    expect(await rejection(sut.claim('caller-a', key, { ...BODY }))).toMatchObject({
      status: 409,
      code: 'IDEMPOTENCY_KEY_IN_FLIGHT',
      headers: { 'retry-after': '1' },
    });
  });

  it('answers 422 IDEMPOTENCY_KEY_REUSED to another body, in flight or completed', async () => {
    const claim = await sut.claim('caller-a', key, BODY);
    const other = { ...BODY, body: 'Hi!' };

    expect(await rejection(sut.claim('caller-a', key, other))).toMatchObject({
      status: 422,
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
    if (claim.kind !== 'claimed') {
      throw new Error('expected a claim');
    }
    await sut.complete(claim.scopeKey, claim.fingerprint, RESPONSE);
    expect(await rejection(sut.claim('caller-a', key, other))).toMatchObject({
      status: 422,
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
  });

  it('replays the first response once completed, whatever the key order of the body', async () => {
    const claim = await sut.claim('caller-a', key, BODY);
    if (claim.kind !== 'claimed') {
      throw new Error('expected a claim');
    }
    await sut.complete(claim.scopeKey, claim.fingerprint, RESPONSE);
    const reordered = { clientReference: 'order-42', body: 'Hi', to: '+447400123456' };

    expect(await sut.claim('caller-a', key, reordered)).toEqual({ kind: 'replay', response: RESPONSE });
    expect(await sut.claim('caller-a', key, BODY)).toEqual({ kind: 'replay', response: RESPONSE });
  });

  it('frees the key after a failed request, so the retry is a new request', async () => {
    const claim = await sut.claim('caller-a', key, BODY);
    if (claim.kind !== 'claimed') {
      throw new Error('expected a claim');
    }
    await sut.release(claim.scopeKey);

    expect(await sut.claim('caller-a', key, { ...BODY, body: 'fixed' })).toMatchObject({ kind: 'claimed' });
  });

  it('never shares a key between callers', async () => {
    const first = await sut.claim('caller-a', key, BODY);
    if (first.kind !== 'claimed') {
      throw new Error('expected a claim');
    }
    await sut.complete(first.scopeKey, first.fingerprint, RESPONSE);

    expect(await sut.claim('caller-b', key, { other: true })).toMatchObject({
      kind: 'claimed',
      scopeKey: `caller-b:${key}`,
    });
  });

  it('lets exactly one of 20 concurrent identical requests through', async () => {
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => sut.claim('caller-a', key, BODY)));
    const claimed = outcomes.filter((o) => o.status === 'fulfilled');
    const codes = outcomes.flatMap((o) => (o.status === 'rejected' ? [(o.reason as ApiError).code] : []));

    expect(claimed).toHaveLength(1);
    expect(codes).toEqual(Array.from({ length: 19 }, () => 'IDEMPOTENCY_KEY_IN_FLIGHT'));
  });

  it('frees the key of a crashed request once its in-flight marker expires (30 s)', async () => {
    await sut.claim('caller-a', key, BODY);
    clock += 29_999;
    expect((await rejection(sut.claim('caller-a', key, BODY))).status).toBe(409);

    clock += 2;
    expect(await sut.claim('caller-a', key, BODY)).toMatchObject({ kind: 'claimed' });
  });

  it('forgets a completed key after 24 h when no durable record is left', async () => {
    const claim = await sut.claim('caller-a', key, BODY);
    if (claim.kind !== 'claimed') {
      throw new Error('expected a claim');
    }
    await sut.complete(claim.scopeKey, claim.fingerprint, RESPONSE);
    clock += IDEMPOTENCY_TTL_MS - 1;
    expect((await sut.claim('caller-a', key, BODY)).kind).toBe('replay');

    clock += 2;
    expect((await sut.claim('caller-a', key, BODY)).kind).toBe('claimed');
  });

  describe('durable record (the cache lost, e.g. Redis restarted)', () => {
    it('replays from the database and warms the cache again', async () => {
      await storeDurably(`caller-a:${key}`, BODY, new Date(Date.now() + 60_000));

      expect(await sut.claim('caller-a', key, BODY)).toEqual({ kind: 'replay', response: RESPONSE });
      expect(await kv.get(`idem:caller-a:${key}`)).toBe(
        `done:${IdempotencyService.fingerprint(BODY)}:${JSON.stringify(RESPONSE)}`,
      );
    });

    it('refuses another body against the database record', async () => {
      await storeDurably(`caller-a:${key}`, BODY, new Date(Date.now() + 60_000));

      expect((await rejection(sut.claim('caller-a', key, { other: 1 }))).code).toBe('IDEMPOTENCY_KEY_REUSED');
    });

    it('ignores an expired database record and frees its key', async () => {
      await storeDurably(`caller-a:${key}`, BODY, new Date(Date.now() - 1_000));

      expect(await sut.claim('caller-a', key, { other: 1 })).toMatchObject({ kind: 'claimed' });
      expect(await dataSource.getRepository(IdempotencyKeyEntity).existsBy({ scopeKey: `caller-a:${key}` })).toBe(
        false,
      );
    });

    it("does not read another caller's record", async () => {
      await storeDurably(`caller-a:${key}`, BODY, new Date(Date.now() + 60_000));

      expect(await sut.claim('caller-b', key, BODY)).toMatchObject({ kind: 'claimed' });
    });
  });
});
