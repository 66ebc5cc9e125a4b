/**
 * The Redis claim against the real Redis: the same rules as the in-process state (sticky first, else
 * the first free sender in round-robin order, else the one free soonest), also for groups larger than
 * the window it sends first, whose other senders it sends only when needed.
 */
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { CLAIM_WINDOW, RedisRoutingState } from './redis-routing-state';
import {
  type ClaimRequest,
  type CountedOutcome,
  EMPTY_HEALTH,
  msPerSegment,
  type SenderSequence,
  type SenderSlot,
  tallyOutcomes,
} from './routing-state';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const PREFIX = `sms-it:claim:${randomUUID().slice(0, 8)}:`;

const sendCommand = Redis.prototype.sendCommand;
let sut: RedisRoutingState;
/** Schedule keys carried by each claim script call since the test began. */
let sent: number[] = [];
let groupSeq = 0;

/** A group of fresh numbers at 1 segment/s. */
const group = (size: number): SenderSlot[] => {
  const g = groupSeq++;

  return Array.from({ length: size }, (_, i) => ({
    number: `+4477${String(g).padStart(3, '0')}${String(i).padStart(5, '0')}`,
    segmentsPerSecond: 1,
  }));
};
/** The group as the engine hands it over: with its members, as SenderList gives them. */
const withMembership = (senders: readonly SenderSlot[]): SenderSequence => ({
  length: senders.length,
  at: (i) => senders[i],
  membership: `,${senders.map((s) => `${s.number}=${msPerSegment(s)}`).join(',')},`,
});
const claim = (senders: SenderSequence, over: Partial<ClaimRequest> = {}) =>
  sut.claim({
    stickyKey: null,
    stickyTtlMs: 60_000,
    group: senders,
    start: 0,
    eligible: new Map(
      Array.from({ length: senders.length }, (_, i) => senders.at(i)!).map((s) => [s.number, s] as const),
    ),
    segments: 1,
    dryRun: false,
    ...over,
  });

beforeAll(() => {
  sut = new RedisRoutingState({ url: REDIS_URL, keyPrefix: PREFIX });
  jest.spyOn(Redis.prototype, 'sendCommand').mockImplementation(function (this: Redis, command, stream) {
    const { name, args } = command as unknown as { name: string; args: unknown[] };
    if (name === 'evalsha') {
      sent.push(args.filter((a) => typeof a === 'string' && a.startsWith(`${PREFIX}rl:`)).length);
    }

    return sendCommand.call(this, command, stream);
  });
});
beforeEach(() => {
  sent = [];
});

afterAll(async () => {
  jest.restoreAllMocks();
  await sut?.close();
  const redis = new Redis(REDIS_URL);
  try {
    const keys = await redis.keys(`${PREFIX}*`);
    if (keys.length > 0) {
      await redis.del(...keys);
    }
  } finally {
    redis.disconnect();
  }
});

describe('RedisRoutingState.claim', () => {
  it('keeps no sticky sender for a message without a sticky key (an explicit from), and stores none', async () => {
    const senders = group(2);
    expect(await claim(senders)).toEqual({ number: senders[0]!.number, delayMs: 0, how: 'free' });

    // Before, the script read and wrote the bare key prefix as the sticky key of every such message.
    expect(await claim(senders)).toEqual({ number: senders[1]!.number, delayMs: 0, how: 'free' });
    const redis = new Redis(REDIS_URL);
    try {
      expect(await redis.exists(PREFIX)).toBe(0);
    } finally {
      redis.disconnect();
    }
  });

  it('keeps a recipient on its sticky sender, and takes the one free soonest when all are busy', async () => {
    const senders = group(3);
    const stickyKey = `r-${randomUUID()}`;
    expect(await claim(senders, { stickyKey, start: 2 })).toMatchObject({ number: senders[2]!.number, how: 'free' });
    expect(await claim(senders, { stickyKey, segments: 2 })).toMatchObject({
      number: senders[2]!.number,
      how: 'sticky',
    });
    await claim(senders, { segments: 2 });
    await claim(senders, { segments: 2 });
    const earliest = await claim(senders);

    // Index 2 is free after 3 s, 0 and 1 after 2 s: the first of those in round-robin order.
    expect(earliest).toMatchObject({ number: senders[0]!.number, how: 'earliest' });
    expect(earliest.delayMs).toBeGreaterThan(1_500);
    expect(earliest.delayMs).toBeLessThanOrEqual(2_000);
  });
});

