/**
 * The inbound store and its search on both run modes' databases (MariaDB through the intake migrations,
 * SQLite from the entities): filed under the number's account, keywords recorded, stored once per
 * provider message, listeners told once, and one account never reading another's.
 */
import { DEFAULT_ACCOUNT_ID, type InboundReceivedV1 } from '@sms/contracts';
import { keywordSet } from '@sms/opt-out-registry';
import type { DataSource } from 'typeorm';
import { INTAKE_MARIADB, INTAKE_SQLITE } from '../../test/intake-engines';
import { InboundSearch } from './inbound-search';
import { InboundStore } from './inbound.store';
import type { StoredInboundMessage } from './inbound.views';

jest.setTimeout(120_000);

const ACME = '0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3';
const ACME_NUMBER = '+12025550143';
const POOL_NUMBER = '+12025550142';
let sequence = 0;

const event = (fields: Partial<InboundReceivedV1>): InboundReceivedV1 => {
  sequence++;

  return {
    webhookId: `wh-${sequence}`,
    provider: 'twilio',
    providerMessageId: `SM${sequence}`,
    from: '447400123456',
    to: POOL_NUMBER,
    body: 'hello',
    receivedAt: new Date(Date.UTC(2026, 2, 1, 10, 0, sequence)).toISOString(),
    ...fields,
  };
};

describe.each([INTAKE_MARIADB, INTAKE_SQLITE])('inbound store on $name', (engine) => {
  let close: (() => Promise<void>) | undefined;
  let dataSource: DataSource;
  let store: InboundStore;
  let search: InboundSearch;
  const told: StoredInboundMessage[] = [];

  beforeAll(async () => {
    ({ dataSource, close } = await engine.open());
    const owners = { accountOf: async (number: string) => (number === ACME_NUMBER ? ACME : DEFAULT_ACCOUNT_ID) };
    store = new InboundStore(dataSource, owners, keywordSet('ARRET', ''));
    store.onStored((message) => void told.push(message));
    search = new InboundSearch(dataSource);
  });

  afterAll(() => close?.());

  it('files a message under the account of the number texted, in E.164, and tells listeners once', async () => {
    const first = event({ to: ACME_NUMBER.slice(1), body: 'Where is my parcel?' });
    const stored = await store.record(first);
    expect(stored).toMatchObject({
      accountId: ACME,
      from: '+447400123456',
      to: ACME_NUMBER,
      body: 'Where is my parcel?',
      keyword: null,
      keywordHandling: null,
    });
    expect(await store.record({ ...first, webhookId: 'replayed' })).toBeNull();
    expect(told.filter((m) => m.id === stored!.id)).toHaveLength(1);

    expect(await search.find(stored!.id, ACME)).toMatchObject({ id: stored!.id, direction: 'inbound' });
    expect(await search.find(stored!.id, DEFAULT_ACCOUNT_ID)).toBeNull();
  });

  it.each([
    [' Stop ', 'STOP', 'opted_out'],
    ['arret', 'STOP', 'opted_out'],
    ['STOPALL', 'STOPALL', 'opted_out_every_account'],
    ['start', 'START', 'opted_in'],
    ['HELP', 'HELP', 'help_answered'],
    ['stop please', null, null],
  ])('records %j as keyword %s (%s)', async (body, keyword, handling) => {
    const stored = await store.record(event({ body }));
    expect(stored).toMatchObject({ accountId: DEFAULT_ACCOUNT_ID, body, keyword, keywordHandling: handling });
  });

  it('searches one account, newest first, by keyword, sender and time, a page at a time', async () => {
    const everything = async (filters: Parameters<InboundSearch['search']>[0]['filters'], accountId: string) => {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await search.search({ accountId, filters, limit: 2, cursor });
        ids.push(...page.data.map((m) => m.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);

      return ids;
    };
    const ours = told.filter((m) => m.accountId === DEFAULT_ACCOUNT_ID).reverse();
    expect(await everything({}, DEFAULT_ACCOUNT_ID)).toEqual(ours.map((m) => m.id));
    expect(await everything({}, ACME)).toHaveLength(1);
    expect(await everything({ keywords: ['stop'] }, DEFAULT_ACCOUNT_ID)).toHaveLength(2);
    expect(await everything({ keywords: ['help', 'none'] }, DEFAULT_ACCOUNT_ID)).toHaveLength(2);
    expect(await everything({ from: '+447400654321' }, DEFAULT_ACCOUNT_ID)).toEqual([]);
    const second = ours.at(-2)!;
    expect(
      await everything({ receivedAfter: new Date(second.receivedAt), to: POOL_NUMBER }, DEFAULT_ACCOUNT_ID),
    ).toEqual(ours.slice(0, -1).map((m) => m.id));

    const cursor = (await search.search({ accountId: DEFAULT_ACCOUNT_ID, filters: {}, limit: 1 })).nextCursor!;
    await expect(search.search({ accountId: ACME, filters: {}, limit: 1, cursor })).rejects.toMatchObject({
      code: 'INVALID_CURSOR',
    });
  });
});
