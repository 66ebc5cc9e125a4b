/**
 * The auth slice's accounts and account-scoped keys, on both storages: MariaDB through the migrations
 * (the default account is inserted by them) and SQLite through the entities (the default account is
 * made sure of at open, as the embedded boot does).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_ACCOUNT_ID } from '@sms/contracts';
import { createTestDatabase, type TestDatabase } from '@sms/testing';
import { ApiScope, openApiKeyService } from './api-key.service';
import { AUTH_MIGRATIONS } from './auth.module';
import { migrateSlice } from '@sms/persistence';

jest.setTimeout(60_000);

type Store = Awaited<ReturnType<typeof openApiKeyService>>;

describe.each(['mysql', 'sqlite'] as const)('accounts and keys (%s)', (kind) => {
  let db: TestDatabase | null = null;
  let dir: string | null = null;
  let store: Store;

  beforeAll(async () => {
    if (kind === 'mysql') {
      db = await createTestDatabase();
      await migrateSlice(db.url, 'auth', AUTH_MIGRATIONS);
      store = await openApiKeyService({ kind: 'mysql', url: db.url });
    } else {
      dir = mkdtempSync(path.join(tmpdir(), 'sms-auth-'));
      store = await openApiKeyService({ kind: 'sqlite', directory: dir });
    }
  });

  afterAll(async () => {
    await store?.close();
    await db?.drop();
    if (dir) {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has the default account that keys without an account point at', async () => {
    expect(await store.accounts.find(DEFAULT_ACCOUNT_ID)).toMatchObject({ id: DEFAULT_ACCOUNT_ID, name: 'default' });
    await store.accounts.ensureDefault(); // idempotent
    expect((await store.accounts.list()).filter((a) => a.id === DEFAULT_ACCOUNT_ID)).toHaveLength(1);
    const { view } = await store.keys.create('legacy', [ApiScope.Send]);
    expect(view.accountId).toBe(DEFAULT_ACCOUNT_ID);
  });

  it('creates accounts and keys in them; a key verifies to its account', async () => {
    const acme = await store.accounts.create('Acme');
    expect(await store.accounts.exists(acme.id)).toBe(true);
    const { key, view } = await store.keys.create('acme-send', [ApiScope.Send], { accountId: acme.id });
    expect(view).toMatchObject({ accountId: acme.id, scopes: ['send'] });
    expect(await store.keys.verify(key)).toMatchObject({ keyId: view.id, accountId: acme.id });
  });

  it('lists, finds and revokes keys only within the named account (null: every account)', async () => {
    const a = await store.accounts.create('A');
    const b = await store.accounts.create('B');
    const inA = (await store.keys.create('in-a', [ApiScope.Read], { accountId: a.id })).view;
    const inB = (await store.keys.create('in-b', [ApiScope.Read], { accountId: b.id })).view;

    expect((await store.keys.list(a.id)).map((k) => k.id)).toEqual([inA.id]);
    expect((await store.keys.list(null)).map((k) => k.id)).toEqual(expect.arrayContaining([inA.id, inB.id]));
    expect(await store.keys.find(inB.id, a.id)).toBeNull();
    expect(await store.keys.revoke(inB.id, a.id)).toBe(false);
    expect((await store.keys.find(inB.id, b.id))?.revokedAt).toBeNull();
    expect(await store.keys.revoke(inB.id, b.id)).toBe(true);
    expect(await store.keys.revoke(inB.id, null)).toBe(false);
  });

  it('answers unknown accounts false, then true once created (the miss is not cached for good)', async () => {
    const id = '1c0ffee0-0000-4000-8000-00000000abcd';
    expect(await store.accounts.exists(id)).toBe(false);
    await store.accounts.create('late', id);
    expect(await store.accounts.exists(id)).toBe(true);
  });

  it('gives an existing known key the scopes it lacks, without a second key', async () => {
    const key = `smsgw_ensure_${kind}_000000000000000000`;
    await store.keys.ensure('boot', key, [ApiScope.Send, ApiScope.Read, ApiScope.Admin]);
    await store.keys.ensure('boot', key, [ApiScope.Send, ApiScope.Read, ApiScope.Admin, ApiScope.Operator]);
    const principal = await store.keys.verify(key);
    expect(principal?.accountId).toBe(DEFAULT_ACCOUNT_ID);
    expect([...(principal?.scopes ?? [])].sort()).toEqual(['admin', 'operator', 'read', 'send']);
    expect((await store.keys.list(DEFAULT_ACCOUNT_ID)).filter((k) => k.name === 'boot')).toHaveLength(1);
  });

  it("keeps each account's smart-encoding default to itself, off until set", async () => {
    const a = await store.accounts.create('smart-a');
    const b = await store.accounts.create('smart-b');
    expect(a.smartEncoding).toBe(false);
    expect(await store.accounts.smartEncodingDefault(a.id)).toBe(false);
    expect(await store.accounts.updateSettings(a.id, { smartEncoding: true })).toMatchObject({
      id: a.id,
      smartEncoding: true,
    });
    expect(await store.accounts.smartEncodingDefault(a.id)).toBe(true);
    expect(await store.accounts.smartEncodingDefault(b.id)).toBe(false);
    expect((await store.accounts.find(b.id))?.smartEncoding).toBe(false);
    expect(
      await store.accounts.updateSettings('1c0ffee0-0000-4000-8000-00000000dead', { smartEncoding: true }),
    ).toBeNull();
  });

  it("keeps an account's data residency, none until set, read back with the send settings", async () => {
    const resident = await store.accounts.create('resident', undefined, 'eu');
    const plain = await store.accounts.create('plain');
    expect(resident.dataResidency).toBe('eu');
    expect(plain.dataResidency).toBeNull();
    expect(await store.accounts.dataResidencyOf(resident.id)).toBe('eu');
    expect(await store.accounts.dataResidencyOf(plain.id)).toBeNull();
    expect(await store.accounts.updateSettings(plain.id, { dataResidency: 'us' })).toMatchObject({
      dataResidency: 'us',
      smartEncoding: false,
    });
    // The change is this process's own: its cached settings go at once.
    expect(await store.accounts.dataResidencyOf(plain.id)).toBe('us');
    expect((await store.accounts.updateSettings(resident.id, { dataResidency: null }))?.dataResidency).toBeNull();
  });
});
