import Redis from 'ioredis';
import type { CounterCheck, CountedAndMarked, GuardedSetAdd, KeyValueStore, Marker } from './key-value.store';

export interface RedisStoreOptions {
  readonly url: string;
  /** Prefix for every key, so several deployments can share one Redis. */
  readonly keyPrefix?: string;
}

/** Sets a TTL on a key that has none: a counter or set created by the command just run. */
const EXPIRE_IF_NEW = "if redis.call('PTTL', KEYS[i]) < 0 then redis.call('PEXPIRE', KEYS[i], ttl) end";

/** KEYS[1] = counter; ARGV = by, ttl. */
const INCREMENT_BY = `local i = 1
local ttl = ARGV[2]
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
${EXPIRE_IF_NEW}
return value`;

/**
 * Lua: counters KEYS[1..n] (ARGV = by, limit (-1 = none), ttl per key) checked all, then added all, or
 * nothing: the first over its limit returns `refused` of its 0-based index.
 */
const withinLimits = (n: string, refused: (index: string) => string): string => `for i = 1, ${n} do
  local limit = tonumber(ARGV[i * 3 - 1])
  if limit >= 0 and tonumber(redis.call('GET', KEYS[i]) or '0') + tonumber(ARGV[i * 3 - 2]) > limit then
    return ${refused('i - 1')}
  end
end
for i = 1, ${n} do
  local ttl = ARGV[i * 3]
  redis.call('INCRBY', KEYS[i], ARGV[i * 3 - 2])
  ${EXPIRE_IF_NEW}
end`;

/** KEYS = counters; ARGV = by, limit (-1 = none), ttl per key. */
const INCREMENT_WITHIN_LIMITS = `${withinLimits('#KEYS', (index) => index)}
return -1`;

/** KEYS = counters, then the marker; ARGV = by, limit, ttl per counter, then the marker's value and ttl. */
const INCREMENT_WITHIN_LIMITS_AND_SET = `local n = #KEYS - 1
${withinLimits('n', (index) => `{${index}, 0}`)}
local set = redis.call('SET', KEYS[#KEYS], ARGV[n * 3 + 1], 'PX', ARGV[n * 3 + 2], 'NX')
if set then return {-1, 1} end
return {-1, 0}`;

/** KEYS[1] = set; ARGV = member, ttl. */
const ADD_TO_SET = `local i = 1
local ttl = ARGV[2]
redis.call('SADD', KEYS[1], ARGV[1])
${EXPIRE_IF_NEW}
return redis.call('SCARD', KEYS[1])`;

/**
 * KEYS = guards (ARGV[1] of them), then sets; ARGV = guard count, member, ttl. Answers {1, guard values…}
 * (false, a nil reply, for an absent guard) when a guard exists, else {0, set sizes…}.
 */
const ADD_TO_SETS_UNLESS_GUARDED = `local guards = tonumber(ARGV[1])
local found = {1}
local held = false
for i = 1, guards do
  local value = redis.call('GET', KEYS[i])
  found[i + 1] = value
  if value then held = true end
end
if held then return found end
local sizes = {0}
local ttl = ARGV[3]
for i = guards + 1, #KEYS do
  redis.call('SADD', KEYS[i], ARGV[2])
  ${EXPIRE_IF_NEW}
  sizes[#sizes + 1] = redis.call('SCARD', KEYS[i])
end
return sizes`;

type ScriptCommand = (...args: (string | number)[]) => Promise<number>;

interface ScriptedRedis {
  smsIncrementBy: ScriptCommand;
  smsIncrementWithinLimits: ScriptCommand;
  smsIncrementWithinLimitsAndSet: (...args: (string | number)[]) => Promise<[number, number]>;
  smsAddToSet: ScriptCommand;
  smsAddToSetsUnlessGuarded: (...args: (string | number)[]) => Promise<(string | number | null)[]>;
}

/**
 * The distributed mode's store. Commands fail fast when Redis is down (no unbounded offline queue,
 * reliability.md "Redis"): callers decide between failing open and answering 503. Auto-pipelined: one
 * write per event-loop turn, not one per command.
 */
export class RedisKeyValueStore implements KeyValueStore {
  private readonly redis: Redis;

