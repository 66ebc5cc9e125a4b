/**
 * MessageSearch on both run modes' databases: MariaDB through the real intake migrations (with the search
 * indexes) and SQLite built from the entities. Keyset pages, every filter, and account isolation.
 */
import { ApiError } from '@sms/platform';
import type { DataSource } from 'typeorm';
import { SmsMessageEntity } from '../database/entities/sms-message.entity';
import { INTAKE_MARIADB, INTAKE_SQLITE } from '../../test/intake-engines';
import { MessageSearch, type MessageSearchFilters } from './message-search';

jest.setTimeout(120_000);

const ACCOUNT_A = '0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3';
const ACCOUNT_B = '1b2c3d4e-5f6a-4b7c-8d9e-9fa0b1c2d3e4';
const BASE = Date.parse('2026-03-01T10:00:00.000Z');
const RECIPIENTS = ['+447400123456', '+447400654321', '+14155552671'];
const STATUSES = ['queued', 'sent', 'delivered', 'failed'];
const PROVIDERS = ['twilio', 'vonage'];

/** Row i of an account: statuses, recipients and providers cycle; every 3 rows share one created_at (ties). */
function row(accountId: string, i: number): SmsMessageEntity {
  const at = new Date(BASE + Math.floor(i / 3) * 1000);
  const id = `${accountId.slice(0, 8)}-0000-4000-8000-${String(i).padStart(12, '0')}`;

  return Object.assign(new SmsMessageEntity(), {
    id,
    status: STATUSES[i % STATUSES.length],
    statusRank: 0,
    toNumber: RECIPIENTS[i % RECIPIENTS.length],
    requestedFrom: i % 5 === 0 ? 'Acme' : null,
    sender: i % 5 === 0 ? null : '+12025550160',
    country: RECIPIENTS[i % RECIPIENTS.length]!.startsWith('+44') ? 'GB' : 'US',
    body: `hello ${i}`,
    encoding: 'GSM-7',
    segments: 1,
    messageClass: 'transactional',
    callbackUrl: null,
    clientReference: `order-${i % 10}`,
    validitySeconds: null,
    apiKeyId: null,
    accountId,
    attempt: 1,
    provider: i % 4 === 0 ? null : PROVIDERS[i % PROVIDERS.length],
    providerMessageId: null,
    cost: null,
    currency: null,
    errorCode: null,
    errorMessage: null,
    routeReason: null,
    avoidProviders: null,
    pinProvider: null,
    nextRetryAt: null,
    traceParent: null,
    dlrFallbacks: 0,
    createdAt: at,
    updatedAt: at,
    sentAt: null,
    deliveredAt: null,
    finalAt: null,
  });
}

const ROWS = 60;

describe.each([INTAKE_MARIADB, INTAKE_SQLITE])('message search on $name', (engine) => {
  let close: (() => Promise<void>) | undefined;
  let dataSource: DataSource;
  let search: MessageSearch;
  const rows = [...Array(ROWS).keys()].map((i) => row(ACCOUNT_A, i));

  beforeAll(async () => {
    ({ dataSource, close } = await engine.open());
    const repository = dataSource.getRepository(SmsMessageEntity);
    await repository.insert(rows);
    await repository.insert([...Array(ROWS).keys()].map((i) => row(ACCOUNT_B, i)));
    search = new MessageSearch(dataSource);
  });

  afterAll(() => close?.());

  /** Every page of a search, following nextCursor. */
  async function all(filters: MessageSearchFilters, limit: number, accountId = ACCOUNT_A) {
    const ids: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const page = await search.search({ accountId, filters, limit, cursor });
      ids.push(...page.data.map((m) => m.id));
      if (page.nextCursor === null) {
        return ids;
      }
      cursor = page.nextCursor;
    }
    throw new Error('more pages than rows');
  }

  /** The expected ids: matching rows of account A, newest first, ties by id descending. */
  const expected = (match: (m: SmsMessageEntity) => boolean) =>
    rows
      .filter(match)
      .sort((x, y) => y.createdAt.getTime() - x.createdAt.getTime() || (x.id < y.id ? 1 : -1))
      .map((m) => m.id);

  it('pages through every message once, newest first, across created_at ties', async () => {
    expect(await all({}, 7)).toEqual(expected(() => true));
    expect(await all({}, 1000)).toEqual(expected(() => true));
  });

  it.each<[string, MessageSearchFilters, (m: SmsMessageEntity) => boolean]>([
    ['several statuses', { statuses: ['sent', 'failed'] }, (m) => ['sent', 'failed'].includes(m.status)],
    ['to', { to: '+14155552671' }, (m) => m.toNumber === '+14155552671'],
    ['from (the sender used)', { from: '+12025550160' }, (m) => m.sender === '+12025550160'],
    ['from (the sender asked for)', { from: 'Acme' }, (m) => m.requestedFrom === 'Acme'],
    ['clientReference', { clientReference: 'order-3' }, (m) => m.clientReference === 'order-3'],
    ['provider', { provider: 'vonage' }, (m) => m.provider === 'vonage'],
    ['country', { country: 'US' }, (m) => m.country === 'US'],
    [
      'a created-at range',
      { createdAfter: new Date(BASE + 5000), createdBefore: new Date(BASE + 12000) },
      (m) => m.createdAt.getTime() >= BASE + 5000 && m.createdAt.getTime() < BASE + 12000,
    ],
    [
      'filters together',
      { statuses: ['delivered'], country: 'GB', provider: 'twilio' },
      (m) => m.status === 'delivered' && m.country === 'GB' && m.provider === 'twilio',
    ],
  ])('filters by %s', async (_name, filters, match) => {
    const want = expected(match);
    expect(want.length).toBeGreaterThan(0);
    expect(await all(filters, 4)).toEqual(want);
  });

  it('never returns another account’s messages', async () => {
    const ids = await all({}, 1000, ACCOUNT_B);
    expect(ids).toHaveLength(ROWS);
    expect(ids.every((id) => id.startsWith(ACCOUNT_B.slice(0, 8)))).toBe(true);
  });

  it('refuses a cursor made by another account or for other filters', async () => {
    const page = await search.search({ accountId: ACCOUNT_B, filters: {}, limit: 2 });
    const cursor = page.nextCursor!;
    await expect(search.search({ accountId: ACCOUNT_A, filters: {}, limit: 2, cursor })).rejects.toMatchObject({
      code: 'INVALID_CURSOR',
      status: 422,
    });
    await expect(
      search.search({ accountId: ACCOUNT_B, filters: { statuses: ['sent'] }, limit: 2, cursor }),
    ).rejects.toBeInstanceOf(ApiError);
  });

  it('reads bodies only when asked', async () => {
    const [plain] = (await search.search({ accountId: ACCOUNT_A, filters: {}, limit: 1 })).data;
    const [full] = (await search.search({ accountId: ACCOUNT_A, filters: {}, limit: 1, includeBody: true })).data;
    expect(plain).not.toHaveProperty('body');
    expect(full?.body).toMatch(/^hello \d+$/);
  });
});
