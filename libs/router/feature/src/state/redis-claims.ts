import type Redis from 'ioredis';
import { GroupCommitter } from '@sms/persistence';
import { type ClaimCall, claimBatchArgs } from './claim-batch-args';
import type { ClaimResult } from './routing-state';

export type { ClaimCall } from './claim-batch-args';

/**
 * Sticky lookup and schedule booking of several claims in one atomic step, on Redis's clock so replicas on
 * hosts with skewed clocks agree. Each number's key holds the time its schedule is free again (a virtual
 * scheduling / GCRA clock): booking n segments moves it n × (1000 / rate) ms on. That is a sliding window
 * with no burst: over any interval the number carries at most rate × interval segments. The clock and the
 * schedules keep microseconds: at whole milliseconds a fast number (10,000 segments/s frees it in 0.1 ms)
 * booked earlier in the same millisecond looked busy and passed its round-robin turn on. The delay handed
 * back is rounded up to a whole millisecond, so a message never goes early.
 *
 * The claims run one after another at one instant (the script's TIME), each on the schedules the ones
 * before it left: the same bookings as one script per claim issued in that order. A claim that fails (a
 * key of the wrong type) is answered 'error' with the message and books nothing more; the others stand.
 *
 * Arguments: claimBatchArgs (claim-batch-args.ts). Per claim: ask ('1': the caller has not said, so a
 * sticky sender not among those sent is answered 'ask' and nothing is booked), sticky ('1': its sticky key
 * is the recipient's; '0' for a message with an explicit `from`: an empty key would arrive with the
 * client's key prefix), partial ('1': the senders sent are only the first ones of the group in round-robin
 * order, so when none of them is free the answer is 'busy' and nothing is booked: the earliest free one
 * may be among the others), and the recipient's sticky sender when it is eligible but outside the group
 * ("<number>\t<ms>", else ''). A sticky sender in the group but outside the window is found in the range's
 * members; its schedule key is built from the prefix. Only a window of the group is sent at first
 * (RedisRoutingState.claim asks again with more when needed): every sender's key and rate on every booking
 * (hundreds) cost more CPU and allocation than the rest of a cold decision.
 */
const CLAIM_BATCH_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local prefix = ARGV[1]
local ranges = {}
local a, k = 3, 0
for r = 1, tonumber(ARGV[2]) do
  local n = tonumber(ARGV[a])
  local range = { keys = {}, numbers = {}, ms = {}, members = ARGV[a + 1] }
  for i = 1, n do
    range.keys[i] = KEYS[k + i]
    range.numbers[i] = ARGV[a + 2 * i]
    range.ms[i] = tonumber(ARGV[a + 2 * i + 1])
  end
  ranges[r] = range
  a = a + 2 + 2 * n
  k = k + n
