/**
 * Number ownership on both run modes' databases (MariaDB through the router's migrations, SQLite from the
 * entities): the operator API gives a number to an account, checks the id, and the publisher writes the
 * directory intake files inbound messages by.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_ACCOUNT_ID } from '@sms/contracts';
import { MemoryKeyValueStore, numberOwnersKey, parseNumberOwners } from '@sms/counters';
import { createServiceDataSource, migrateSlice } from '@sms/persistence';
import { createTestDatabase, type TestDatabase } from '@sms/testing';
import type { DataSource } from 'typeorm';
import { ROUTER_ENTITIES, ROUTER_MIGRATIONS } from '../database/router.schema';
import { seedRouterIfEmpty } from '../database/router.seed';
import { OperatorService } from '../operator/operator.service';
import { NumberOwnersPublisher } from './number-owners.publisher';

jest.setTimeout(120_000);

const ACME = '0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3';
const UNKNOWN = '1b2c3d4e-5f6a-4b7c-8d9e-9fa0b1c2d3e4';

describe.each(['mysql', 'sqlite'] as const)('number ownership (%s)', (kind) => {
  let db: TestDatabase | null = null;
  let dir: string | null = null;
  let dataSource: DataSource;
  let operator: OperatorService;
  let publisher: NumberOwnersPublisher;
  const kv = new MemoryKeyValueStore();

  beforeAll(async () => {
    if (kind === 'mysql') {
      db = await createTestDatabase();
      await migrateSlice(db.url, 'router', ROUTER_MIGRATIONS);
    } else {
      dir = mkdtempSync(path.join(tmpdir(), 'sms-owners-'));
    }
    dataSource = await createServiceDataSource({
      service: 'router',
      database: db ? { kind: 'mysql', url: db.url, poolSize: 2 } : { kind: 'sqlite', directory: dir! },
      entities: ROUTER_ENTITIES,
      migrations: ROUTER_MIGRATIONS,
    }).initialize();
    await seedRouterIfEmpty(dataSource, {});
    publisher = new NumberOwnersPublisher(dataSource, kv, 'test:');
    operator = new OperatorService(
      dataSource,
      () => publisher.refresh(),
      undefined,
      async (accountId) => [ACME, DEFAULT_ACCOUNT_ID].includes(accountId),
    );
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await kv.close();
    await db?.drop();
    if (dir) {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const directory = async () => parseNumberOwners(await kv.get(numberOwnersKey('test:')))?.owners;

  it('keeps the pool in the default account and publishes no owner for it', async () => {
    expect((await operator.listNumbers({})).every((n) => n.accountId === DEFAULT_ACCOUNT_ID)).toBe(true);
    await publisher.publish();
    expect(await directory()).toEqual({});
  });

  it('gives a new or existing number to an account, and publishes it', async () => {
    const created = await operator.createNumber({
      number: '+447400123456',
      provider: 'twilio',
      country: 'GB',
      type: 'longcode',
      accountId: ACME,
    });
    expect(created.accountId).toBe(ACME);
    expect((await operator.updateNumber('+12025550142', { accountId: ACME })).accountId).toBe(ACME);
    expect(await directory()).toEqual({ '+447400123456': ACME, '+12025550142': ACME });

    expect((await operator.updateNumber('+12025550142', { accountId: DEFAULT_ACCOUNT_ID })).accountId).toBe(
      DEFAULT_ACCOUNT_ID,
    );
    expect(await directory()).toEqual({ '+447400123456': ACME });
  });

  it.each([
    [{ accountId: 'acme' }, 422, 'INVALID_ACCOUNT_ID'],
    [{ accountId: 42 }, 422, 'INVALID_ACCOUNT_ID'],
    [{ accountId: UNKNOWN }, 404, 'ACCOUNT_NOT_FOUND'],
  ])('refuses %j with %i %s and changes nothing', async (body, status, code) => {
    await expect(operator.updateNumber('+12025550143', body)).rejects.toMatchObject({
      status,
      code,
      field: 'accountId',
    });
    expect((await operator.listNumbers({})).find((n) => n.number === '+12025550143')?.accountId).toBe(
      DEFAULT_ACCOUNT_ID,
    );
  });
});
