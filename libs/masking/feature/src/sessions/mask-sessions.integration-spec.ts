/**
 * Masking sessions against a real MariaDB with the real masking migration: pool exhaustion, reuse of a
 * number across pairs, expiry, and the creation race that only the database's key can settle.
 */
import { ApiError } from '@sms/platform';
import { createServiceDataSource, migrateSlice } from '@sms/persistence';
import { createTestDatabase, type TestDatabase } from '@sms/testing';
import type { DataSource } from 'typeorm';
import { MASKING_ENTITIES, MASKING_MIGRATIONS } from '../database/masking.schema';
import { InProcessBus } from '@sms/bus';
import { DEFAULT_ACCOUNT_ID, type MaskDirectoryChangedV1, type SendRequestedV1, TOPICS } from '@sms/contracts';
import { keywordSet } from '@sms/opt-out-registry';
import { MaskingConsumer } from '../inbound/masking.consumer';
import { MaskSessions } from './mask-sessions';

jest.setTimeout(120_000);

const POOL = ['+12025550160', '+12025550161'];
const [A, B, C, D] = ['+14155550100', '+14155550101', '+14155550102', '+14155550103'];
const ACME = '6a4f1c1e-0d39-4c43-9a51-0b3a1e7d2f10';

let db: TestDatabase;
let dataSource: DataSource;
let clock: Date;
let sut: MaskSessions;
let published: MaskDirectoryChangedV1[];

beforeAll(async () => {
  db = await createTestDatabase();
  await migrateSlice(db.url, 'masking', MASKING_MIGRATIONS);
  dataSource = await createServiceDataSource({
    service: 'masking',
    database: { kind: 'mysql', url: db.url, poolSize: 20 },
    entities: MASKING_ENTITIES,
    migrations: MASKING_MIGRATIONS,
  }).initialize();
});

afterAll(async () => {
  await dataSource?.destroy();
  await db?.drop();
});

beforeEach(async () => {
  for (const table of ['mask_assignments', 'number_masks', 'mask_pool_numbers']) {
    await dataSource.query(`DELETE FROM ${table}`);
  }
  clock = new Date('2026-01-01T12:00:00.000Z');
  published = [];
  sut = new MaskSessions(
    dataSource,
    async (changes) => {
      published.push(...changes);
    },
    () => clock,
  );
  await sut.seedPoolIfEmpty(POOL);
});

const open = (partyA: string, partyB: string, ttlSeconds = 3600, accountId = ACME) =>
  sut.create({ partyA, partyB, contextId: null, ttlSeconds }, accountId);

const codeOf = async (work: Promise<unknown>): Promise<string> => {
  try {
    await work;

    return 'created';
  } catch (error) {
    if (error instanceof ApiError) {
      return error.code;
    }
    throw error;
  }
};

it('gives each participant at most one active session per pool number, then refuses', async () => {
  const first = await open(A, B);
  const second = await open(A, C);
  expect(first.partyA.maskedNumber).not.toBe(second.partyA.maskedNumber);
  expect(await codeOf(open(A, D))).toBe('NO_MASK_NUMBER_AVAILABLE');
  // Exhausted for A only: B still has a free number, and so has D.
  const third = await open(B, D);
  expect(third.partyA.maskedNumber).not.toBe(first.partyB.maskedNumber);
});

it('one pool number serves many pairs at once when their participants differ', async () => {
  await dataSource.query('DELETE FROM mask_pool_numbers WHERE number = ?', [POOL[1]]);
  const pairs = await Promise.all([open(A, B), open(C, D)]);
  expect(pairs.map((p) => [p.partyA.maskedNumber, p.partyB.maskedNumber])).toEqual([
    [POOL[0], POOL[0]],
    [POOL[0], POOL[0]],
  ]);
  expect(await codeOf(open(A, C))).toBe('NO_MASK_NUMBER_AVAILABLE');
  await sut.close(pairs[0].id);
  expect((await open(A, '+14155550104')).partyA.maskedNumber).toBe(POOL[0]);
});

