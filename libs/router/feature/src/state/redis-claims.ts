import type Redis from 'ioredis';
import { GroupCommitter } from '@sms/persistence';
import { type ClaimRequest, type ClaimResult, inTurn, msPerSegment } from './routing-state';

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
 * ARGV[1] the number of claims; then per claim: its sender count n, segments, stickyTtlMs, dryRun, key
 * prefix, the recipient's sticky sender when it is eligible but not among those sent ("<number>\t<ms>",
 * else ''), ask ('1': the caller has not said, so a sticky sender not among those sent is answered 'ask'
 * and nothing is booked), sticky ('1': its first key is the recipient's; '0' for a message with an
 * explicit `from`: an empty key would arrive with the client's key prefix), partial ('1': the senders sent
 * are only the first ones of the group in round-robin order, so when none of them is free the answer is
 * 'busy' and nothing is booked: the earliest free one may be among the others), members (the whole group
 * as ",<number>=<msPerSegment>,..." or '': a sticky sender found there is kept without asking back), then
 * per sender: number, msPerSegment. KEYS per claim: its sticky key, then the schedule key of each sender
 * sent, in round-robin order. A sticky sender's schedule key outside those sent is built from the prefix.
 * Only a window of the group is sent at first (RedisRoutingState.claim asks again with more when needed):
 * every sender's key and rate on every booking (hundreds) cost more CPU and allocation than the rest of a
 * cold decision.
 */
const CLAIM_BATCH_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local function stickyOf(k, a, count, numbers)
  local sticky = redis.call('GET', KEYS[k])
  if not sticky then return nil end
  for i = 1, count do
    if numbers[i] == sticky then return i end
  end
  local found = nil
  local outside = ARGV[a + 5]
  local members = ARGV[a + 9]
  local tab = string.find(outside, '\\t', 1, true)
  if tab and string.sub(outside, 1, tab - 1) == sticky then
    found = tonumber(string.sub(outside, tab + 1))
  elseif members ~= '' then
    local at = string.find(members, ',' .. sticky .. '=', 1, true)
    local stop = at and string.find(members, ',', at + #sticky + 2, true)
    if stop then found = tonumber(string.sub(members, at + #sticky + 2, stop - 1)) end
  end
  if found then return count + 1, sticky, found end
  if ARGV[a + 6] == '1' then return -1, sticky end
  return nil
end
local function claim(k, a, count)
  local keys, numbers, ms = {}, {}, {}
  for i = 1, count do
    keys[i] = KEYS[k + i]
    numbers[i] = ARGV[a + 9 + (i - 1) * 2 + 1]
    ms[i] = tonumber(ARGV[a + 9 + (i - 1) * 2 + 2])
  end
  local hasSticky = ARGV[a + 7] == '1'
  local pick, how = nil, 'sticky'
  if hasSticky then
    local at, number, rate = stickyOf(k, a, count, numbers)
    if at == -1 then return { number, '0', 'ask' } end
    if at and at > count then
      keys[at] = ARGV[a + 4] .. 'rl:' .. number
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
    for i = 1, count do
      if free(i) <= now then pick = i break end
    end
  end
  if not pick then
    if ARGV[a + 8] == '1' then return { '', '0', 'busy' } end
    how = 'earliest'
    for i = 1, count do
      if pick == nil or free(i) < free(pick) then pick = i end
    end
  end
  local start = math.max(free(pick), now)
  if ARGV[a + 3] ~= '1' then
    local after = start + tonumber(ARGV[a + 1]) * ms[pick]
    redis.call('SET', keys[pick], string.format('%.3f', after), 'PX', math.ceil(after - now) + 1000)
    if hasSticky then redis.call('SET', KEYS[k], numbers[pick], 'PX', tonumber(ARGV[a + 2])) end
  end
  return { numbers[pick], tostring(math.ceil(start - now)), how }
end
local out = {}
local k, a = 1, 1
for c = 1, tonumber(ARGV[1]) do
  local count = tonumber(ARGV[a + 1])
  local ok, answer = pcall(claim, k, a + 1, count)
  if ok then
    out[c] = answer
  else
    local why = type(answer) == 'table' and answer.err or tostring(answer)
    out[c] = { '', '0', 'error', why }
  end
  k = k + 1 + count
  a = a + 10 + 2 * count
end
return out
`;

/** One script call's worth of a claim: the first `count` senders of the group in round-robin order. */
export interface ClaimCall {
  readonly request: ClaimRequest;
  readonly count: number;
  readonly partial: boolean;
  /** The recipient's sticky sender outside the group ("<number>\t<ms>"), when the caller looked it up. */
  readonly stickyOutside: string;
  readonly ask: boolean;
}

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
    const keys: string[] = [];
    const args: string[] = [String(calls.length)];
    for (const call of calls) {
      this.append(call, keys, args);
    }
    const answers = await (this.redis as unknown as ClaimCommand).routeClaims(keys.length, ...keys, ...args);

    return calls.map((_, i) => {
      const [number = '', delay = '0', how = 'error', why = 'no answer'] = answers[i] ?? [];
      if (how === 'error') {
        return new Error(`claim failed in Redis: ${why}`);
      }

      return { number, delayMs: Math.max(0, Number(delay)), how: how as ClaimAnswer['how'] };
    });
  }

  private append(call: ClaimCall, keys: string[], args: string[]): void {
    const { request, count } = call;
    keys.push(request.stickyKey ? `st:${request.stickyKey}` : '');
    args.push(
      String(count),
      String(request.segments),
      String(request.stickyTtlMs),
      request.dryRun ? '1' : '0',
      this.keyPrefix,
      call.stickyOutside,
      call.ask ? '1' : '0',
      request.stickyKey ? '1' : '0',
      call.partial ? '1' : '0',
      // Only a partial window needs it: with the whole group sent, a sticky sender in it is among them.
      request.stickyKey && call.partial ? (request.group.membership ?? '') : '',
    );
    for (let i = 0; i < count; i++) {
      const slot = inTurn(request.group, request.start, i);
      keys.push(`rl:${slot.number}`);
      args.push(slot.number, String(msPerSegment(slot)));
    }
  }
}
