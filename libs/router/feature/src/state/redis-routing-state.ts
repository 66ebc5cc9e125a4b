import Redis from 'ioredis';
import { RedisClaims } from './redis-claims';
import {
  type ClaimRequest,
  type ClaimResult,
  HEALTH_BUCKET_MS,
  HEALTH_WINDOW_MS,
  type HealthCounts,
  type HealthOutcome,
  type HealthTally,
  msPerSegment,
  type RoutingState,
  tallyOutcomes,
} from './routing-state';

/**
 * How many senders of the equally good group a booking sends first, in round-robin order: one of them
 * is nearly always free (a number is busy only for the segments booked on it), and the rest are sent only
 * when all of these are booked ahead.
 */
export const CLAIM_WINDOW = 16;

/**
 * One hash per provider, fields `<bucket start>:<counter>`, so reading a provider's 5 minutes is one
 * HGETALL instead of one command per 10-s bucket. Buckets that left the window are pruned by the
 * first write of each new bucket (Redis 7.0 has no per-field expiry); a hash outlives the window by a
 * minute.
 * Tallies of any number of providers in one call (HealthTally): a script per send result was the
 * router's largest Redis cost (docs/performance.md, "Router health in batches").
 * KEYS: per provider, its hash and its streak key. ARGV[1] bucket start, ARGV[2] window ms, then per
 * provider: attempts, errors, delivered, undelivered, latency sum, latency count, reset ('1' or '0'),
 * streak.
 */
const HEALTH_RECORD_SCRIPT = `
local b = ARGV[1]
local window = tonumber(ARGV[2])
local fields = { 'a', 'e', 'd', 'u', 'l', 'n' }
for k = 1, #KEYS, 2 do
  local hash = KEYS[k]
  local at = 2 + (k - 1) * 4
  for f = 1, 6 do
    local n = tonumber(ARGV[at + f])
    if n ~= 0 then redis.call('HINCRBY', hash, b .. ':' .. fields[f], n) end
  end
  local streak = tonumber(ARGV[at + 8])
  if ARGV[at + 7] == '1' then
    redis.call('SET', KEYS[k + 1], streak, 'PX', window)
  elseif streak > 0 then
    redis.call('INCRBY', KEYS[k + 1], streak)
    redis.call('PEXPIRE', KEYS[k + 1], window)
  end
  redis.call('PEXPIRE', hash, window + 60000)
  if redis.call('HSETNX', hash, b .. ':pruned', '1') == 1 then
    local cutoff = tonumber(b) - window
    for _, field in ipairs(redis.call('HKEYS', hash)) do
      local start = tonumber(string.match(field, '^(%d+):'))
      if start and start <= cutoff then redis.call('HDEL', hash, field) end
    end
  end
end
return 1
`;

/**
 * Every provider's window summed in Redis, one call for all of them: the hashes hold up to 30 buckets ×
 * 6 counters each, and shipping them field by field (a pipeline of HGETALLs) cost the client a string
 * per field and a command object per key on every health load, which a cold decision waits for.
 * KEYS: per provider, its hash and its streak key; ARGV[1]: the cutoff (buckets starting after it count).
 * Answers per provider: attempts, errors, delivered, undelivered, latency sum, latency count, streak.
 * A key of the wrong type reads as empty, as a pipeline's failed command did.
 */
const HEALTH_READ_SCRIPT = `
local cutoff = tonumber(ARGV[1])
local slot = { a = 1, e = 2, d = 3, u = 4, l = 5, n = 6 }
local out = {}
for k = 1, #KEYS, 2 do
  local sums = { 0, 0, 0, 0, 0, 0, 0 }
  local hash = redis.pcall('HGETALL', KEYS[k])
  if type(hash) == 'table' and not hash.err then
    for i = 1, #hash, 2 do
      local start, name = string.match(hash[i], '^(%d+):(%a+)$')
      local at = slot[name or '']
      if at and tonumber(start) > cutoff then sums[at] = sums[at] + (tonumber(hash[i + 1]) or 0) end
    end
  end
  local streak = redis.pcall('GET', KEYS[k + 1])
  if type(streak) == 'string' then sums[7] = tonumber(streak) or 0 end
  out[#out + 1] = sums
end
return out
`;

interface HealthCommands {
  healthRecord(keys: number, ...args: string[]): Promise<number>;
  healthRead(keys: number, ...args: string[]): Promise<number[][]>;
}

export interface RedisRoutingStateOptions {
  readonly url: string;
  /** Namespaces the keys so deployments (and test runs) can share one Redis. */
  readonly keyPrefix?: string;
}