describe('RedisRoutingState.claim with a group larger than its window', () => {
  const size = CLAIM_WINDOW + 4;

  it('sends only the window while one of it is free', async () => {
    const senders = group(size);

    expect(await claim(senders, { start: 3 })).toEqual({ number: senders[3]!.number, delayMs: 0, how: 'free' });
    expect(sent).toEqual([CLAIM_WINDOW]);
  });

  it('asks again with the whole group when the window is all busy, and takes the first free one after it', async () => {
    const senders = group(size);
    for (let i = 0; i < CLAIM_WINDOW; i++) {
      expect((await claim(senders)).number).toBe(senders[i]!.number);
    }
    sent = [];

    expect(await claim(senders)).toEqual({ number: senders[CLAIM_WINDOW]!.number, delayMs: 0, how: 'free' });
    expect(sent).toEqual([CLAIM_WINDOW, size]);
  });

  it('wraps the window past the end of the group, in round-robin order', async () => {
    const senders = group(size);
    await claim(senders, { start: size - 1 });
    sent = [];

    expect(await claim(senders, { start: size - 1 })).toEqual({ number: senders[0]!.number, delayMs: 0, how: 'free' });
    expect(sent).toEqual([CLAIM_WINDOW]);
  });

  it('takes the one free soonest over the whole group when every sender is busy, outside the window too', async () => {
    const senders = group(size);
    const soonest = size - 2;
    for (let i = 0; i < size; i++) {
      await claim(senders, { start: i, segments: i === soonest ? 2 : 5 });
    }
    const outcome = await claim(senders);

    expect(outcome).toMatchObject({ number: senders[soonest]!.number, how: 'earliest' });
    expect(outcome.delayMs).toBeGreaterThan(1_500);
    expect(outcome.delayMs).toBeLessThanOrEqual(2_000);
  });

  it('keeps a sticky sender that is in the group but outside the window', async () => {
    const senders = group(size);
    const stickyKey = `r-${randomUUID()}`;
    const last = size - 1;
    expect((await claim(senders, { stickyKey, start: last })).number).toBe(senders[last]!.number);
    sent = [];

    expect(await claim(senders, { stickyKey, segments: 2 })).toMatchObject({
      number: senders[last]!.number,
      how: 'sticky',
    });
    // The window first (answered 'ask'), then the window again with that one sender by value.
    expect(sent).toEqual([CLAIM_WINDOW, CLAIM_WINDOW]);
  });

  it('keeps a sticky sender outside the window in one call when the group gives its members', async () => {
    const slots = group(size);
    const senders = withMembership(slots);
    const stickyKey = `r-${randomUUID()}`;
    const last = size - 1;
    expect((await claim(senders, { stickyKey, start: last })).number).toBe(slots[last]!.number);
    sent = [];

    expect(await claim(senders, { stickyKey, segments: 2 })).toMatchObject({
      number: slots[last]!.number,
      how: 'sticky',
    });
    expect(sent).toEqual([CLAIM_WINDOW]);
    // A sticky sender in neither the window nor the members is asked back for, as before.
    const outside = group(1)[0]!;
    await claim([outside], { stickyKey, eligible: new Map([[outside.number, outside]]) });
    sent = [];
    expect(
      await claim(senders, { stickyKey, eligible: new Map([...slots, outside].map((s) => [s.number, s])) }),
    ).toMatchObject({ number: outside.number, how: 'sticky' });
    expect(sent).toEqual([CLAIM_WINDOW, CLAIM_WINDOW]);
  });

  it('drops a sticky sender no longer eligible and still falls back to the whole group when the window is busy', async () => {
    const senders = group(size);
    const stickyKey = `r-${randomUUID()}`;
    const [gone] = group(1);
    await claim([gone!], { stickyKey });
    for (let i = 0; i < CLAIM_WINDOW; i++) {
      await claim(senders);
    }

    expect(await claim(senders, { stickyKey })).toEqual({
      number: senders[CLAIM_WINDOW]!.number,
      delayMs: 0,
      how: 'free',
    });
    // The new pick sticks.
    expect(await claim(senders, { stickyKey, start: 1 })).toMatchObject({
      number: senders[CLAIM_WINDOW]!.number,
      how: 'sticky',
    });
  });

  it('books nothing on a dry run, in the window or after it', async () => {
    const senders = group(size);
    for (let i = 0; i < CLAIM_WINDOW; i++) {
      await claim(senders);
    }
    for (let i = 0; i < 3; i++) {
      expect(await claim(senders, { dryRun: true, segments: 5 })).toEqual({
        number: senders[CLAIM_WINDOW]!.number,
        delayMs: 0,
        how: 'free',
      });
    }
  });
});