  constructor(options: RedisStoreOptions) {
    this.redis = new Redis(options.url, {
      keyPrefix: options.keyPrefix ?? 'sms:',
      maxRetriesPerRequest: 2,
      enableOfflineQueue: true,
      connectTimeout: 2000,
      commandTimeout: 2000,
      lazyConnect: false,
      // The commands of one event-loop turn (concurrent requests' scripts, a batch's send-gate marks) go
      // in one socket write and their replies in one read: each keeps its own answer, error and timeout,
      // in the order issued, as separate writes would (docs/performance.md, "Redis auto-pipelining").
      enableAutoPipelining: true,
    });
    // Connection errors surface on commands; without a listener ioredis would log every retry.
    this.redis.on('error', () => undefined);
    // Compound operations are Lua scripts: Redis runs each alone, so replicas never interleave inside one.
    this.redis.defineCommand('smsIncrementBy', { numberOfKeys: 1, lua: INCREMENT_BY });
    this.redis.defineCommand('smsIncrementWithinLimits', { lua: INCREMENT_WITHIN_LIMITS });
    this.redis.defineCommand('smsIncrementWithinLimitsAndSet', { lua: INCREMENT_WITHIN_LIMITS_AND_SET });
    this.redis.defineCommand('smsAddToSet', { numberOfKeys: 1, lua: ADD_TO_SET });
    this.redis.defineCommand('smsAddToSetsUnlessGuarded', { lua: ADD_TO_SETS_UNLESS_GUARDED });
  }

  private get scripts(): ScriptedRedis {
    return this.redis as unknown as ScriptedRedis;
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(key, value, 'PX', ttlMs, 'NX')) === 'OK';
  }

  get(key: string): Promise<string | null> {
    return this.redis.get(key);
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.set(key, value, 'PX', ttlMs);
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(key);
  }

  take(key: string): Promise<string | null> {
    return this.redis.getdel(key);
  }

  async incrementBy(key: string, by: number, ttlMs: number): Promise<number> {
    return Number(await this.scripts.smsIncrementBy(key, integer(by), integer(ttlMs)));
  }

  async incrementWithinLimits(checks: readonly CounterCheck[]): Promise<number> {
    if (checks.length === 0) {
      return -1;
    }
    const args = checkArguments(checks);

    return Number(await this.scripts.smsIncrementWithinLimits(checks.length, ...checks.map((c) => c.key), ...args));
  }

  async incrementWithinLimitsAndSet(checks: readonly CounterCheck[], marker: Marker): Promise<CountedAndMarked> {
    const [over, set] = await this.scripts.smsIncrementWithinLimitsAndSet(
      checks.length + 1,
      ...checks.map((c) => c.key),
      marker.key,
      ...checkArguments(checks),
      marker.value,
      integer(marker.ttlMs),
    );

    return { over: Number(over), set: Number(set) === 1 };
  }

  async addToSet(key: string, member: string, ttlMs: number): Promise<number> {
    return Number(await this.scripts.smsAddToSet(key, member, integer(ttlMs)));
  }

  async addToSetsUnlessGuarded(
    guardKeys: readonly string[],
    setKeys: readonly string[],
    member: string,
    ttlMs: number,
  ): Promise<GuardedSetAdd> {
    const keys = [...guardKeys, ...setKeys];
    const [held, ...values] = await this.scripts.smsAddToSetsUnlessGuarded(
      keys.length,
      ...keys,
      guardKeys.length,
      member,
      integer(ttlMs),
    );
    if (Number(held) === 1) {
      // An absent guard is a nil in the reply (the script's false from GET).
      return {
        guarded: true,
        guards: guardKeys.map((_, i) => (values[i] === undefined || values[i] === null ? null : String(values[i]))),
      };
    }

    return { guarded: false, sizes: values.map(Number) };
  }

  async removeFromSet(key: string, member: string): Promise<number> {
    return this.redis.srem(key, member);
  }

  async isReady(): Promise<boolean> {
    try {
      return (await this.redis.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** The scripts' ARGV for counter checks: by, limit (-1 = none), ttl each. */
function checkArguments(checks: readonly CounterCheck[]): number[] {
  return checks.flatMap((check) => [
    integer(check.by),
    check.limit === null ? -1 : integer(check.limit),
    integer(check.ttlMs),
  ]);
}

/** Counters are integers (money in micro-units): a fraction would make INCRBY fail inside a script. */
function integer(value: number): number {
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`not a safe integer: ${value}`);
  }

  return value;
}