it('routes inbound both ways while active, and nothing once expired (check on use)', async () => {
  const mask = await open(A, B, 60);
  const viaA = await sut.routeInbound(A, mask.partyA.maskedNumber);
  expect(viaA).toEqual({ kind: 'forward', maskId: mask.id, accountId: ACME, to: B, from: mask.partyB.maskedNumber });
  const viaB = await sut.routeInbound(B, mask.partyB.maskedNumber);
  expect(viaB).toEqual({ kind: 'forward', maskId: mask.id, accountId: ACME, to: A, from: mask.partyA.maskedNumber });
  expect(await sut.routeInbound(C, mask.partyA.maskedNumber)).toEqual({ kind: 'stranger' });
  expect(await sut.routeInbound(A, '+12025559999')).toEqual({ kind: 'not-masked' });

  clock = new Date(clock.getTime() + 61_000);
  expect(await sut.routeInbound(A, mask.partyA.maskedNumber)).toEqual({ kind: 'closed', maskId: mask.id });
  expect((await sut.find(mask.id, ACME))?.status).toBe('closed');
  expect(await sut.routeInbound(A, mask.partyA.maskedNumber)).toEqual({ kind: 'stranger' });
});

it('publishes the pool and both sides of each session to the directory, and their end', async () => {
  expect(published.map((c) => [c.kind, c.poolNumber, c.active])).toEqual(POOL.map((n) => ['pool', n, true]));
  published = [];
  const mask = await open(A, B);
  expect(published).toEqual([
    expect.objectContaining({
      participant: A,
      poolNumber: mask.partyA.maskedNumber,
      destination: B,
      sender: mask.partyB.maskedNumber,
      accountId: ACME,
      active: true,
    }),
    expect.objectContaining({
      participant: B,
      poolNumber: mask.partyB.maskedNumber,
      destination: A,
      sender: mask.partyA.maskedNumber,
      active: true,
    }),
  ]);
  published = [];
  await sut.close(mask.id);
  expect(published.map((c) => [c.participant, c.active])).toEqual([
    [A, false],
    [B, false],
  ]);
});

it('the sweep closes expired sessions and returns their numbers to the pool', async () => {
  await open(A, B, 30);
  await open(A, C, 3600);
  expect(await codeOf(open(A, D))).toBe('NO_MASK_NUMBER_AVAILABLE');
  clock = new Date(clock.getTime() + 31_000);
  expect(await sut.sweep()).toBe(1);
  expect(await sut.sweep()).toBe(0);
  expect(await codeOf(open(A, D))).toBe('created');
});

it('two creations racing for the last free number never both get it (the primary key decides)', async () => {
  await dataSource.query('DELETE FROM mask_pool_numbers WHERE number = ?', [POOL[1]]);
  for (let round = 0; round < 5; round++) {
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) => codeOf(open(A, `+1415555${String(200 + round * 10 + i)}`))),
    );
    expect(outcomes.filter((o) => o === 'created')).toHaveLength(round === 0 ? 1 : 0);
    expect(outcomes.filter((o) => o === 'NO_MASK_NUMBER_AVAILABLE')).toHaveLength(round === 0 ? 9 : 10);
  }
  const rows = await db.query<{ n: number }[]>('SELECT COUNT(*) AS n FROM mask_assignments WHERE participant = ?', [A]);
  expect(Number(rows[0]?.n)).toBe(1);
});

it('the key holds even when the code check is bypassed: a second assignment is refused by MariaDB', async () => {
  const mask = await open(A, B);
  await expect(
    db.query('INSERT INTO mask_assignments (participant, pool_number, mask_id) VALUES (?, ?, ?)', [
      A,
      mask.partyA.maskedNumber,
      '00000000-0000-0000-0000-000000000000',
    ]),
  ).rejects.toThrow(/Duplicate entry/);
});

it('a session belongs to the account that opened it: another account does not find it', async () => {
  const mask = await open(A, B);
  expect((await sut.find(mask.id, ACME))?.id).toBe(mask.id);
  expect(await sut.find(mask.id, DEFAULT_ACCOUNT_ID)).toBeNull();
  const [row] = await db.query<{ account_id: string }[]>('SELECT account_id FROM number_masks WHERE id = ?', [mask.id]);
  expect(row?.account_id).toBe(ACME);
});

