/**
 * Claims in batches against the real Redis: the claims handed over in one turn share one script call and
 * book what one call each, in that order, would; a claim that fails in Redis fails alone; and a connection
 * cut in the middle of a batched call (a TCP proxy between the router and Redis) loses no message and
 * routes none twice, end to end through the routing consumer on the in-process bus.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket, connect } from 'node:net';
import { type Bus, createBus } from '@sms/bus';
import {
  DEFAULT_ACCOUNT_ID,
  type DispatchRequestedV1,
  Encoding,
  type MessageAcceptedV1,
  MessageClass,
  TOPICS,
} from '@sms/contracts';
import Redis from 'ioredis';
import { NoRouteBacklog } from '../routing/no-route-backlog';
import { RouterConsumer } from '../routing/router.consumer';
import { RoutingEngine } from '../routing/routing-engine';
import { RoutingMetrics } from '../routing/routing-metrics';
import { poolNumber, poolRate } from '../routing/routing.fixtures';
import { buildRouteSnapshot, snapshotRoutePool } from '../routing/snapshot/route-snapshot';
import { RedisRoutingState } from './redis-routing-state';
import type { ClaimRequest, SenderSlot } from './routing-state';

jest.setTimeout(60_000);

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const PREFIX = `sms-it:claims:${randomUUID().slice(0, 8)}:`;
const redisPort = Number(new URL(REDIS_URL).port || 6379);
const redisHost = new URL(REDIS_URL).hostname;

let raw: Redis;
let groupSeq = 0;
/** Script calls (EVALSHA or EVAL) sent by every client since the test began. */
let scriptCalls = 0;
/** Schedule keys those calls carried. */
let scheduleKeys = 0;
const sendCommand = Redis.prototype.sendCommand;

/** A group of fresh numbers at 1 segment/s: each booking holds its number for a second. */
const group = (size: number): SenderSlot[] => {
  const g = groupSeq++;

  return Array.from({ length: size }, (_, i) => ({
    number: `+4478${String(g).padStart(3, '0')}${String(i).padStart(5, '0')}`,
    segmentsPerSecond: 1,
  }));
};
const claimOf = (senders: readonly SenderSlot[], over: Partial<ClaimRequest> = {}): ClaimRequest => ({
  stickyKey: null,
  stickyTtlMs: 60_000,
  group: senders,
  start: 0,
  eligible: new Map(senders.map((s) => [s.number, s] as const)),
  segments: 1,
  dryRun: false,
  ...over,
});
/** Milliseconds each number's schedule is booked ahead of Redis's clock now. */
async function bookedAhead(senders: readonly SenderSlot[]): Promise<number[]> {
  const [seconds, micros] = await raw.time();
  const now = Number(seconds) * 1000 + Number(micros) / 1000;
  const values = await raw.mget(senders.map((s) => `${PREFIX}rl:${s.number}`));

  return values.map((v) => (v === null ? 0 : Number(v) - now));
}

beforeAll(() => {
  raw = new Redis(REDIS_URL);
  jest.spyOn(Redis.prototype, 'sendCommand').mockImplementation(function (this: Redis, command, stream) {
    const { name, args } = command as unknown as { name: string; args: unknown[] };
    if (name === 'evalsha' || name === 'eval') {
      scriptCalls++;
      scheduleKeys += args.filter((a) => typeof a === 'string' && a.startsWith(`${PREFIX}rl:`)).length;
    }

    return sendCommand.call(this, command, stream);
  });
});
beforeEach(() => {
  scriptCalls = 0;
  scheduleKeys = 0;
});

afterAll(async () => {
  jest.restoreAllMocks();
  const keys = await raw.keys(`${PREFIX}*`);
  if (keys.length > 0) {
    await raw.del(...keys);
  }
  raw.disconnect();
});

