/**
 * Another embedded region's opt-out states applied to this region's ledger (docs/regions.md, "Embedded mode"),
 * on both run modes' databases: a STOP from the peer is recorded and audited with its region, a second copy
 * changes nothing, a START removes the entry, and every state is published here for the replicas marked with
 * the peer's region, so it is never sent back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InProcessBus } from '@sms/bus';
import { DEFAULT_ACCOUNT_ID, type OptOutChangedV1, PEER_ORIGIN_HEADER, TOPICS } from '@sms/contracts';
import { createServiceDataSource, migrateSlice } from '@sms/persistence';
import { createTestDatabase, type TestDatabase } from '@sms/testing';
import type { DataSource } from 'typeorm';
import { OPT_OUT_ENTITIES, OPT_OUT_MIGRATIONS } from '../database/opt-out.schema';
import { OptOutLedger } from './opt-out.ledger';

jest.setTimeout(120_000);

const NUMBER = '+12025550177';
const state = (optedOut: boolean): OptOutChangedV1 => ({
  accountId: null,
  number: NUMBER,
  sender: null,
  optedOut,
  source: 'keyword',
  occurredAt: '2026-12-07T10:00:00.000Z',
  exemptMessageId: '0c0b7d6e-5a6f-4b7e-8c9d-1e2f3a4b5c6d',
});

describe.each(['mysql', 'sqlite'] as const)('opt-out ledger: states from a peer region (%s)', (kind) => {
  let db: TestDatabase | null = null;
  let dir: string | null = null;
  let dataSource: DataSource;
  let bus: InProcessBus;
  let ledger: OptOutLedger;
  const published: { value: OptOutChangedV1; origin: string | undefined }[] = [];

  beforeAll(async () => {
    if (kind === 'mysql') {
      db = await createTestDatabase();
      await migrateSlice(db.url, 'opt-out', OPT_OUT_MIGRATIONS);
    } else {
      dir = mkdtempSync(path.join(tmpdir(), 'sms-optout-peer-'));
    }
    dataSource = await createServiceDataSource({
      service: 'opt-out',
      database: db ? { kind: 'mysql', url: db.url, poolSize: 2 } : { kind: 'sqlite', directory: dir! },
      entities: OPT_OUT_ENTITIES,
      migrations: OPT_OUT_MIGRATIONS,
    }).initialize();
    bus = new InProcessBus();
    await bus.subscribe({
      groupId: 'collector',
      topics: [TOPICS.optout],
      handler: async (record) => {
        published.push({ value: record.value as OptOutChangedV1, origin: record.headers[PEER_ORIGIN_HEADER] });
      },
    });
    ledger = new OptOutLedger(dataSource, bus);
  });

  afterAll(async () => {
    await bus?.close();
    await dataSource?.destroy();
    await db?.drop();
    if (dir) {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const settle = async (count: number) => {
    for (let i = 0; i < 200 && published.length < count; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  it('records a STOP once, audited with the region, and lifts it on a START', async () => {
    expect(await ledger.applyFromPeer(state(true), 'eu')).toBe(true);
    expect(await ledger.applyFromPeer(state(true), 'eu')).toBe(false);
    const [entry] = await ledger.list(DEFAULT_ACCOUNT_ID, NUMBER, 10);
    expect(entry).toMatchObject({ number: NUMBER, scope: 'account', source: 'keyword', reason: 'from region eu' });
    expect(await ledger.applyFromPeer(state(false), 'eu')).toBe(true);
    expect(await ledger.applyFromPeer(state(false), 'eu')).toBe(false);
    expect(await ledger.list(DEFAULT_ACCOUNT_ID, NUMBER, 10)).toEqual([]);
    expect((await ledger.history(DEFAULT_ACCOUNT_ID, NUMBER, 10)).map((a) => [a.action, a.reason])).toEqual([
      ['opt_out', 'from region eu'],
      ['opt_in', 'from region eu'],
    ]);
    await settle(4);
    // Every state reaches this region's replicas, marked as the peer's, and without the peer's exemption.
    expect(published.map((p) => [p.value.optedOut, p.origin, p.value.exemptMessageId])).toEqual([
      [true, 'eu', null],
      [true, 'eu', null],
      [false, 'eu', null],
      [false, 'eu', null],
    ]);
  });
});