it("lists the account's sessions newest first, page by page, by status, and never another account's", async () => {
  const first = await open(A, B, 60);
  clock = new Date(clock.getTime() + 1_000);
  const second = await open(C, D);
  clock = new Date(clock.getTime() + 1_000);
  const third = await open('+14155550104', '+14155550105');
  await open('+14155550106', '+14155550107', 3600, DEFAULT_ACCOUNT_ID);
  clock = new Date(clock.getTime() + 120_000);

  const page1 = await sut.list(ACME, { limit: 2 });
  expect(page1.data.map((m) => m.id)).toEqual([third.id, second.id]);
  const page2 = await sut.list(ACME, { limit: 2, after: page1.next });
  expect(page2.data.map((m) => m.id)).toEqual([first.id]);
  expect(page2.next).toBeUndefined();
  // The first expired a minute ago: closed in the list before the sweep gets to it.
  expect((await sut.list(ACME, { limit: 10, status: 'closed' })).data.map((m) => m.id)).toEqual([first.id]);
  expect((await sut.list(ACME, { limit: 10, status: 'active' })).data.map((m) => m.id)).toEqual([third.id, second.id]);
  expect((await sut.list(DEFAULT_ACCOUNT_ID, { limit: 10 })).data).toHaveLength(1);
});

it('keywords from a participant are not forwarded; other texts are, under the session’s account', async () => {
  const bus = new InProcessBus();
  const forwarded: SendRequestedV1[] = [];
  await bus.subscribe({
    groupId: 'forwards',
    topics: [TOPICS.send],
    handler: async (record) => {
      forwarded.push(record.value as SendRequestedV1);
    },
  });
  const consumer = new MaskingConsumer(sut, bus, '', keywordSet('ARRET', ''));
  const mask = await open(A, B);
  const inbound = (body: string) => ({
    topic: TOPICS.inbound,
    partition: 0,
    offset: '0',
    key: A,
    headers: {},
    attempt: 1,
    value: {
      webhookId: 'w1',
      provider: 'twilio',
      providerMessageId: `SM${Math.random().toString(36).slice(2)}`,
      from: A,
      to: mask.partyA.maskedNumber,
      body,
      receivedAt: new Date().toISOString(),
    },
  });
  try {
    for (const body of ['STOP', 'start', ' Help ', 'arret', 'STOPALL', 'Please stop texting me']) {
      await consumer.handle(inbound(body));
    }
    for (let i = 0; i < 100 && forwarded.length < 1; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(forwarded).toEqual([
      expect.objectContaining({
        to: B,
        from: mask.partyB.maskedNumber,
        body: 'Please stop texting me',
        accountId: ACME,
      }),
    ]);
  } finally {
    await bus.close();
  }
});

it('migrates sessions opened before accounts to the default account', async () => {
  const legacy = await createTestDatabase();
  const [first, accounts] = MASKING_MIGRATIONS;
  const ds = await createServiceDataSource({
    service: 'masking',
    database: { kind: 'mysql', url: legacy.url, poolSize: 2 },
    entities: [],
    migrations: [first as NonNullable<typeof first>],
  }).initialize();
  try {
    await ds.runMigrations();
    await ds.query(
      `INSERT INTO number_masks (id, party_a, masked_a, party_b, masked_b, status, expires_at, created_at)
       VALUES ('00000000-0000-4000-8000-0000000000aa', ?, ?, ?, ?, 'active', NOW(3), NOW(3))`,
      [A, POOL[0], B, POOL[0]],
    );
    const runner = ds.createQueryRunner();
    await new (accounts as NonNullable<typeof accounts>)().up(runner);
    await runner.release();
    const rows = await ds.query<{ account_id: string }[]>('SELECT account_id FROM number_masks');
    expect(rows.map((r) => r.account_id)).toEqual([DEFAULT_ACCOUNT_ID]);
  } finally {
    await ds.destroy();
    await legacy.drop();
  }
});