describe('RedisRoutingState: claims in batches', () => {
  let sut: RedisRoutingState;
  beforeAll(() => {
    sut = new RedisRoutingState({ url: REDIS_URL, keyPrefix: PREFIX });
  });
  afterAll(() => sut.close());

  it('books the claims of one turn in one call, as one call each in that order would', async () => {
    const senders = group(3);
    await sut.isReady();
    scriptCalls = 0;

    const answers = await Promise.all(Array.from({ length: 6 }, () => sut.claim(claimOf(senders))));

    expect(scriptCalls).toBe(1);
    // The first three take the free numbers in round-robin order; the next three the one free soonest,
    // which for numbers booked at the same instant is the first of them in order, then the next.
    expect(answers.map((a) => [a.number, a.how])).toEqual([
      [senders[0]!.number, 'free'],
      [senders[1]!.number, 'free'],
      [senders[2]!.number, 'free'],
      [senders[0]!.number, 'earliest'],
      [senders[1]!.number, 'earliest'],
      [senders[2]!.number, 'earliest'],
    ]);
    expect(answers.slice(0, 3).map((a) => a.delayMs)).toEqual([0, 0, 0]);
    for (const later of answers.slice(3)) {
      expect(later.delayMs).toBeGreaterThan(900);
      expect(later.delayMs).toBeLessThanOrEqual(1_000);
    }
    // Two bookings of a second each on every number, none more.
    for (const ahead of await bookedAhead(senders)) {
      expect(ahead).toBeGreaterThan(1_800);
      expect(ahead).toBeLessThanOrEqual(2_000);
    }
  });

  it('keeps each claim of a batch on its own recipient sticky sender', async () => {
    const senders = group(4);
    const [first, second] = [`r-${randomUUID()}`, `r-${randomUUID()}`];
    await Promise.all([
      sut.claim(claimOf(senders, { stickyKey: first, start: 2 })),
      sut.claim(claimOf(senders, { stickyKey: second, start: 3 })),
    ]);
    scriptCalls = 0;

    const answers = await Promise.all([
      sut.claim(claimOf(senders, { stickyKey: second })),
      sut.claim(claimOf(senders, { stickyKey: first })),
      sut.claim(claimOf(senders)),
    ]);

    expect(scriptCalls).toBe(1);
    expect(answers.map((a) => [a.number, a.how])).toEqual([
      [senders[3]!.number, 'sticky'],
      [senders[2]!.number, 'sticky'],
      [senders[0]!.number, 'free'],
    ]);
  });

  it('sends the senders that windows of one call share once, and books each claim in its own window', async () => {
    const senders = group(40);
    // Windows of 16 from starts 0..19, as the claims of one plan take their turns.
    const answers = await Promise.all(Array.from({ length: 20 }, (_, start) => sut.claim(claimOf(senders, { start }))));

    expect(scriptCalls).toBe(1);
    // One run of the group from sender 0 to 34, not 20 windows of 16 keys each.
    expect(scheduleKeys).toBe(19 + 16);
    expect(answers).toEqual(senders.slice(0, 20).map((s) => ({ number: s.number, delayMs: 0, how: 'free' })));
  });

  it('fails only the claim that fails in Redis; the others of its call book once each', async () => {
    const senders = group(2);
    const [broken] = group(1);
    // A schedule key of the wrong type: its claim's GET fails inside the script.
    await raw.hset(`${PREFIX}rl:${broken!.number}`, 'x', '1');
    scriptCalls = 0;

    const [a, b, c] = await Promise.allSettled([
      sut.claim(claimOf(senders)),
      sut.claim(claimOf([broken!])),
      sut.claim(claimOf(senders)),
    ]);

    expect(scriptCalls).toBe(1);
    expect(a).toEqual({ status: 'fulfilled', value: { number: senders[0]!.number, delayMs: 0, how: 'free' } });
    expect(b).toMatchObject({
      status: 'rejected',
      reason: expect.objectContaining({ message: expect.stringMatching(/WRONGTYPE/) }),
    });
    expect(c).toEqual({ status: 'fulfilled', value: { number: senders[1]!.number, delayMs: 0, how: 'free' } });
    for (const ahead of await bookedAhead(senders)) {
      expect(ahead).toBeGreaterThan(900);
      expect(ahead).toBeLessThanOrEqual(1_000);
    }
  });
});

