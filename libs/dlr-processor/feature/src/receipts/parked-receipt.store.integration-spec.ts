/**
 * ParkedReceiptStore on both stores (MariaDB distributed, SQLite embedded): receipts parked at once share
 * one check and one INSERT, a replay's receipt already parked is not parked again, parked receipts come
 * back oldest first, and ids applied at once are deleted by one statement.
 */
import { type OpenSlice, sliceEngines } from '@sms/testing-slices';
import type { BeforeQueryEvent } from 'typeorm';
import { DLR_PROCESSOR_ENTITIES, DLR_PROCESSOR_MIGRATIONS } from '../dlr-processor.module';
import { ParkedReceiptStore, type UnmatchedReceipt } from './parked-receipt.store';

const ENGINES = sliceEngines({
  service: 'dlr-processor',
  entities: DLR_PROCESSOR_ENTITIES,
  migrations: DLR_PROCESSOR_MIGRATIONS,
});

const receipt = (webhookId: string, providerMessageId: string, n: number): UnmatchedReceipt => ({
  provider: 'twilio',
  providerMessageId,
  event: `{"n":${n}}`,
  webhookId,
});

describe.each(ENGINES)('ParkedReceiptStore on $name', (engine) => {
  let store: OpenSlice;
  let parked: ParkedReceiptStore;
  const statements: string[] = [];

  beforeEach(async () => {
    store = await engine.open();
    parked = new ParkedReceiptStore(store.dataSource, () => new Date('2026-12-06T10:00:00Z'));
    statements.length = 0;
    store.dataSource.subscribers.push({
      beforeQuery: (event: BeforeQueryEvent<unknown>) => {
        if (/parked_receipts/.test(event.query)) {
          statements.push(event.query.trim().split(/\s+/)[0] ?? '');
        }
      },
    });
  });

  afterEach(async () => {
    await store.close();
  });

  const rows = (): Promise<{ webhook_id: string; provider_message_id: string; event: string; reason: string }[]> =>
    store.dataSource.query('SELECT webhook_id, provider_message_id, event, reason FROM parked_receipts ORDER BY id');

  it('parks receipts made at once together, each webhook and id once, and hands them back oldest first', async () => {
    await Promise.all([
      parked.parkUnmatched(receipt('w1', 'sm-a', 1)),
      parked.parkUnmatched(receipt('w2', 'sm-a', 2)),
      parked.parkUnmatched(receipt('w3', 'sm-b', 3)),
      // The same webhook's receipt again (a replay, a redelivery) in the same batch: parked once.
      parked.parkUnmatched(receipt('w2', 'sm-a', 2)),
    ]);
    // MySQL: the first alone (check, insert), the three made meanwhile together. SQLite gathers the four
    // made in this turn into one batch.
    const batches = engine.name === 'SQLite' ? ['SELECT', 'INSERT'] : ['SELECT', 'INSERT', 'SELECT', 'INSERT'];
    expect(statements).toEqual(batches);

    // A later replay of a webhook still parked is not parked again.
    await parked.parkUnmatched(receipt('w1', 'sm-a', 1));
    expect(statements.slice(batches.length)).toEqual(['SELECT']);

    expect((await parked.unmatched('twilio', 'sm-a')).map((row) => row.event)).toEqual(['{"n":1}', '{"n":2}']);
    expect(await rows()).toEqual([
      { webhook_id: 'w1', provider_message_id: 'sm-a', event: '{"n":1}', reason: 'unmatched' },
      { webhook_id: 'w2', provider_message_id: 'sm-a', event: '{"n":2}', reason: 'unmatched' },
      { webhook_id: 'w3', provider_message_id: 'sm-b', event: '{"n":3}', reason: 'unmatched' },
    ]);
  });

  it('parks a receipt again under another id of the same webhook, and beside an unreadable one', async () => {
    await store.dataSource.query(
      `INSERT INTO parked_receipts (provider, provider_message_id, event, reason, webhook_id, parked_at)
       VALUES ('twilio', '', '{}', 'unreadable', 'w1', ?)`,
      [engine.name === 'SQLite' ? '2026-12-06 09:59:00.000' : new Date()],
    );
    await parked.parkUnmatched(receipt('w1', 'sm-a', 1));
    await parked.parkUnmatched(receipt('w1', 'sm-b', 2));

    expect((await rows()).map((row) => `${row.reason}:${row.provider_message_id}`)).toEqual([
      'unreadable:',
      'unmatched:sm-a',
      'unmatched:sm-b',
    ]);
  });

  it('deletes the ids applied at once in one statement', async () => {
    await Promise.all(['a', 'b', 'c', 'd'].map((id, n) => parked.parkUnmatched(receipt(`w${id}`, `sm-${id}`, n))));
    const ids = (await Promise.all(['a', 'b', 'c', 'd'].map((id) => parked.unmatched('twilio', `sm-${id}`)))).map(
      (found) => found[0]?.id as string,
    );
    statements.length = 0;

    await Promise.all([parked.forget([ids[0] as string]), parked.forget([ids[1] as string, ids[2] as string])]);
    await parked.forget([]);

    // MySQL: the first alone, the second with what came meanwhile; SQLite: both of this turn together.
    // Nothing for an empty list.
    expect(statements).toEqual(engine.name === 'SQLite' ? ['DELETE'] : ['DELETE', 'DELETE']);
    expect((await rows()).map((row) => row.provider_message_id)).toEqual(['sm-d']);
  });
});
