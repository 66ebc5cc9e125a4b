/**
 * API keys and accounts from the command line (the distributed mode has no printed bootstrap key):
 *   npm run api-key -- account create --name "Acme Ltd"
 *   npm run api-key -- account list
 *   npm run api-key -- create --name billing --scopes send,read [--account <account id>]
 *   npm run api-key -- list [--account <account id>]
 *   npm run api-key -- revoke <id>
 * Keys go to the default account unless --account names another. Uses MYSQL_URL (migrated), or
 * DATA_DIR's SQLite file with --embedded.
 */
import 'reflect-metadata';
import { ALL_SCOPES, type ApiScope, openApiKeyService, parseCreateAccount, parseCreateKey, parseId } from '@sms/auth';
import { DEFAULT_ACCOUNT_ID } from '@sms/contracts';
import { ApiError } from '@sms/platform';

const USAGE = [
  'usage: api-key account create --name N | account list',
  '     | create --name N --scopes send,read [--account ID] | list [--account ID] | revoke ID   [--embedded]',
].join('\n');

export async function main(
  args: string[],
  out: (text: string) => void = (t) => void process.stdout.write(t),
): Promise<void> {
  const embedded = args.includes('--embedded');
  const option = (name: string): string | undefined => {
    const index = args.indexOf(`--${name}`);

    return index >= 0 ? args[index + 1] : undefined;
  };
  const print = (value: unknown): void => out(`${JSON.stringify(value, null, 2)}\n`);
  const { keys, accounts, close } = await openApiKeyService(
    embedded
      ? { kind: 'sqlite', directory: process.env['DATA_DIR'] ?? './data' }
      : { kind: 'mysql', url: process.env['MYSQL_URL'] ?? 'mysql://root@127.0.0.1:3306/sms_gateway' },
  );
  try {
    const account = option('account');
    // The same rules as the HTTP API, so a name or scope the API would refuse is refused here too.
    const accountId = account === undefined ? undefined : parseId(account, 'INVALID_ACCOUNT_ID', 'account');
    switch (`${args[0] ?? ''} ${args[0] === 'account' ? (args[1] ?? '') : ''}`.trim()) {
      case 'account create':
        print(await accounts.create(parseCreateAccount({ name: option('name') }).name));
        break;
      case 'account list':
        print(await accounts.list());
        break;
      case 'create': {
        const input = parseCreateKey({
          name: option('name') ?? 'cli',
          scopes: (option('scopes') ?? 'send,read').split(',') as ApiScope[],
          accountId: accountId ?? DEFAULT_ACCOUNT_ID,
        });
        const target = input.accountId ?? DEFAULT_ACCOUNT_ID;
        if (!(await accounts.exists(target))) {
          throw new Error(`no account ${target} (create one with: api-key account create --name N)`);
        }
        const { key, view } = await keys.create(input.name, input.scopes, { accountId: target });
        print({ ...view, key });
        break;
      }
      case 'list':
        print(await keys.list(accountId ?? null));
        break;
      case 'revoke':
        if (!args[1] || !(await keys.revoke(parseId(args[1], 'INVALID_KEY_ID', 'id')))) {
          throw new Error('no live key with that id');
        }
        out('revoked\n');
        break;
      default:
        throw new Error(`${USAGE}\nscopes: ${ALL_SCOPES.join(', ')}`);
    }
  } finally {
    await close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    const message =
      error instanceof ApiError
        ? `${error.code}: ${error.message}`
        : String(error instanceof Error ? error.message : error);
    process.stderr.write(`${message}\n`);
    process.exit(1);
  });
}
