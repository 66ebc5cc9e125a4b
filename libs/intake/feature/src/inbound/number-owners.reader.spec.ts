import { DEFAULT_ACCOUNT_ID } from '@sms/contracts';
import { MemoryKeyValueStore, numberOwnersKey } from '@sms/counters';
import { NumberOwnersReader } from './number-owners.reader';

const ACME = '0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3';
const GLOBEX = '1b2c3d4e-5f6a-4b7c-8d9e-9fa0b1c2d3e4';

describe(NumberOwnersReader.name, () => {
  let kv: MemoryKeyValueStore;
  let now: number;
  const publish = (owners: Record<string, string>) =>
    kv.set(numberOwnersKey('ns:'), JSON.stringify({ owners, publishedAt: '' }), 60_000);

  beforeEach(() => {
    kv = new MemoryKeyValueStore();
    now = 0;
  });

  afterEach(() => kv.close());

  it('answers the owner of a listed number and the default account for the shared pool', async () => {
    await publish({ '+12025550143': ACME });
    const reader = new NumberOwnersReader(kv, 'ns:', () => now, 1000);

    expect(await reader.accountOf('+12025550143')).toBe(ACME);
    expect(await reader.accountOf('+12025550142')).toBe(DEFAULT_ACCOUNT_ID);
  });

  it('reads a changed directory once its cache time has passed', async () => {
    await publish({ '+12025550143': ACME });
    const reader = new NumberOwnersReader(kv, 'ns:', () => now, 1000);
    expect(await reader.accountOf('+12025550143')).toBe(ACME);

    await publish({ '+12025550143': GLOBEX });
    now = 999;
    expect(await reader.accountOf('+12025550143')).toBe(ACME);
    now = 1000;
    expect(await reader.accountOf('+12025550143')).toBe(GLOBEX);
  });

  it('refuses to guess before any directory was published, and keeps the last one when the store fails', async () => {
    const reader = new NumberOwnersReader(kv, 'ns:', () => now, 1000);
    await expect(reader.accountOf('+12025550143')).rejects.toThrow(/not been published/);

    await publish({ '+12025550143': ACME });
    expect(await reader.accountOf('+12025550143')).toBe(ACME);
    jest.spyOn(kv, 'get').mockRejectedValue(new Error('redis down'));
    now = 5000;
    expect(await reader.accountOf('+12025550143')).toBe(ACME);
  });

  it('ignores a value that is not a directory', async () => {
    await kv.set(numberOwnersKey('ns:'), '{"owners":[1]}', 60_000);
    const reader = new NumberOwnersReader(kv, 'ns:', () => now, 1000);

    await expect(reader.accountOf('+12025550143')).rejects.toThrow(/not been published/);
  });
});
