/**
 * The archive from the command line (docs/data-lifecycle.md, "Retention and archive"):
 *   npm run archive -- list
 *   npm run archive -- verify
 *   npm run archive -- restore --table sms_messages --month 2026-01 [--embedded]
 * The archive is ARCHIVE_S3_BUCKET (+ ARCHIVE_S3_PREFIX), else ARCHIVE_DIR, else `<DATA_DIR>/archive`; `--dir D`
 * names a directory instead. `restore` re-inserts the month's rows into MYSQL_URL, or with --embedded into the
 * owning service's SQLite file in DATA_DIR; rows already there are left alone, so it can be re-run.
 */
import 'reflect-metadata';
import path from 'node:path';
import {
  ArchiveCatalog,
  archivedTable,
  ArchiveVerifier,
  archiveTargetOf,
  ARCHIVED_TABLES,
  createArchiveStore,
  isMonth,
  MonthRestorer,
} from '@sms/archive';
import { loadConfig } from '@sms/platform';
import { DataSource } from 'typeorm';

const USAGE = [
  'usage: archive list | verify | restore --table T --month YYYY-MM [--embedded]   [--dir D]',
  `tables: ${ARCHIVED_TABLES.map((table) => table.table).join(', ')}`,
].join('\n');

export class UsageError extends Error {}

/** The hot database a table is restored into. */
async function openDatabase(
  env: Record<string, string | undefined>,
  service: string,
  embedded: boolean,
): Promise<DataSource> {
  if (embedded) {
    const file = path.join(env['DATA_DIR'] ?? './data', `${service}.sqlite`);

    return new DataSource({
      type: 'better-sqlite3',
      database: file,
      fileMustExist: true,
      // The gateway may be running: wait for its writer rather than fail.
      prepareDatabase: (db: { pragma(sql: string): unknown }) => {
        db.pragma('busy_timeout = 5000');
      },
    }).initialize();
  }

  return new DataSource({
    type: 'mysql',
    url: env['MYSQL_URL'] ?? 'mysql://root@127.0.0.1:3306/sms_gateway',
    timezone: 'Z',
    charset: 'utf8mb4_unicode_ci',
  }).initialize();
}

/** Runs one command; resolves with the process exit code. */
export async function main(
  args: string[],
  env: Record<string, string | undefined> = process.env,
  out: (text: string) => void = (t) => void process.stdout.write(t),
): Promise<number> {
  const option = (name: string): string | undefined => {
    const index = args.indexOf(`--${name}`);

    return index >= 0 ? args[index + 1] : undefined;
  };
  const print = (value: unknown): void => out(`${JSON.stringify(value, null, 2)}\n`);
  // Only the archive's keys and DATA_DIR matter here: validated as the gateway validates them.
  const config = loadConfig({
    ...Object.fromEntries(Object.entries(env).filter(([key]) => key.startsWith('ARCHIVE_') || key === 'DATA_DIR')),
    MODE: 'embedded',
  });
  const directory = option('dir');
  const target = directory ? { kind: 'directory' as const, directory } : archiveTargetOf(config);
  if (!target) {
    throw new UsageError('no archive configured');
  }
  const store = createArchiveStore(target);
  const catalog = new ArchiveCatalog(store);
  try {
    switch (args[0] ?? '') {
      case 'list':
        print(
          (await catalog.entries()).map(({ table, month, file, rows, bytes, sha256, createdAt, rewrittenAt }) => ({
            table,
            month,
            location: store.locationOf(file),
            rows,
            bytes,
            sha256,
            createdAt,
            ...(rewrittenAt && { rewrittenAt }),
          })),
        );

        return 0;
      case 'verify': {
        const report = await new ArchiveVerifier(catalog).verify();
        print(report);

        return report.ok ? 0 : 1;
      }
      case 'restore': {
        const table = option('table') ?? '';
        const month = option('month') ?? '';
        const owner = archivedTable(table);
        if (!owner) {
          throw new UsageError(`--table must be one of ${ARCHIVED_TABLES.map((t) => t.table).join(', ')}`);
        }
        if (!isMonth(month)) {
          throw new UsageError('--month must be YYYY-MM');
        }
        const dataSource = await openDatabase(env, owner.service, args.includes('--embedded'));
        try {
          print(await new MonthRestorer(catalog).restoreMonth(dataSource, table, month));
        } finally {
          await dataSource.destroy();
        }

        return 0;
      }
      default:
        throw new UsageError(USAGE);
    }
  } finally {
    await store.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = error instanceof UsageError ? 2 : 1;
    },
  );
}