end
local function stickyOf(c, stickyKey, numbers)
  local sticky = redis.call('GET', stickyKey)
  if not sticky then return nil end
  for i = 1, c.count do
    if numbers[i] == sticky then return i end
  end
  local found = nil
  local tab = string.find(c.outside, '\\t', 1, true)
  if tab and string.sub(c.outside, 1, tab - 1) == sticky then
    found = tonumber(string.sub(c.outside, tab + 1))
  elseif c.range.members ~= '' then
    local members = c.range.members
    local at = string.find(members, ',' .. sticky .. '=', 1, true)
    local stop = at and string.find(members, ',', at + #sticky + 2, true)
    if stop then found = tonumber(string.sub(members, at + #sticky + 2, stop - 1)) end
  end
  if found then return c.count + 1, sticky, found end
  if c.ask then return -1, sticky end
  return nil
end
local function claim(c, stickyKey)
  local keys, numbers, ms = {}, {}, {}
  for i = 1, c.count do
    keys[i] = c.range.keys[c.offset + i]
    numbers[i] = c.range.numbers[c.offset + i]
    ms[i] = c.range.ms[c.offset + i]
  end
  local pick, how = nil, 'sticky'
  if c.sticky then
    local at, number, rate = stickyOf(c, stickyKey, numbers)
    if at == -1 then return { number, '0', 'ask' } end
    if at and at > c.count then
      keys[at] = prefix .. 'rl:' .. number
      numbers[at] = number
      ms[at] = rate
    end
    pick = at
  end
  local freeAt = {}
  local function free(i)
    if freeAt[i] == nil then freeAt[i] = tonumber(redis.call('GET', keys[i]) or '0') end
    return freeAt[i]
  end
  if not pick then
    how = 'free'
    for i = 1, c.count do
      if free(i) <= now then pick = i break end
    end
  end
  if not pick then
    if c.partial then return { '', '0', 'busy' } end
    how = 'earliest'
    for i = 1, c.count do
      if pick == nil or free(i) < free(pick) then pick = i end
    end
  end
  local start = math.max(free(pick), now)
  if not c.dry then
    local after = start + c.segments * ms[pick]
    redis.call('SET', keys[pick], string.format('%.3f', after), 'PX', math.ceil(after - now) + 1000)
    if c.sticky then redis.call('SET', stickyKey, numbers[pick], 'PX', c.stickyTtl) end
  end
  return { numbers[pick], tostring(math.ceil(start - now)), how }
end
local out = {}
local claims = tonumber(ARGV[a])
for n = 1, claims do
  local b = a + (n - 1) * 10
  local c = {
    range = ranges[tonumber(ARGV[b + 1])], offset = tonumber(ARGV[b + 2]), count = tonumber(ARGV[b + 3]),
    segments = tonumber(ARGV[b + 4]), stickyTtl = tonumber(ARGV[b + 5]), dry = ARGV[b + 6] == '1',
    outside = ARGV[b + 7], ask = ARGV[b + 8] == '1', sticky = ARGV[b + 9] == '1', partial = ARGV[b + 10] == '1',
  }
  local ok, answer = pcall(claim, c, KEYS[k + n])
  if ok then
    out[n] = answer
  else
    local why = type(answer) == 'table' and answer.err or tostring(answer)
    out[n] = { '', '0', 'error', why }
  end
end
return out
`;

export interface ClaimAnswer {
  readonly number: string;
  readonly delayMs: number;
  readonly how: ClaimResult['how'] | 'ask' | 'busy';
}

/** Most claims one script call carries: a few partition batches' worth. */
const MAX_CLAIMS_PER_CALL = 256;

interface ClaimCommand {
  routeClaims(keys: number, ...args: string[]): Promise<string[][]>;
}

/**
 * Books claims in batches: the claims handed over in one turn of the event loop (a partition batch's
 * concurrent handlers) go to Redis as one script call, one call at a time, instead of one call each. One
 * call per message was most of the router's and Redis's CPU per routed message (docs/performance.md,
 * "Router: claims in batches"). Each claim resolves with its own answer or rejects with its own error;
 * when the call itself fails (the connection), each claim of it is tried again alone, so one failed call
 * loses none and books none twice over what separate calls would.
 */
export class RedisClaims {
  private readonly batches: GroupCommitter<ClaimCall, ClaimAnswer | Error>;

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
  ) {
    this.redis.defineCommand('routeClaims', { lua: CLAIM_BATCH_SCRIPT });
    this.batches = new GroupCommitter((calls) => this.run(calls), {
      maxBatch: MAX_CLAIMS_PER_CALL,
      maxConcurrent: 1,
      gather: true,
    });
  }

  async claim(call: ClaimCall): Promise<ClaimAnswer> {
    const answer = await this.batches.submit(call);
    if (answer instanceof Error) {
      throw answer;
    }

    return answer;
  }

  /** Resolves when every claim handed over so far is answered. */
  drain(): Promise<void> {
    return this.batches.drain();
  }

  private async run(calls: readonly ClaimCall[]): Promise<(ClaimAnswer | Error)[]> {
    const { keys, args } = claimBatchArgs(calls, this.keyPrefix);
    const answers = await (this.redis as unknown as ClaimCommand).routeClaims(keys.length, ...keys, ...args);

    return calls.map((_, i) => {
      const [number = '', delay = '0', how = 'error', why = 'no answer'] = answers[i] ?? [];
      if (how === 'error') {
        return new Error(`claim failed in Redis: ${why}`);
      }

      return { number, delayMs: Math.max(0, Number(delay)), how: how as ClaimAnswer['how'] };
    });
  }
}