/** The distributed mode's routing state, shared by every router replica. */
export class RedisRoutingState implements RoutingState {
  private readonly redis: Redis;
  private readonly keyPrefix: string;
  private readonly claims: RedisClaims;

  constructor(
    options: RedisRoutingStateOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.keyPrefix = options.keyPrefix ?? 'sms:router:';
    this.redis = new Redis(options.url, {
      keyPrefix: this.keyPrefix,
      maxRetriesPerRequest: 2,
      enableOfflineQueue: true,
    });
    this.redis.defineCommand('healthRecord', { lua: HEALTH_RECORD_SCRIPT });
    this.redis.defineCommand('healthRead', { lua: HEALTH_READ_SCRIPT });
    this.claims = new RedisClaims(this.redis, this.keyPrefix);
  }

  recordOutcome(providerId: string, outcome: HealthOutcome, latencyMs?: number | null): Promise<void> {
    return this.recordTallies(tallyOutcomes([{ provider: providerId, outcome, latencyMs }]));
  }

  async recordTallies(tallies: readonly HealthTally[]): Promise<void> {
    if (tallies.length === 0) {
      return;
    }
    const keys: string[] = [];
    const now = this.now();
    const args = [String(now - (now % HEALTH_BUCKET_MS)), String(HEALTH_WINDOW_MS)];
    for (const t of tallies) {
      keys.push(`h:${t.provider}`, `hs:${t.provider}`);
      args.push(
        String(t.attempts),
        String(t.errors),
        String(t.delivered),
        String(t.undelivered),
        String(t.latencySumMs),
        String(t.latencyCount),
        t.streakReset ? '1' : '0',
        String(t.streak),
      );
    }
    await (this.redis as unknown as HealthCommands).healthRecord(keys.length, ...keys, ...args);
  }

  async readHealth(providerIds: readonly string[]): Promise<Map<string, HealthCounts>> {
    const result = new Map<string, HealthCounts>();
    if (providerIds.length === 0) {
      return result;
    }
    const keys: string[] = [];
    for (const id of providerIds) {
      keys.push(`h:${id}`, `hs:${id}`);
    }
    const sums = await (this.redis as unknown as HealthCommands).healthRead(
      keys.length,
      ...keys,
      String(this.now() - HEALTH_WINDOW_MS),
    );
    providerIds.forEach((id, p) => {
      const [attempts = 0, errors = 0, delivered = 0, undelivered = 0, latencySumMs = 0, latencyCount = 0, streak = 0] =
        sums[p] ?? [];
      result.set(id, { attempts, errors, delivered, undelivered, latencySumMs, latencyCount, streak });
    });

    return result;
  }

  async claim(request: ClaimRequest): Promise<ClaimResult> {
    const { group, eligible } = request;
    if (group.length === 0) {
      throw new Error('claim needs at least one sender');
    }
    const window = Math.min(group.length, CLAIM_WINDOW);
    const partial = window < group.length;
    let stickyOutside = '';
    let answer = await this.claims.claim({ request, count: window, partial, stickyOutside, ask: true });
    if (answer.how === 'ask') {
      // The recipient's sticky sender is not in the window: kept if it is still eligible, else a new pick.
      const sticky = eligible.get(answer.number);
      stickyOutside = sticky ? `${sticky.number}\t${msPerSegment(sticky)}` : '';
      answer = await this.claims.claim({ request, count: window, partial, stickyOutside, ask: false });
    }
    if (answer.how === 'busy') {
      // The whole window is booked ahead: the whole group, so the first free one in round-robin order,
      // else the one free soonest, is picked over all of them in one atomic step.
      answer = await this.claims.claim({ request, count: group.length, partial: false, stickyOutside, ask: false });
    }
    if (answer.how === 'ask' || answer.how === 'busy') {
      throw new Error(`claim: the script answered '${answer.how}' to a request that does not allow it`);
    }

    return { number: answer.number, delayMs: answer.delayMs, how: answer.how };
  }

  async tryProbe(providerId: string, intervalMs: number): Promise<boolean> {
    return (await this.redis.set(`pr:${providerId}`, '1', 'PX', intervalMs, 'NX')) === 'OK';
  }

  async forgetSticky(stickyKey: string): Promise<number> {
    return this.redis.del(`st:${stickyKey}`);
  }

  async bumpPoolVersion(): Promise<void> {
    await this.redis.incr('pool-version');
  }

  async poolVersion(): Promise<string> {
    return (await this.redis.get('pool-version')) ?? '0';
  }

  async isReady(): Promise<boolean> {
    try {
      return (await this.redis.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.claims.drain();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
