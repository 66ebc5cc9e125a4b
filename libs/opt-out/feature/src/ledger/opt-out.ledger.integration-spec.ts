/**
 * The opt-out ledger against a real MariaDB with the real migration: racing STOPs record one entry and
 * one audit row, re-subscription removes exactly the named scopes, and the full republish reaches every
 * entry. Published states are read back from the in-process bus (the replicas' view).
 */
import { InProcessBus } from '@sms/bus';
import { decodeEvent, DEFAULT_ACCOUNT_ID, EVERY_ACCOUNT, OptOutChangedV1, TOPICS } from '@sms/contracts';
import { createServiceDataSource, migrateSlice } from '@sms/persistence';
import { createTestDatabase, type TestDatabase } from '@sms/testing';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { OPT_OUT_ENTITIES, OPT_OUT_MIGRATIONS } from '../database/opt-out.schema';
import { OptOutLedger } from './opt-out.ledger';

jest.setTimeout(120_000);

const NUMBER = '+447400123456';
const [S1, S2] = ['+12025550142', '+12025550143'];
const ACME = '6a4f1c1e-0d39-4c43-9a51-0b3a1e7d2f10';
const OTHER = '0c0b7d6e-5a6f-4b7e-8c9d-1e2f3a4b5c6d';

let db: TestDatabase;
let dataSource: DataSource;
let bus: InProcessBus;
let published: OptOutChangedV1[];
let sut: OptOutLedger;

beforeAll(async () => {
  db = await createTestDatabase();
  await migrateSlice(db.url, 'opt-out', OPT_OUT_MIGRATIONS);
  dataSource = await createServiceDataSource({
    service: 'opt-out',
    database: { kind: 'mysql', url: db.url, poolSize: 20 },
    entities: OPT_OUT_ENTITIES,
    migrations: OPT_OUT_MIGRATIONS,
  }).initialize();
  bus = new InProcessBus();
  published = [];
  await bus.subscribe({
    groupId: 'collector',
    topics: [TOPICS.optout],
    handler: async (record) => {
      published.push(decodeEvent(OptOutChangedV1, record.value));
    },
  });
  sut = new OptOutLedger(dataSource, bus);
});

afterAll(async () => {
  await bus?.close();
  await dataSource?.destroy();
  await db?.drop();
});

beforeEach(async () => {
  await dataSource.query('DELETE FROM opt_outs');
  await dataSource.query('DELETE FROM opt_out_audit');
  published.length = 0;
});

