/**
 * API keys from the command line (the distributed mode has no printed bootstrap key):
 *   npm run api-key -- create --name billing --scopes send,read
 *   npm run api-key -- list
 *   npm run api-key -- revoke <id>
 * Uses MYSQL_URL, or DATA_DIR's SQLite file with --embedded.
 */
import 'reflect-metadata';
import { ALL_SCOPES, type ApiScope, openApiKeyService } from '@sms/auth';

async function main(args: string[]): Promise<void> {
  const embedded = args.includes('--embedded');
  const option = (name: string): string | undefined => {
    const index = args.indexOf(`--${name}`);

    return index >= 0 ? args[index + 1] : undefined;
  };
  const { keys, close } = await openApiKeyService(
    embedded
      ? { kind: 'sqlite', directory: process.env['DATA_DIR'] ?? './data' }
      : { kind: 'mysql', url: process.env['MYSQL_URL'] ?? 'mysql://root@127.0.0.1:3306/sms_gateway' },
  );
  try {
    const command = args[0] ?? '';
    switch (command) {
      case 'create': {
        const scopes = (option('scopes') ?? 'send,read').split(',') as ApiScope[];
        if (!scopes.every((s) => ALL_SCOPES.includes(s))) {
          throw new Error(`scopes must be among ${ALL_SCOPES.join(', ')}`);
        }
        const { key, view } = await keys.create(option('name') ?? 'cli', scopes);
        process.stdout.write(`${JSON.stringify({ ...view, key }, null, 2)}\n`);
        break;
      }
      case 'list':
        process.stdout.write(`${JSON.stringify(await keys.list(), null, 2)}\n`);
        break;
      case 'revoke':
        if (!args[1] || !(await keys.revoke(args[1]))) {
          throw new Error('no live key with that id');
        }
        process.stdout.write('revoked\n');
        break;
      default:
        throw new Error('usage: api-key create --name N --scopes send,read | list | revoke <id> [--embedded]');
    }
  } finally {
    await close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
