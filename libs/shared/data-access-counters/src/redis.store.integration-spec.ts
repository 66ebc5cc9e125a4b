/**
 * One behaviour suite for the KeyValueStore port, run against the real Redis (unique key prefix per
 * run) and against the in-process MemoryKeyValueStore: the embedded and distributed modes must agree.
 */
import { randomUUID } from 'node:crypto';
import { Socket } from 'node:net';
import Redis from 'ioredis';
import type { KeyValueStore } from './key-value.store';
import { MemoryKeyValueStore } from './memory.store';
import { RedisKeyValueStore } from './redis.store';

jest.setTimeout(30_000);

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const PREFIX = `sms-it:${randomUUID().slice(0, 8)}:`;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function defineKeyValueStoreBehaviour(createStore: () => KeyValueStore): void {
  let store: KeyValueStore;
  let key: string;
  let seq = 0;
  beforeEach(() => {
    store = createStore();
    key = `key-${++seq}`;
  });
  afterEach(async () => {
    await store.close();
  });

  it('is ready', async () => {
    expect(await store.isReady()).toBe(true);
  });

  it('answers null for a key it never saw', async () => {
    expect(await store.get(key)).toBeNull();
  });

  it('sets a key only if absent: the first caller wins and the value stays', async () => {
    expect(await store.setIfAbsent(key, 'first', 10_000)).toBe(true);
    expect(await store.setIfAbsent(key, 'second', 10_000)).toBe(false);
    expect(await store.get(key)).toBe('first');
  });

  it('lets exactly one of 50 concurrent setIfAbsent calls win', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => store.setIfAbsent(key, `v${i}`, 10_000)));

    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.get(key)).toBe(`v${results.indexOf(true)}`);
  });

  it('does not let setIfAbsent take a key that set() wrote', async () => {
    await store.set(key, 'plain', 10_000);

    expect(await store.setIfAbsent(key, 'lock', 10_000)).toBe(false);
    expect(await store.get(key)).toBe('plain');
  });

  it('overwrites with set()', async () => {
    await store.setIfAbsent(key, 'inflight:abc', 10_000);
    await store.set(key, 'done:abc:{"status":202}', 10_000);

    expect(await store.get(key)).toBe('done:abc:{"status":202}');
  });

  it('frees a key on delete, and deleting a missing key is fine', async () => {
    await store.setIfAbsent(key, 'lock', 10_000);
    await store.delete(key);
    await store.delete(`${key}-never-set`);

    expect(await store.get(key)).toBeNull();
    expect(await store.setIfAbsent(key, 'again', 10_000)).toBe(true);
  });

  it('expires a setIfAbsent key after its TTL, so the lock can be taken again', async () => {
    expect(await store.setIfAbsent(key, 'lock', 150)).toBe(true);
    expect(await store.get(key)).toBe('lock');

    await sleep(400);
    expect(await store.get(key)).toBeNull();
    expect(await store.setIfAbsent(key, 'next', 10_000)).toBe(true);
    expect(await store.get(key)).toBe('next');
  });

  it('expires a set() key after its TTL, and a later set() starts a new TTL', async () => {
    await store.set(key, 'short', 150);
    await store.set(key, 'long', 10_000);
    await sleep(400);

    expect(await store.get(key)).toBe('long');
    await store.set(key, 'short again', 150);
    await sleep(400);
    expect(await store.get(key)).toBeNull();
  });

  it('take() answers the value once and deletes it: of concurrent takers exactly one gets it', async () => {
    await store.set(key, 'booking', 10_000);
    const taken = await Promise.all(Array.from({ length: 20 }, () => store.take(key)));

    expect(taken.filter((value) => value === 'booking')).toHaveLength(1);
    expect(taken.filter((value) => value === null)).toHaveLength(19);
    expect(await store.get(key)).toBeNull();
    expect(await store.take(`${key}-never-set`)).toBeNull();
  });

  it('incrementBy() counts up and down from 0 and answers the new value', async () => {
    expect(await store.incrementBy(key, 5, 10_000)).toBe(5);
    expect(await store.incrementBy(key, -7, 10_000)).toBe(-2);
    expect(await store.get(key)).toBe('-2');
  });

  it('incrementBy() gives a new counter its TTL and keeps an existing counter expiry', async () => {
    await store.incrementBy(key, 1, 300);
    await sleep(150);
    await store.incrementBy(key, 1, 10_000);
    await sleep(300);

    expect(await store.get(key)).toBeNull();
    expect(await store.incrementBy(key, 1, 10_000)).toBe(1);
  });

  it('incrementWithinLimits() adds to every counter when all stay within their limits', async () => {
    const checks = [
      { key: `${key}:a`, by: 2, limit: 3, ttlMs: 10_000 },
      { key: `${key}:b`, by: 5, limit: null, ttlMs: 10_000 },
    ];

    expect(await store.incrementWithinLimits(checks)).toBe(-1);
    expect([await store.get(`${key}:a`), await store.get(`${key}:b`)]).toEqual(['2', '5']);
  });

  it('incrementWithinLimits() changes nothing and names the first counter that would go over', async () => {
    await store.incrementBy(`${key}:b`, 9, 10_000);
    const checks = [
      { key: `${key}:a`, by: 1, limit: 100, ttlMs: 10_000 },
      { key: `${key}:b`, by: 2, limit: 10, ttlMs: 10_000 },
      { key: `${key}:c`, by: 1, limit: 0, ttlMs: 10_000 },
    ];

    expect(await store.incrementWithinLimits(checks)).toBe(1);
    expect([await store.get(`${key}:a`), await store.get(`${key}:b`), await store.get(`${key}:c`)]).toEqual([
      null,
      '9',
      null,
    ]);
    // Reaching the limit exactly is within it.
    expect(await store.incrementWithinLimits([{ key: `${key}:b`, by: 1, limit: 10, ttlMs: 10_000 }])).toBe(-1);
    expect(await store.get(`${key}:b`)).toBe('10');
  });

  it('incrementWithinLimits() with no limits applies negative and positive corrections in one call', async () => {
    await store.incrementBy(`${key}:day`, 45_000, 10_000);
    await store.incrementBy(`${key}:month`, 45_000, 10_000);
    const corrections = [
      { key: `${key}:day`, by: -5_000, limit: null, ttlMs: 10_000 },
      { key: `${key}:month`, by: -5_000, limit: null, ttlMs: 10_000 },
      { key: `${key}:new`, by: 7, limit: null, ttlMs: 10_000 },
    ];

    expect(await store.incrementWithinLimits(corrections)).toBe(-1);
    expect([await store.get(`${key}:day`), await store.get(`${key}:month`), await store.get(`${key}:new`)]).toEqual([
      '40000',
      '40000',
      '7',
    ]);
  });

  it('incrementWithinLimitsAndSet() adds and sets the marker only when every counter stays within its limit', async () => {
    const marker = { key: `${key}:booking`, value: '{"e":45000}', ttlMs: 10_000 };
    const checks = [
      { key: `${key}:a`, by: 1, limit: 1, ttlMs: 10_000 },
      { key: `${key}:b`, by: 45_000, limit: null, ttlMs: 10_000 },
    ];

    expect(await store.incrementWithinLimitsAndSet(checks, marker)).toEqual({ over: -1, set: true });
    expect(await store.get(marker.key)).toBe(marker.value);
    // Refused: nothing added, the marker left as it was (and never written for a refused request).
    const other = { ...marker, key: `${key}:other`, value: 'x' };
    expect(await store.incrementWithinLimitsAndSet(checks, other)).toEqual({ over: 0, set: false });
    expect([await store.get(`${key}:a`), await store.get(`${key}:b`), await store.get(other.key)]).toEqual([
      '1',
      '45000',
      null,
    ]);
  });

  it('incrementWithinLimitsAndSet() adds but keeps an existing marker, with its TTL', async () => {
    const marker = { key: `${key}:booking`, value: 'second', ttlMs: 10_000 };
    await store.set(marker.key, 'first', 300);

    expect(await store.incrementWithinLimitsAndSet([{ key, by: 2, limit: null, ttlMs: 10_000 }], marker)).toEqual({
      over: -1,
      set: false,
    });
    expect([await store.get(key), await store.get(marker.key)]).toEqual(['2', 'first']);
    await sleep(450);
    expect(await store.get(marker.key)).toBeNull();
  });

  it('incrementWithinLimits() lets exactly the limit through out of 60 concurrent callers', async () => {
    const results = await Promise.all(
      Array.from({ length: 60 }, () => store.incrementWithinLimits([{ key, by: 1, limit: 25, ttlMs: 10_000 }])),
    );

    expect(results.filter((r) => r === -1)).toHaveLength(25);
    expect(await store.get(key)).toBe('25');
  });

  it('addToSet() counts distinct members and expires the set from its first add', async () => {
    expect(await store.addToSet(key, '+447700900001', 300)).toBe(1);
    expect(await store.addToSet(key, '+447700900002', 300)).toBe(2);
    expect(await store.addToSet(key, '+447700900001', 300)).toBe(2);

    await sleep(500);
    expect(await store.addToSet(key, '+447700900003', 300)).toBe(1);
  });

  it('addToSetsUnlessGuarded() adds to every set and answers their sizes when no guard exists', async () => {
    await store.addToSet(`${key}:range`, '+447700900001', 10_000);
    const guards = [`${key}:block-range`, `${key}:block-country`];
    const sets = [`${key}:range`, `${key}:country`];

    expect(await store.addToSetsUnlessGuarded(guards, sets, '+447700900002', 10_000)).toEqual({
      guarded: false,
      sizes: [2, 1],
    });
    expect(await store.addToSetsUnlessGuarded(guards, sets, '+447700900002', 10_000)).toEqual({
      guarded: false,
      sizes: [2, 1],
    });
  });

  it('addToSetsUnlessGuarded() changes nothing and answers every guard when one exists', async () => {
    await store.set(`${key}:block-country`, '1765000000000', 10_000);
    const guards = [`${key}:block-range`, `${key}:block-country`, `${key}:block-other`];

    expect(await store.addToSetsUnlessGuarded(guards, [`${key}:range`], '+447700900001', 10_000)).toEqual({
      guarded: true,
      guards: [null, '1765000000000', null],
    });
    expect(await store.removeFromSet(`${key}:range`, '+447700900001')).toBe(0);
  });

  it('addToSetsUnlessGuarded() gives a new set its TTL and keeps an existing set expiry', async () => {
    await store.addToSetsUnlessGuarded([`${key}:guard`], [key], '+447700900001', 300);
    await sleep(150);
    await store.addToSetsUnlessGuarded([`${key}:guard`], [key], '+447700900002', 10_000);
    await sleep(300);

    expect(await store.addToSetsUnlessGuarded([`${key}:guard`], [key], '+447700900003', 10_000)).toEqual({
      guarded: false,
      sizes: [1],
    });
  });

  it('addToSetsUnlessGuarded() counts nothing once a guard set between calls exists', async () => {
    const guard = `${key}:guard`;
    // Issued in order on one connection (Redis) or synchronously (memory): calls 0-9 come before the guard.
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i === 10
          ? store.set(guard, 'blocked', 10_000).then(() => null)
          : store.addToSetsUnlessGuarded([guard], [key], `+4477009000${String(i).padStart(2, '0')}`, 10_000),
      ),
    );

    expect(results.map((result) => (result === null ? 'set' : result.guarded ? 'guarded' : 'counted'))).toEqual([
      ...Array<string>(10).fill('counted'),
      'set',
      ...Array<string>(9).fill('guarded'),
    ]);
    // Only the ten counted members are in the set.
    expect(await store.addToSet(key, '+447700900099', 10_000)).toBe(11);
  });

  it('removeFromSet() takes one member out, answers whether it was there, and keeps the rest', async () => {
    await store.addToSet(key, '+447700900001', 10_000);
    await store.addToSet(key, '+447700900002', 10_000);
    expect(await store.removeFromSet(key, '+447700900001')).toBe(1);
    expect(await store.removeFromSet(key, '+447700900001')).toBe(0);
    expect(await store.removeFromSet(`${key}:none`, '+447700900001')).toBe(0);
    expect(await store.addToSet(key, '+447700900003', 10_000)).toBe(2);
  });

  it('keeps keys apart and stores any UTF-8 text', async () => {
    const value = 'héllo 😀 \r\n "quoted" \u0000 end';
    await store.set(`${key}:a`, value, 10_000);
    await store.set(`${key}:b`, 'other', 10_000);

    expect(await store.get(`${key}:a`)).toBe(value);
    expect(await store.get(`${key}:b`)).toBe('other');
  });
}

