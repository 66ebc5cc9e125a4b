import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_ACCOUNT_ID } from '@sms/contracts';
import { main } from './api-key';

/** The CLI on an embedded data folder (SQLite): accounts, keys in them, and the API's validation rules. */
describe('npm run api-key (embedded)', () => {
  let dir: string;
  let previous: string | undefined;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sms-cli-'));
    previous = process.env['DATA_DIR'];
    process.env['DATA_DIR'] = dir;
  });

  afterAll(() => {
    if (previous === undefined) {
      delete process.env['DATA_DIR'];
    } else {
      process.env['DATA_DIR'] = previous;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const run = async (...args: string[]): Promise<unknown> => {
    let out = '';
    await main([...args, '--embedded'], (text) => {
      out += text;
    });

    return out.startsWith('[') || out.startsWith('{') ? JSON.parse(out) : out;
  };

  it('creates an account and a key in it; lists keys per account', async () => {
    const account = (await run('account', 'create', '--name', 'Acme Ltd')) as { id: string; name: string };
    expect(account.name).toBe('Acme Ltd');
    const key = (await run('create', '--name', 'billing', '--scopes', 'send,read', '--account', account.id)) as {
      accountId: string;
      key: string;
    };
    expect(key.accountId).toBe(account.id);
    expect(key.key).toMatch(/^smsgw_/);
    const inDefault = (await run('create', '--name', 'legacy')) as { accountId: string };
    expect(inDefault.accountId).toBe(DEFAULT_ACCOUNT_ID);

    const listed = (await run('list', '--account', account.id)) as { name: string }[];
    expect(listed.map((k) => k.name)).toEqual(['billing']);
    const accounts = (await run('account', 'list')) as { id: string }[];
    expect(accounts.map((a) => a.id)).toEqual(expect.arrayContaining([DEFAULT_ACCOUNT_ID, account.id]));
  });

  it('refuses an unknown account, a malformed one, unknown scopes and a blank account name', async () => {
    await expect(run('create', '--account', '11111111-1111-4111-8111-111111111111')).rejects.toThrow(/no account/);
    await expect(run('create', '--account', 'acme')).rejects.toMatchObject({ code: 'INVALID_ACCOUNT_ID' });
    await expect(run('create', '--scopes', 'root')).rejects.toMatchObject({ code: 'INVALID_SCOPES' });
    await expect(run('account', 'create', '--name', ' ')).rejects.toMatchObject({ code: 'INVALID_NAME' });
  });
});
