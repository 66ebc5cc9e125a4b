/**
 * The Redis claim against the real Redis: the same rules as the in-process state (sticky first, else
 * the first free sender in round-robin order, else the one free soonest).
 */
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { RedisRoutingState } from './redis-routing-state';
import type { ClaimRequest, SenderSlot } from './routing-state';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const PREFIX = `sms-it:claim:${randomUUID().slice(0, 8)}:`;

let sut: RedisRoutingState;
let groupSeq = 0;

/** A group of fresh numbers at 1 segment/s. */
const group = (size: number): SenderSlot[] => {
  const g = groupSeq++;

  return Array.from({ length: size }, (_, i) => ({
    number: `+4477${String(g).padStart(3, '0')}${String(i).padStart(5, '0')}`,
    segmentsPerSecond: 1,
  }));
};
const claim = (senders: readonly SenderSlot[], over: Partial<ClaimRequest> = {}) =>
  sut.claim({
    stickyKey: null,
    stickyTtlMs: 60_000,
    group: senders,
    start: 0,
    eligible: new Map(senders.map((s) => [s.number, s])),
    segments: 1,
    dryRun: false,
    ...over,
  });

beforeAll(() => {
  sut = new RedisRoutingState({ url: REDIS_URL, keyPrefix: PREFIX });
});

afterAll(async () => {
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