describe(RedisKeyValueStore.name, () => {
  afterAll(async () => {
    // Remove whatever this run left under its prefix (TTLs would, but not at once).
    const redis = new Redis(REDIS_URL);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) {
          await redis.del(...keys);
        }
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  });

  defineKeyValueStoreBehaviour(() => new RedisKeyValueStore({ url: REDIS_URL, keyPrefix: PREFIX }));

  it('isolates deployments that share one Redis by key prefix', async () => {
    const a = new RedisKeyValueStore({ url: REDIS_URL, keyPrefix: `${PREFIX}a:` });
    const b = new RedisKeyValueStore({ url: REDIS_URL, keyPrefix: `${PREFIX}b:` });
    try {
      expect(await a.setIfAbsent('lock', 'a', 10_000)).toBe(true);
      expect(await b.setIfAbsent('lock', 'b', 10_000)).toBe(true);
      expect([await a.get('lock'), await b.get('lock')]).toEqual(['a', 'b']);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('shares counters between replicas: two stores on one Redis see one count and one limit', async () => {
    const a = new RedisKeyValueStore({ url: REDIS_URL, keyPrefix: PREFIX });
    const b = new RedisKeyValueStore({ url: REDIS_URL, keyPrefix: PREFIX });
    try {
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (i % 2 === 0 ? a : b).incrementWithinLimits([{ key: 'replicas', by: 1, limit: 30, ttlMs: 10_000 }]),
        ),
      );

      expect(results.filter((r) => r === -1)).toHaveLength(30);
      expect([await a.get('replicas'), await b.get('replicas')]).toEqual(['30', '30']);
      expect(await b.addToSet('replica-set', 'x', 10_000)).toBe(1);
      expect(await a.addToSet('replica-set', 'y', 10_000)).toBe(2);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('writes one turn of commands together, each with its own answer or error, in order', async () => {
    const store = new RedisKeyValueStore({ url: REDIS_URL, keyPrefix: PREFIX });
    const write = jest.spyOn(Socket.prototype, 'write');
    try {
      await store.addToSet('pipelined-set', 'x', 10_000);
      await store.incrementBy('pipelined', 0, 10_000);
      write.mockClear();
      const results = await Promise.allSettled([
        ...Array.from({ length: 10 }, () => store.incrementBy('pipelined', 1, 10_000)),
        // A set is no counter: this call fails alone (WRONGTYPE), the others stand.
        store.incrementBy('pipelined-set', 1, 10_000),
        store.setIfAbsent('pipelined-lock', 'a', 10_000),
        store.setIfAbsent('pipelined-lock', 'b', 10_000),
      ]);

      expect(write.mock.calls.length).toBeLessThanOrEqual(2);
      expect(results.slice(0, 10).map((r) => (r.status === 'fulfilled' ? (r.value as unknown) : 'rejected'))).toEqual([
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
      ]);
      expect(results[10]).toMatchObject({
        status: 'rejected',
        reason: { message: expect.stringContaining('WRONGTYPE') },
      });
      expect(results.slice(11).map((r) => (r.status === 'fulfilled' ? (r.value as unknown) : 'rejected'))).toEqual([
        true,
        false,
      ]);
    } finally {
      write.mockRestore();
      await store.close();
    }
  });

  it('refuses a fractional amount rather than corrupt a counter', async () => {
    const store = new RedisKeyValueStore({ url: REDIS_URL, keyPrefix: PREFIX });
    try {
      await expect(store.incrementBy('fraction', 0.5, 10_000)).rejects.toThrow(RangeError);
      expect(await store.get('fraction')).toBeNull();
    } finally {
      await store.close();
    }
  });

  it('stores the TTL in Redis itself (PX), so every replica sees the same expiry', async () => {
    const store = new RedisKeyValueStore({ url: REDIS_URL, keyPrefix: PREFIX });
    const raw = new Redis(REDIS_URL);
    try {
      await store.setIfAbsent('ttl-check', 'v', 5_000);
      const ttl = await raw.pttl(`${PREFIX}ttl-check`);

      expect(ttl).toBeGreaterThan(4_000);
      expect(ttl).toBeLessThanOrEqual(5_000);
    } finally {
      raw.disconnect();
      await store.close();
    }
  });

  it('reports not ready, within seconds, when Redis does not answer', async () => {
    const store = new RedisKeyValueStore({ url: 'redis://127.0.0.1:1', keyPrefix: PREFIX });
    const started = Date.now();
    try {
      expect(await store.isReady()).toBe(false);
      expect(Date.now() - started).toBeLessThan(5_000);
      await expect(store.get('anything')).rejects.toThrow();
    } finally {
      await store.close();
    }
  });
});

describe(MemoryKeyValueStore.name, () => {
  defineKeyValueStoreBehaviour(() => new MemoryKeyValueStore());

  it('sweeps expired entries it is never asked about again', async () => {
    let now = 0;
    const store = new MemoryKeyValueStore(() => now, 20);
    try {
      await store.set('a', 'v', 10);
      now = 100;
      await sleep(60);

      expect((store as unknown as { entries: Map<string, unknown> }).entries.size).toBe(0);
    } finally {
      await store.close();
    }
  });
});
