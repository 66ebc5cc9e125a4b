/**
 * The Twilio list query on MariaDB with the real intake migrations: keyset pages walk one account's
 * messages newest first without losing or repeating any, also where many share one creation millisecond
 * (a group commit), and never show another account's.
 */
import { randomUUID } from 'node:crypto';
import { type OpenSlice } from '@sms/testing-slices';
import type { DataSource } from 'typeorm';
import { INTAKE_MARIADB } from '../../test/intake-engines';
import { LedgerWriter } from '../ledger/ledger.writer';
import { validateMessageRequest } from '../messages/message-request.validator';
import { type ListCursor, LedgerTwilioMessages } from './twilio-messages.reader';

jest.setTimeout(120_000);

const ACCOUNT_A = '0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3';
const ACCOUNT_B = '1b2c3d4e-5f6a-4b7c-8d9e-9fa0b1c2d3e4';

let slice: OpenSlice;
let dataSource: DataSource;

beforeAll(async () => {
  slice = await INTAKE_MARIADB.open();
  dataSource = slice.dataSource;
});

afterAll(async () => {
  await slice?.close();
});

async function write(accountId: string, to: string, createdAt: Date): Promise<string> {
  const id = randomUUID();
  const writer = new LedgerWriter(dataSource);
  await writer.write({
    id,
    message: validateMessageRequest({ to, body: 'page me' }),
    apiKeyId: null,
    accountId,
    createdAt,
  });
  await writer.drain();

  return id;
}

it('pages through ties on the creation time in (created_at, id) order, one account and one recipient only', async () => {
  const tie = new Date('2026-12-07T00:00:00.500Z');
  const older = new Date('2026-12-07T00:00:00.100Z');
  const mine = [
    await write(ACCOUNT_A, '+447400123456', older),
    ...(await Promise.all([1, 2, 3, 4].map(() => write(ACCOUNT_A, '+447400123456', tie)))),
  ];
  await write(ACCOUNT_A, '+447400654321', tie);
  await write(ACCOUNT_B, '+447400123456', tie);
  const expected = [...mine.slice(1).sort().reverse(), mine[0]];

  const reader = new LedgerTwilioMessages(dataSource);
  const seen: string[] = [];
  let after: ListCursor | null = null;
  for (let pages = 0; pages < 10; pages++) {
    const page = await reader.list({ accountId: ACCOUNT_A, to: '+447400123456', from: null, pageSize: 2, after });
    seen.push(...page.records.map((record) => record.id));
    after = page.next;
    if (after === null) {
      break;
    }
  }

  expect(seen).toEqual(expected);
  expect(await reader.find(mine[0] ?? '', ACCOUNT_B)).toBeNull();
  expect(await reader.find(mine[0] ?? '', ACCOUNT_A)).toMatchObject({ to: '+447400123456', status: 'queued' });
});