const settle = async (count: number) => {
  for (let i = 0; i < 200 && published.length < count; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

it('ten racing STOPs for one entry record it once, audit it once, and name one confirmation', async () => {
  const replies = Array.from({ length: 10 }, () => randomUUID());
  const created = await Promise.all(
    replies.map((exemptMessageId) =>
      sut.optOut({ accountId: ACME, number: NUMBER, sender: S1, source: 'keyword', reason: 'STOP', exemptMessageId }),
    ),
  );
  expect(created.filter(Boolean)).toHaveLength(1);
  const [entries, audit] = await Promise.all([
    db.query<unknown[]>('SELECT * FROM opt_outs'),
    db.query<{ action: string; source: string }[]>('SELECT action, source FROM opt_out_audit'),
  ]);
  expect(entries).toHaveLength(1);
  expect(audit).toEqual([{ action: 'opt_out', source: 'keyword' }]);
  await settle(10);
  expect(published).toHaveLength(10);
  expect(published.every((p) => p.optedOut && p.sender === S1)).toBe(true);
  expect(published.filter((p) => p.exemptMessageId)).toHaveLength(1);
});

it('re-subscribes exactly the named scopes, or every entry of the number', async () => {
  await sut.optOut({ accountId: ACME, number: NUMBER, sender: S1, source: 'api', reason: 'r' });
  await sut.optOut({ accountId: ACME, number: NUMBER, sender: S2, source: 'api', reason: 'r' });
  await sut.optOut({ accountId: ACME, number: NUMBER, sender: null, source: 'provider', reason: 'twilio 21610' });
  const acme = { accountIds: [ACME] };
  expect(
    await sut.optIn({ number: NUMBER, source: 'keyword', reason: 'START' }, { ...acme, senders: [S1, null] }),
  ).toBe(2);
  expect((await sut.list(ACME, NUMBER, 10)).map((e) => e.sender)).toEqual([S2]);
  expect(await sut.optIn({ number: NUMBER, source: 'api', reason: 'removed' }, { ...acme, senders: [S1] })).toBe(0);
  expect(await sut.optIn({ number: NUMBER, source: 'api', reason: 'removed' }, acme)).toBe(1);
  const history = await sut.history(ACME, NUMBER, 50);
  expect(history.map((h) => [h.action, h.sender, h.source])).toEqual([
    ['opt_out', S1, 'api'],
    ['opt_out', S2, 'api'],
    ['opt_out', null, 'provider'],
    ['opt_in', S1, 'keyword'],
    ['opt_in', null, 'keyword'],
    ['opt_in', S2, 'api'],
  ]);
});

it('republishes every entry in batches', async () => {
  for (let i = 0; i < 5; i++) {
    await sut.optOut({ accountId: ACME, number: `+4474001234${50 + i}`, sender: null, source: 'api', reason: 'r' });
  }
  await settle(5);
  published.length = 0;
  expect(await sut.republishAll(2)).toBe(5);
  await settle(5);
  expect(published.map((p) => [p.number, p.optedOut, p.source, p.accountId])).toEqual(
    Array.from({ length: 5 }, (_, i) => [`+4474001234${50 + i}`, true, 'replay', ACME]),
  );
});

it('keeps accounts apart: one account never sees, finds or removes another account’s entry', async () => {
  await sut.optOut({ accountId: ACME, number: NUMBER, sender: null, source: 'api', reason: 'acme' });
  expect(await sut.optOut({ accountId: OTHER, number: NUMBER, sender: null, source: 'api', reason: 'other' })).toBe(
    true,
  );
  expect((await sut.list(OTHER, NUMBER, 10)).map((e) => e.reason)).toEqual(['other']);
  expect((await sut.list(OTHER, null, 10)).map((e) => e.reason)).toEqual(['other']);
  expect(await sut.find(OTHER, '+447400123499', null)).toBeNull();
  expect(await sut.optIn({ number: NUMBER, source: 'api', reason: 'removed' }, { accountIds: [OTHER] })).toBe(1);
  expect((await sut.list(ACME, NUMBER, 10)).map((e) => e.reason)).toEqual(['acme']);
  expect((await sut.history(OTHER, NUMBER, 10)).map((h) => h.action)).toEqual(['opt_out', 'opt_in']);
  expect(await sut.history(ACME, NUMBER, 10)).toHaveLength(1);
});

it('shows every-account entries to every account, and keys published states by account', async () => {
  await sut.optOut({ accountId: EVERY_ACCOUNT, number: NUMBER, sender: null, source: 'keyword', reason: 'STOPALL' });
  const [entry] = await sut.list(OTHER, NUMBER, 10);
  expect(entry).toEqual(expect.objectContaining({ everyAccount: true, scope: 'account', sender: null }));
  expect((await sut.history(ACME, NUMBER, 10)).map((h) => h.everyAccount)).toEqual([true]);
  // An account's DELETE removes its own entries only: STOPALL is the recipient's, undone by START.
  expect(await sut.optIn({ number: NUMBER, source: 'api', reason: 'removed' }, { accountIds: [ACME] })).toBe(0);
  await settle(1);
  expect(published[0]).toEqual(expect.objectContaining({ accountId: EVERY_ACCOUNT, optedOut: true }));
});

it('migrates rows written before accounts to the default account', async () => {
  // A database at the first migration, with an entry and its audit row, then the account migration.
  const legacy = await createTestDatabase();
  const [first, accounts] = OPT_OUT_MIGRATIONS;
  const ds = await createServiceDataSource({
    service: 'opt-out',
    database: { kind: 'mysql', url: legacy.url, poolSize: 2 },
    entities: [],
    migrations: [first as NonNullable<typeof first>],
  }).initialize();
  try {
    await ds.runMigrations();
    await ds.query(
      "INSERT INTO opt_outs (number, scope_key, reason, source, created_at) VALUES (?, '*', 'STOP', 'keyword', NOW(3))",
      [NUMBER],
    );
    await ds.query(
      "INSERT INTO opt_out_audit (number, scope_key, action, source, reason, created_at) VALUES (?, '*', 'opt_out', 'keyword', 'STOP', NOW(3))",
      [NUMBER],
    );
    const runner = ds.createQueryRunner();
    await new (accounts as NonNullable<typeof accounts>)().up(runner);
    await runner.release();
    const rows = await ds.query<{ account_id: string }[]>(
      'SELECT account_id FROM opt_outs UNION ALL SELECT account_id FROM opt_out_audit',
    );
    expect(rows.map((r) => r.account_id)).toEqual([DEFAULT_ACCOUNT_ID, DEFAULT_ACCOUNT_ID]);
  } finally {
    await ds.destroy();
    await legacy.drop();
  }
});
