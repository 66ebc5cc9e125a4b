/**
 * DlrProcessorEraser on both engines (MariaDB distributed, SQLite embedded): callbacks in the Twilio format
 * (form-encoded `To`) and parked receipts that name the person are rewritten, other people's are not, and a
 * second erasure changes nothing.
 */
import { erasureTargetOf } from '@sms/persistence';
import { type OpenSlice, sliceEngines } from '@sms/testing-slices';
import { CallbackDeliveryEntity, CallbackState } from '../database/entities/callback-delivery.entity';
import { ParkedReceiptEntity } from '../database/entities/parked-receipt.entity';
import { DLR_PROCESSOR_ENTITIES, DLR_PROCESSOR_MIGRATIONS } from '../dlr-processor.module';
import { DlrProcessorEraser } from './dlr-processor-erasure';

const ENGINES = sliceEngines({
  service: 'dlr-processor',
  entities: DLR_PROCESSOR_ENTITIES,
  migrations: DLR_PROCESSOR_MIGRATIONS,
  poolSize: 2,
});

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

describe.each(ENGINES)('DlrProcessorEraser on $name', (engine) => {
  let store: OpenSlice;

  beforeEach(async () => {
    store = await engine.open();
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
