import Redis from 'ioredis';
import {
  type ClaimRequest,
  type ClaimResult,
  HEALTH_BUCKET_MS,
  HEALTH_WINDOW_MS,
  type HealthCounts,
  type HealthOutcome,
  type HealthTally,
  inTurn,
  msPerSegment,
  type RoutingState,
  tallyOutcomes,
} from './routing-state';

/**
 * Sticky lookup and schedule booking in one atomic step, on Redis's clock so replicas on hosts with
 * skewed clocks agree. Each number's key holds the time its schedule is free again (a virtual
 * scheduling / GCRA clock): booking n segments moves it n × (1000 / rate) ms on. That is a sliding
 * window with no burst: over any interval the number carries at most rate × interval segments. The clock
 * and the schedules keep microseconds: at whole milliseconds a fast number (10,000 segments/s frees it in
 * 0.1 ms) booked earlier in the same millisecond looked busy and passed its round-robin turn on. The
 * delay handed back is rounded up to a whole millisecond, so a message never goes early.
 *
 * KEYS[1] sticky key (unused without one), KEYS[2..] the schedule key of each sender sent, in round-robin
 * order.
 * ARGV: segments, stickyTtlMs, dryRun, key prefix, the recipient's sticky sender when it is eligible but
 * not among those sent ("<number>\t<msPerSegment>", else ''), ask ('1': the caller has not said, so a
 * sticky sender not among those sent is answered 'ask' and nothing is booked), sticky ('1': KEYS[1] is
 * the recipient's key; '0' for a message with an explicit `from`: an empty KEYS[1] would arrive with
 * the client's key prefix), partial ('1': the senders sent are only the first ones of the group in
 * round-robin order, so when none of them is free the answer is 'busy' and nothing is booked: the
 * earliest free one may be among the others), members (the whole group as ",<number>=<msPerSegment>,..."
 * or '': a sticky sender found there is kept without asking back), then per sender: number, msPerSegment.
 * Only a window of the group is sent at first, with the group's members as one string (a repeat
 * recipient's sticky sender is usually in the group but not in the window), and an eligible sender
 * outside the group only when it is the recipient's sticky sender: the caller asks again with that one
 * sender ('ask'), or with the whole group when the window is all busy ('busy'). Every sender's key and
 * rate on every booking (hundreds) cost more CPU and allocation than the rest of a cold decision. The
 * sticky sender's schedule key is built from the prefix.
 */
const CLAIM_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local segments = tonumber(ARGV[1])
local stickyTtl = tonumber(ARGV[2])
local dry = ARGV[3] == '1'
local hasSticky = ARGV[7] == '1'
local partial = ARGV[8] == '1'
local members = ARGV[9]
local count = #KEYS - 1
local keys, numbers, ms = {}, {}, {}
for i = 1, count do
  keys[i] = KEYS[i + 1]
  numbers[i] = ARGV[9 + (i - 1) * 2 + 1]
  ms[i] = tonumber(ARGV[9 + (i - 1) * 2 + 2])
end
local pick = nil
local how = 'sticky'
if hasSticky then
  local sticky = redis.call('GET', KEYS[1])
  if sticky then
    for i = 1, count do
      if numbers[i] == sticky then pick = i end
    end
    if not pick then
      local found = nil
      local outside = ARGV[5]
      local tab = string.find(outside, '\\t', 1, true)
      if tab and string.sub(outside, 1, tab - 1) == sticky then
        found = tonumber(string.sub(outside, tab + 1))
      elseif members ~= '' then
        local at = string.find(members, ',' .. sticky .. '=', 1, true)
        local stop = at and string.find(members, ',', at + #sticky + 2, true)
        if stop then found = tonumber(string.sub(members, at + #sticky + 2, stop - 1)) end
      end
      if found then
        pick = count + 1
        keys[pick] = ARGV[4] .. 'rl:' .. sticky
        numbers[pick] = sticky
        ms[pick] = found
      elseif ARGV[6] == '1' then
        return { sticky, '0', 'ask' }
      end
    end
  end
end
local freeAt = {}
local function free(i)
  if freeAt[i] == nil then freeAt[i] = tonumber(redis.call('GET', keys[i]) or '0') end
  return freeAt[i]
end
if not pick then
  how = 'free'
  for i = 1, count do
    if free(i) <= now then pick = i break end
  end
end
if not pick then
  if partial then return { '', '0', 'busy' } end
  how = 'earliest'
  for i = 1, count do
    if pick == nil or free(i) < free(pick) then pick = i end
  end
end
local start = math.max(free(pick), now)
if not dry then
  local after = start + segments * ms[pick]
  redis.call('SET', keys[pick], string.format('%.3f', after), 'PX', math.ceil(after - now) + 1000)
  if hasSticky then redis.call('SET', KEYS[1], numbers[pick], 'PX', stickyTtl) end
end
return { numbers[pick], tostring(math.ceil(start - now)), how }
`;

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
    this.redis.defineCommand('routeClaim', { lua: CLAIM_SCRIPT });
    this.redis.defineCommand('healthRecord', { lua: HEALTH_RECORD_SCRIPT });
    this.redis.defineCommand('healthRead', { lua: HEALTH_READ_SCRIPT });
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
    let answer = await this.runClaim(request, window, partial, stickyOutside, true);
    if (answer.how === 'ask') {
      // The recipient's sticky sender is not in the window: kept if it is still eligible, else a new pick.
      const sticky = eligible.get(answer.number);
      stickyOutside = sticky ? `${sticky.number}\t${msPerSegment(sticky)}` : '';
      answer = await this.runClaim(request, window, partial, stickyOutside, false);
    }
    if (answer.how === 'busy') {
      // The whole window is booked ahead: the whole group, so the first free one in round-robin order,
      // else the one free soonest, is picked over all of them in one atomic step.
      answer = await this.runClaim(request, group.length, false, stickyOutside, false);
    }
    if (answer.how === 'ask' || answer.how === 'busy') {
      throw new Error(`claim: the script answered '${answer.how}' to a request that does not allow it`);
    }

    return { number: answer.number, delayMs: answer.delayMs, how: answer.how };
  }

  /** One script call with the first `count` senders of the group in this message's round-robin order. */
  private async runClaim(
    request: ClaimRequest,
    count: number,
    partial: boolean,
    stickyOutside: string,
    ask: boolean,
  ): Promise<Omit<ClaimResult, 'how'> & { how: ClaimResult['how'] | 'ask' | 'busy' }> {
    const keys = [request.stickyKey ? `st:${request.stickyKey}` : ''];
    const args = [
      String(request.segments),
      String(request.stickyTtlMs),
      request.dryRun ? '1' : '0',
      this.keyPrefix,
      stickyOutside,
      ask ? '1' : '0',
      request.stickyKey ? '1' : '0',
      partial ? '1' : '0',
      // Only a partial window needs it: with the whole group sent, a sticky sender in it is among them.
      request.stickyKey && partial ? (request.group.membership ?? '') : '',
    ];
    for (let i = 0; i < count; i++) {
      const slot = inTurn(request.group, request.start, i);
      keys.push(`rl:${slot.number}`);
      args.push(slot.number, String(msPerSegment(slot)));
    }
    const [number, delay, how] = (await (
      this.redis as unknown as { routeClaim(n: number, ...a: string[]): Promise<[string, string, string]> }
    ).routeClaim(keys.length, ...keys, ...args)) as [string, string, ClaimResult['how'] | 'ask' | 'busy'];

    return { number, delayMs: Math.max(0, Number(delay)), how };
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
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
