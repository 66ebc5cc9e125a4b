import Redis from 'ioredis';
import {
  type ClaimRequest,
  type ClaimResult,
  EMPTY_HEALTH,
  HEALTH_BUCKET_MS,
  HEALTH_WINDOW_MS,
  type HealthCounts,
  type HealthOutcome,
  msPerSegment,
  type RoutingState,
} from './routing-state';

/**
 * Sticky lookup and schedule booking in one atomic step, on Redis's clock so replicas on hosts with
 * skewed clocks agree. Each number's key holds the time its schedule is free again (a virtual
 * scheduling / GCRA clock): booking n segments moves it n × (1000 / rate) ms on. That is a sliding
 * window with no burst: over any interval the number carries at most rate × interval segments.
 *
 * KEYS[1] sticky key ('' for none), KEYS[2..] one schedule key per candidate.
 * ARGV: segments, stickyTtlMs, dryRun, then per candidate: number, msPerSegment, inGroup (1/0).
 */
const CLAIM_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local segments = tonumber(ARGV[1])
local stickyTtl = tonumber(ARGV[2])
local dry = ARGV[3] == '1'
local count = #KEYS - 1
local pick = nil
local how = 'sticky'
if KEYS[1] ~= '' then
  local sticky = redis.call('GET', KEYS[1])
  if sticky then
    for i = 1, count do
      if ARGV[3 + (i - 1) * 3 + 1] == sticky then pick = i end
    end
  end
end
local freeAt = {}
for i = 1, count do freeAt[i] = tonumber(redis.call('GET', KEYS[i + 1]) or '0') end
if not pick then
  how = 'free'
  for i = 1, count do
    if ARGV[3 + (i - 1) * 3 + 3] == '1' and freeAt[i] <= now then pick = i break end
  end
end
if not pick then
  how = 'earliest'
  for i = 1, count do
    if ARGV[3 + (i - 1) * 3 + 3] == '1' and (pick == nil or freeAt[i] < freeAt[pick]) then pick = i end
  end
end
local start = math.max(freeAt[pick], now)
if not dry then
  local after = start + segments * tonumber(ARGV[3 + (pick - 1) * 3 + 2])
  redis.call('SET', KEYS[pick + 1], tostring(after), 'PX', math.ceil(after - now) + 1000)
  if KEYS[1] ~= '' then redis.call('SET', KEYS[1], ARGV[3 + (pick - 1) * 3 + 1], 'PX', stickyTtl) end
end
return { ARGV[3 + (pick - 1) * 3 + 1], tostring(start - now), how }
`;

const FIELDS = { attempts: 'a', errors: 'e', delivered: 'd', undelivered: 'u', latencySumMs: 'l', latencyCount: 'n' };

export interface RedisRoutingStateOptions {
  readonly url: string;
  /** Namespaces the keys so deployments (and test runs) can share one Redis. */
  readonly keyPrefix?: string;
}

/** The distributed mode's routing state, shared by every router replica. */
export class RedisRoutingState implements RoutingState {
  private readonly redis: Redis;

  constructor(
    options: RedisRoutingStateOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.redis = new Redis(options.url, {
      keyPrefix: options.keyPrefix ?? 'sms:router:',
      maxRetriesPerRequest: 2,
      enableOfflineQueue: true,
    });
    this.redis.defineCommand('routeClaim', { lua: CLAIM_SCRIPT });
  }

  async recordOutcome(providerId: string, outcome: HealthOutcome, latencyMs?: number | null): Promise<void> {
    const now = this.now();
    const key = `h:${providerId}:${now - (now % HEALTH_BUCKET_MS)}`;
    const streak = `hs:${providerId}`;
    const pipeline = this.redis.pipeline();
    if (outcome === 'sent' || outcome === 'error') {
      pipeline.hincrby(key, FIELDS.attempts, 1);
      if (outcome === 'error') {
        pipeline.hincrby(key, FIELDS.errors, 1);
        pipeline.set(streak, '0', 'PX', HEALTH_WINDOW_MS);
      } else {
        pipeline.incr(streak);
        pipeline.pexpire(streak, HEALTH_WINDOW_MS);
      }
      if (typeof latencyMs === 'number') {
        pipeline.hincrby(key, FIELDS.latencySumMs, Math.round(latencyMs));
        pipeline.hincrby(key, FIELDS.latencyCount, 1);
      }
    } else {
      pipeline.hincrby(key, outcome === 'delivered' ? FIELDS.delivered : FIELDS.undelivered, 1);
    }
    pipeline.pexpire(key, HEALTH_WINDOW_MS + HEALTH_BUCKET_MS);
    await pipeline.exec();
  }

  async readHealth(providerIds: readonly string[]): Promise<Map<string, HealthCounts>> {
    const now = this.now();
    const current = now - (now % HEALTH_BUCKET_MS);
    const bucketCount = HEALTH_WINDOW_MS / HEALTH_BUCKET_MS;
    const pipeline = this.redis.pipeline();
    for (const id of providerIds) {
      pipeline.get(`hs:${id}`);
      for (let i = 0; i < bucketCount; i++) {
        pipeline.hgetall(`h:${id}:${current - i * HEALTH_BUCKET_MS}`);
      }
    }
    const replies = (await pipeline.exec()) ?? [];
    const result = new Map<string, HealthCounts>();
    providerIds.forEach((id, p) => {
      const base = p * (bucketCount + 1);
      const sum = { ...EMPTY_HEALTH, streak: Number(replies[base]?.[1] ?? 0) };
      for (let i = 1; i <= bucketCount; i++) {
        const hash = (replies[base + i]?.[1] ?? {}) as Record<string, string>;
        sum.attempts += Number(hash[FIELDS.attempts] ?? 0);
        sum.errors += Number(hash[FIELDS.errors] ?? 0);
        sum.delivered += Number(hash[FIELDS.delivered] ?? 0);
        sum.undelivered += Number(hash[FIELDS.undelivered] ?? 0);
        sum.latencySumMs += Number(hash[FIELDS.latencySumMs] ?? 0);
        sum.latencyCount += Number(hash[FIELDS.latencyCount] ?? 0);
      }
      result.set(id, sum);
    });

    return result;
  }

  async claim(request: ClaimRequest): Promise<ClaimResult> {
    const inGroup = new Set(request.group.map((s) => s.number));
    const slots = [...request.group, ...request.eligible.filter((s) => !inGroup.has(s.number))];
    if (request.group.length === 0) {
      throw new Error('claim needs at least one sender');
    }
    const keys = [request.stickyKey ? `st:${request.stickyKey}` : '', ...slots.map((s) => `rl:${s.number}`)];
    const args = [
      String(request.segments),
      String(request.stickyTtlMs),
      request.dryRun ? '1' : '0',
      ...slots.flatMap((s) => [s.number, String(msPerSegment(s)), inGroup.has(s.number) ? '1' : '0']),
    ];
    const [number, delay, how] = (await (
      this.redis as unknown as { routeClaim(n: number, ...a: string[]): Promise<[string, string, string]> }
    ).routeClaim(keys.length, ...keys, ...args)) as [string, string, ClaimResult['how']];

    return { number, delayMs: Math.max(0, Number(delay)), how };
  }

  async tryProbe(providerId: string, intervalMs: number): Promise<boolean> {
    return (await this.redis.set(`pr:${providerId}`, '1', 'PX', intervalMs, 'NX')) === 'OK';
  }

  async bumpPoolVersion(): Promise<void> {
    await this.redis.incr('pool-version');
  }

  async poolVersion(): Promise<string> {
    return (await this.redis.get('pool-version')) ?? '0';
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