/** A TCP proxy to Redis that can cut its connections at the next script call, before forwarding it. */
class CuttingProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private armed = false;
  cuts = 0;

  constructor() {
    this.server = createServer((client) => {
      const upstream = connect(redisPort, redisHost);
      this.sockets.add(client).add(upstream);
      client.on('data', (chunk: Buffer) => {
        if (this.armed && /evalsha|eval/i.test(chunk.toString('latin1', 0, 64))) {
          this.armed = false;
          this.cuts++;
          client.destroy();
          upstream.destroy();

          return;
        }
        upstream.write(chunk);
      });
      upstream.on('data', (chunk: Buffer) => client.write(chunk));
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('close', close).on('error', close);
      upstream.on('close', close).on('error', close);
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));

    return (this.server.address() as { port: number }).port;
  }

  arm(): void {
    this.armed = true;
  }

  async close(): Promise<void> {
    this.sockets.forEach((s) => s.destroy());
    await new Promise((resolve) => this.server.close(resolve));
  }
}

const accepted = (to: string): MessageAcceptedV1 => ({
  messageId: randomUUID(),
  accountId: DEFAULT_ACCOUNT_ID,
  attempt: 1,
  to,
  from: null,
  country: 'GB',
  body: 'hello',
  encoding: Encoding.Gsm7,
  segments: 1,
  messageClass: MessageClass.Transactional,
  validitySeconds: null,
  expiresAt: null,
  avoidProviders: [],
  pinProvider: null,
  acceptedAt: new Date().toISOString(),
});

describe('the routing consumer when the connection to Redis is cut in the middle of a batched call', () => {
  it('dispatches every message exactly once and books one slot per message', async () => {
    const proxy = new CuttingProxy();
    const port = await proxy.listen();
    const state = new RedisRoutingState({ url: `redis://127.0.0.1:${port}`, keyPrefix: PREFIX });
    const senders = group(4).map((s) => poolNumber(s.number, 'twilio', 'GB', 'longcode', 1));
    const snapshot = buildRouteSnapshot(['twilio'], senders, [poolRate('twilio', 'GB', '0.0400')], [], false);
    const engine = new RoutingEngine(
      snapshotRoutePool(() => snapshot),
      state,
    );
    const bus: Bus = createBus({ kind: 'in-process' });
    const metrics = new RoutingMetrics();
    const consumer = new RouterConsumer(
      engine,
      bus,
      new NoRouteBacklog(metrics, { baseDelayMs: 10, maxDelayMs: 50, capacity: 1000, maxWaitMs: 3_600_000 }),
      metrics,
    );
    const dispatched: DispatchRequestedV1[] = [];
    const messages = Array.from({ length: 24 }, (_, i) => accepted(`+44740055${String(i).padStart(4, '0')}`));
    try {
      await bus.subscribe({
        groupId: `it-${randomUUID()}`,
        topics: [TOPICS.accepted],
        handler: consumer.handle,
        concurrency: 16,
      });
      await bus.subscribe({
        groupId: `it-${randomUUID()}`,
        topics: [TOPICS.dispatch],
        handler: async (record) => {
          dispatched.push(record.value as DispatchRequestedV1);
        },
      });
      await state.isReady();
      proxy.arm();
      scriptCalls = 0;
      await bus.publish(messages.map((value) => ({ topic: TOPICS.accepted, key: value.messageId, value })));
      const deadline = Date.now() + 20_000;
      while (dispatched.length < messages.length && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await new Promise((resolve) => setTimeout(resolve, 200));

      expect(proxy.cuts).toBe(1);
      // Batched: far fewer script calls than messages, the cut one included.
      expect(scriptCalls).toBeLessThan(messages.length / 2);
      expect(dispatched.map((d) => d.messageId).sort()).toEqual(messages.map((m) => m.messageId).sort());
      // 24 bookings of a second over 4 numbers: each number booked 6 s ahead, not more (no slot taken twice).
      const ahead = await bookedAhead(senders.map((s) => ({ number: s.number, segmentsPerSecond: 1 })));
      expect(ahead.reduce((sum, ms) => sum + Math.ceil(ms / 1000), 0)).toBe(messages.length);
    } finally {
      await consumer.stop();
      await bus.close();
      await state.close();
      await proxy.close();
    }
  });
});