describe('RedisRoutingState.readHealth', () => {
  it("sums each provider's buckets inside the window, with its streak, in one call", async () => {
    let now = 1_800_000_000_000;
    const clocked = new RedisRoutingState({ url: REDIS_URL, keyPrefix: PREFIX }, () => now);
    try {
      const provider = `p-${randomUUID().slice(0, 8)}`;
      // One bucket that will have left the window, then two inside it.
      await clocked.recordOutcome(provider, 'error', 100);
      now += 250_000;
      await clocked.recordOutcome(provider, 'sent', 300);
      await clocked.recordOutcome(provider, 'delivered');
      now += 20_000;
      await clocked.recordOutcome(provider, 'sent', 500);
      await clocked.recordOutcome(provider, 'sent');
      await clocked.recordOutcome(provider, 'undelivered');
      now += 40_000;
      sent = [];
      const health = await clocked.readHealth([provider, 'never-seen']);

      expect(health.get(provider)).toEqual({
        attempts: 3,
        errors: 0,
        delivered: 1,
        undelivered: 1,
        latencySumMs: 800,
        latencyCount: 2,
        streak: 3,
      });
      expect(health.get('never-seen')).toEqual(EMPTY_HEALTH);
      expect(await clocked.readHealth([])).toEqual(new Map());
    } finally {
      await clocked.close();
    }
  });
});

describe('RedisRoutingState.recordTallies', () => {
  it('writes tallies of several providers in one call, as one by one, and a later bucket still prunes', async () => {
    let now = 1_800_000_000_000;
    const clocked = new RedisRoutingState({ url: REDIS_URL, keyPrefix: PREFIX }, () => now);
    try {
      const id = randomUUID().slice(0, 8);
      const [alpha, bravo, alpha1, bravo1] = [`a-${id}`, `b-${id}`, `a1-${id}`, `b1-${id}`];
      const first: CountedOutcome[] = [
        ...Array.from({ length: 40 }, () => ({ provider: alpha, outcome: 'delivered' as const })),
        { provider: alpha, outcome: 'sent', latencyMs: 100 },
        { provider: bravo, outcome: 'sent', latencyMs: 10 },
        { provider: bravo, outcome: 'sent', latencyMs: 10 },
      ];
      const second: CountedOutcome[] = [
        { provider: alpha, outcome: 'sent', latencyMs: 200 },
        { provider: bravo, outcome: 'sent' },
        { provider: alpha, outcome: 'error', latencyMs: 300 },
        { provider: bravo, outcome: 'undelivered' },
        { provider: alpha, outcome: 'sent', latencyMs: 400 },
        { provider: alpha, outcome: 'undelivered' },
      ];
      // The same outcomes under other names, one script per outcome, in the same buckets.
      const oneByOne = async (outcomes: readonly CountedOutcome[]) => {
        for (const { provider, outcome, latencyMs } of outcomes) {
          await clocked.recordOutcome(provider === alpha ? alpha1 : bravo1, outcome, latencyMs);
        }
      };

      await clocked.recordTallies(tallyOutcomes(first));
      await oneByOne(first);
      now += 250_000;
      sent = [];
      await clocked.recordTallies(tallyOutcomes(second));
      expect(sent).toHaveLength(1);
      await oneByOne(second);

      const health = await clocked.readHealth([alpha, bravo, alpha1, bravo1]);
      expect(health.get(alpha)).toEqual({
        attempts: 4,
        errors: 1,
        delivered: 40,
        undelivered: 1,
        latencySumMs: 1_000,
        latencyCount: 4,
        streak: 1,
      });
      expect(health.get(bravo)).toEqual({
        ...EMPTY_HEALTH,
        attempts: 3,
        undelivered: 1,
        latencySumMs: 20,
        latencyCount: 2,
        streak: 3,
      });
      expect(health.get(alpha1)).toEqual(health.get(alpha));
      expect(health.get(bravo1)).toEqual(health.get(bravo));

      // The first bucket leaves the window; the next write opens a bucket and prunes it.
      now += 60_000;
      await clocked.recordTallies(tallyOutcomes([{ provider: alpha, outcome: 'delivered' }]));
      const raw = new Redis(REDIS_URL);
      try {
        const fields = Object.keys(await raw.hgetall(`${PREFIX}h:${alpha}`));
        expect(fields.filter((field) => field.startsWith('1800000000000:'))).toEqual([]);
        expect(fields.length).toBeGreaterThan(0);
      } finally {
        raw.disconnect();
      }
      expect((await clocked.readHealth([alpha])).get(alpha)).toEqual({
        ...EMPTY_HEALTH,
        attempts: 3,
        errors: 1,
        delivered: 1,
        undelivered: 1,
        latencySumMs: 900,
        latencyCount: 3,
        streak: 1,
      });
      await clocked.recordTallies([]);
    } finally {
      await clocked.close();
    }
  });
});
