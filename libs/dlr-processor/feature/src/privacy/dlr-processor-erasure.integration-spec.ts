/**
 * DlrProcessorEraser on both stores (MariaDB distributed, SQLite embedded): callbacks in the Twilio format
 * (form-encoded `To`) and parked receipts that name the person are rewritten, other people's are not, and a
 * second erasure changes nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServiceDataSource, erasureTargetOf } from '@sms/persistence';
import { createTestDatabase, type TestDatabase } from '@sms/testing';
import type { DataSource } from 'typeorm';
import { migrate } from '../../../../../scripts/migrate';
import { CallbackDeliveryEntity, CallbackState } from '../database/entities/callback-delivery.entity';
import { ParkedReceiptEntity } from '../database/entities/parked-receipt.entity';
import { DLR_PROCESSOR_ENTITIES, DLR_PROCESSOR_MIGRATIONS } from '../dlr-processor.module';
import { DlrProcessorEraser } from './dlr-processor-erasure';

interface Store {
  readonly dataSource: DataSource;
  close(): Promise<void>;
}

const stores: Record<string, () => Promise<Store>> = {
  mariadb: async () => {
    const db: TestDatabase = await createTestDatabase();
    await migrate(db.url, ['dlr-processor']);
    const dataSource = await createServiceDataSource({
      service: 'dlr-processor',
      database: { kind: 'mysql', url: db.url, poolSize: 2 },
      entities: DLR_PROCESSOR_ENTITIES,
      migrations: DLR_PROCESSOR_MIGRATIONS,
    }).initialize();

    return {
      dataSource,
      close: async () => {
        await dataSource.destroy();
        await db.drop();
      },
    };
  },
  sqlite: async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dlr-erasure-'));
    const dataSource = await createServiceDataSource({
      service: 'dlr-processor',
      database: { kind: 'sqlite', directory: dir },
      entities: DLR_PROCESSOR_ENTITIES,
      migrations: DLR_PROCESSOR_MIGRATIONS,
    }).initialize();

    return {
      dataSource,
      close: async () => {
        await dataSource.destroy();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

const PERSON = '+447400123456';
const OTHER = '+447400654321';
const TOKEN = 'e:AAAAAAAAAAAAAA';
const AT = new Date('2026-12-06T10:00:00Z');

const callback = (id: string, to: string): Partial<CallbackDeliveryEntity> => ({
  id,
  messageId: `${id.slice(0, 30)}-msg00`,
  seq: 1,
  url: 'https://example.com/status',
  body: new URLSearchParams({ MessageSid: 'SM1', MessageStatus: 'delivered', To: to, Body: 'secret text' }).toString(),
  format: 'twilio',
  signature: null,
  state: CallbackState.Pending,
  attempts: 0,
  nextAttemptAt: AT,
  leaseUntil: null,
  lastStatusCode: null,
  lastError: null,
  attemptLog: '[]',
  createdAt: AT,
  settledAt: null,
});

describe.each(Object.keys(stores))('DlrProcessorEraser on %s', (kind) => {
  let store: Store;

  beforeEach(async () => {
    store = await (stores[kind] as () => Promise<Store>)();
  });

  afterEach(async () => {
    await store.close();
  });

  it("rewrites the person's callbacks and parked receipts, leaves others', and is idempotent", async () => {
    const { dataSource } = store;
    await dataSource
      .getRepository(CallbackDeliveryEntity)
      .insert([
        callback('11111111-1111-4111-8111-111111111111', PERSON),
        callback('22222222-2222-4222-8222-222222222222', OTHER),
      ]);
    await dataSource.getRepository(ParkedReceiptEntity).insert([
      {
        provider: 'vonage',
        providerMessageId: 'p-1',
        event: JSON.stringify({ msisdn: '447400123456', status: 'delivered' }),
        reason: 'unmatched',
        webhookId: null,
        parkedAt: AT,
      },
      {
        provider: 'vonage',
        providerMessageId: 'p-2',
        event: JSON.stringify({ msisdn: '447400654321', status: 'delivered' }),
        reason: 'unmatched',
        webhookId: null,
        parkedAt: AT,
      },
    ]);
    const eraser = new DlrProcessorEraser(dataSource);

    expect(await eraser.erase(erasureTargetOf(PERSON, TOKEN))).toEqual({ callback_deliveries: 1, parked_receipts: 1 });

    const callbacks = await dataSource.getRepository(CallbackDeliveryEntity).find({ order: { id: 'ASC' } });
    expect(Object.fromEntries(new URLSearchParams(callbacks[0]?.body))).toMatchObject({ To: TOKEN, Body: '' });
    expect(Object.fromEntries(new URLSearchParams(callbacks[1]?.body))).toMatchObject({
      To: OTHER,
      Body: 'secret text',
    });
    const parked = await dataSource.getRepository(ParkedReceiptEntity).find({ order: { providerMessageId: 'ASC' } });
    expect(JSON.parse(parked[0]?.event ?? '')).toEqual({ msisdn: TOKEN, status: 'delivered' });
    expect(JSON.parse(parked[1]?.event ?? '')).toEqual({ msisdn: '447400654321', status: 'delivered' });

    expect(await eraser.erase(erasureTargetOf(PERSON, TOKEN))).toEqual({ callback_deliveries: 0, parked_receipts: 0 });
  });
});
