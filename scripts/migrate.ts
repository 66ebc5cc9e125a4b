/**
 * Runs every service's MySQL migrations (or the slices named on the command line), each with its own
 * migrations table, as a deploy step would: `npm run db:migrate` or `... migrate.ts intake router`.
 * Reads MYSQL_URL; `--revert` undoes the last migration of each named slice.
 */
import 'reflect-metadata';
import { AUTH_MIGRATIONS } from '@sms/auth';
import { DLR_INGEST_MIGRATIONS } from '@sms/dlr-ingest';
import { DLR_PROCESSOR_MIGRATIONS } from '@sms/dlr-processor';
import { INTAKE_MIGRATIONS } from '@sms/intake';
import { MASKING_MIGRATIONS } from '@sms/masking';
import { OPT_OUT_MIGRATIONS } from '@sms/opt-out';
import { migrateSlice } from '@sms/persistence';
import { ROUTER_MIGRATIONS } from '@sms/router';
import { SEND_WORKER_MIGRATIONS } from '@sms/send-worker';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const SLICES: Record<string, Function[]> = {
  auth: AUTH_MIGRATIONS,
  intake: INTAKE_MIGRATIONS,
  router: ROUTER_MIGRATIONS,
  'send-worker': SEND_WORKER_MIGRATIONS,
  'dlr-ingest': DLR_INGEST_MIGRATIONS,
  'dlr-processor': DLR_PROCESSOR_MIGRATIONS,
  'opt-out': OPT_OUT_MIGRATIONS,
  masking: MASKING_MIGRATIONS,
};

export async function migrate(url: string, slices: string[] = Object.keys(SLICES), revert = false): Promise<string[]> {
  const applied: string[] = [];
  for (const slice of slices) {
    const migrations = SLICES[slice];
    if (!migrations) {
      throw new Error(`unknown slice '${slice}' (known: ${Object.keys(SLICES).join(', ')})`);
    }
    applied.push(...(await migrateSlice(url, slice, migrations, { revert })));
  }

  return applied;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const revert = args.includes('--revert');
  const slices = args.filter((a) => !a.startsWith('--'));
  const url = process.env['MYSQL_URL'] ?? 'mysql://root@127.0.0.1:3306/sms_gateway';
  migrate(url, slices.length > 0 ? slices : undefined, revert)
    .then((applied) => {
      process.stdout.write(applied.length > 0 ? `${applied.join('\n')}\n` : 'schema is up to date\n');
    })
    .catch((error: unknown) => {
      process.stderr.write(`migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
}
