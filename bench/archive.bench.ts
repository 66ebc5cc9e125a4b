/**
 * The archive's cost in the embedded mode: one month of sms_messages (the real entity schema, in SQLite) read in
 * keyset pages as a baseline, then archived (the same pages encoded, gzipped per block, hashed and written with
 * the manifest), then one row looked up by id, the file verified, and the month's rows deleted as the purge does.
 *
 *   npm run bench -- --only=archive
 *   node -r ./scripts/register.js bench/archive.bench.ts
 *
 * Env: BENCH_ARCHIVE_ROWS (200000), BENCH_ARCHIVE_RUNS (3). Figures are medians over the runs: wall time and
 * this process's CPU (process.cpuUsage: SQLite runs in-process) per 1,000 rows, and the file's bytes per row.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ArchiveCatalog,
  ArchivedRowLookup,
  ArchiveVerifier,
  DirectoryArchiveStore,
  MonthArchiver,
  MonthRows,
  readTableSchema,
} from '@sms/archive';
import { createServiceDataSource, type MonthlyTable } from '@sms/persistence';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import type { DataSource } from 'typeorm';
import { INTAKE_ENTITIES } from '../libs/intake/feature/src/database/intake.schema';

const ROWS = Number(process.env['BENCH_ARCHIVE_ROWS'] ?? 200_000);
const RUNS = Number(process.env['BENCH_ARCHIVE_RUNS'] ?? 3);
const MONTH = '2026-01';
const TABLE: MonthlyTable = { table: 'sms_messages', createdColumn: 'created_at' };
const LOOKUPS = 50;

export interface ArchiveBenchResult {
  readonly rows: number;
  readonly runs: number;
  /** Keyset pages read and dropped: what any archive must at least do. */
  readonly readOnly: Phase;
  readonly archive: Phase;
  readonly verify: Phase;
  readonly purgeDelete: Phase;
  readonly bytesPerRow: number;
  readonly lookupMedianMs: number;
}

export interface Phase {
  readonly wallMs: number;
  readonly cpuMsPer1000Rows: number;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);

  return sorted[Math.floor(sorted.length / 2)]!;
};

async function timed(rows: number, work: () => Promise<unknown>): Promise<Phase> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await work();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);

  return { wallMs, cpuMsPer1000Rows: ((used.user + used.system) / 1000 / rows) * 1000 };
}

/** A month of messages in one SQLite transaction, through the driver (seeding is not what is measured). */
function seed(dataSource: DataSource): string[] {
  const db = (dataSource.driver as unknown as { databaseConnection: SqliteDatabase }).databaseConnection;
  const insert =
    db.prepare(`INSERT INTO sms_messages (id, status, status_rank, to_number, country, body, encoding, segments,
      message_class, account_id, attempt, provider, provider_message_id, cost, currency, route_reason, dlr_fallbacks,
      created_at, updated_at, sent_at, delivered_at, final_at)
    VALUES (?, 'delivered', 3, ?, 'GB', ?, 'GSM-7', 1, 'transactional', '00000000-0000-4000-8000-000000000000', 1,
      'twilio', ?, '0.0400', 'USD', 'cheapest of 2 for GB', 0, ?, ?, ?, ?, ?)`);
  const start = Date.UTC(2026, 0, 1);
  const span = Date.UTC(2026, 1, 1) - start;
  const ids: string[] = [];
  db.transaction(() => {
    for (let i = 0; i < ROWS; i++) {
      const at = start + Math.floor((i / ROWS) * span);
      const hex = at.toString(16).padStart(12, '0');
      const id = `${hex.slice(0, 8)}-${hex.slice(8)}-7000-8000-${i.toString(16).padStart(12, '0')}`;
      const stamp = new Date(at).toISOString().replace('T', ' ').replace('Z', '');
      insert.run(
        id,
        `+4474${String(10_000_000 + (i % 89_999_999)).padStart(8, '0')}`,
        `Your code is ${String(i % 1_000_000).padStart(6, '0')}. It expires in 10 minutes.`,
        `SM${i.toString(16).padStart(32, '0')}`,
        stamp,
        stamp,
        stamp,
        stamp,
        stamp,
      );
      ids.push(id);
    }
  })();

  return ids;
}

export async function runArchiveBench(log: (line: string) => void = console.log): Promise<ArchiveBenchResult> {
  const phases: Record<'readOnly' | 'archive' | 'verify' | 'purgeDelete', Phase[]> = {
    readOnly: [],
    archive: [],
    verify: [],
    purgeDelete: [],
  };
  const lookups: number[] = [];
  const bytes: number[] = [];
  for (let run = 1; run <= RUNS; run++) {
    const directory = mkdtempSync(path.join(tmpdir(), 'bench-archive-'));
    const dataSource = await createServiceDataSource({
      service: 'intake',
      database: { kind: 'sqlite', directory },
      entities: INTAKE_ENTITIES,
      migrations: [],
    }).initialize();
    try {
      const ids = seed(dataSource);
      const catalog = new ArchiveCatalog(new DirectoryArchiveStore(path.join(directory, 'archive')));
      const schema = await readTableSchema(dataSource, TABLE.table);
      phases.readOnly.push(
        await timed(ROWS, async () => {
          let read = 0;
          for await (const page of new MonthRows(dataSource, schema, TABLE.createdColumn, MONTH).pages(1_000)) {
            read += page.length;
          }
          if (read !== ROWS) {
            throw new Error(`read ${read} rows, seeded ${ROWS}`);
          }
        }),
      );
      let fileBytes = 0;
      phases.archive.push(
        await timed(ROWS, async () => {
          await new MonthArchiver(catalog).archiveMonth(dataSource, TABLE, MONTH);
          fileBytes = (await catalog.entry(TABLE.table, MONTH))!.bytes;
        }),
      );
      bytes.push(fileBytes / ROWS);
      const lookup = new ArchivedRowLookup(catalog);
      for (let i = 0; i < LOOKUPS; i++) {
        const id = ids[Math.floor((i / LOOKUPS) * ROWS)]!;
        const started = performance.now();
        if (!(await lookup.findById(TABLE.table, MONTH, id))) {
          throw new Error(`archived row ${id} not found`);
        }
        lookups.push(performance.now() - started);
      }
      phases.verify.push(
        await timed(ROWS, async () => {
          if (!(await new ArchiveVerifier(catalog).verify()).ok) {
            throw new Error('the archive did not verify');
          }
        }),
      );
      phases.purgeDelete.push(
        await timed(ROWS, async () => {
          await (await MonthRows.forTable(dataSource, TABLE, MONTH)).deleteAll(1_000);
        }),
      );
      log(
        `  run ${run}: read ${phases.readOnly.at(-1)!.wallMs.toFixed(0)} ms, archive ${phases.archive.at(-1)!.wallMs.toFixed(0)} ms, ` +
          `verify ${phases.verify.at(-1)!.wallMs.toFixed(0)} ms, delete ${phases.purgeDelete.at(-1)!.wallMs.toFixed(0)} ms`,
      );
    } finally {
      await dataSource.destroy();
      rmSync(directory, { recursive: true, force: true });
    }
  }
  const summary = (list: Phase[]): Phase => ({
    wallMs: median(list.map((p) => p.wallMs)),
    cpuMsPer1000Rows: median(list.map((p) => p.cpuMsPer1000Rows)),
  });

  return {
    rows: ROWS,
    runs: RUNS,
    readOnly: summary(phases.readOnly),
    archive: summary(phases.archive),
    verify: summary(phases.verify),
    purgeDelete: summary(phases.purgeDelete),
    bytesPerRow: median(bytes),
    lookupMedianMs: median(lookups),
  };
}

export function formatArchive(result: ArchiveBenchResult): string {
  const line = (name: string, phase: Phase): string =>
    `  ${name.padEnd(28)} ${phase.wallMs.toFixed(0).padStart(7)} ms  ${phase.cpuMsPer1000Rows.toFixed(2).padStart(7)} ms CPU / 1,000 rows`;

  return [
    `  ${result.rows} rows of one month, medians of ${result.runs} runs`,
    line('keyset read only (baseline)', result.readOnly),
    line('archive (read+encode+gzip)', result.archive),
    line('verify (sha256+gunzip)', result.verify),
    line('purge delete (1,000/txn)', result.purgeDelete),
    `  file: ${result.bytesPerRow.toFixed(1)} bytes per row; lookup by id (one block): ${result.lookupMedianMs.toFixed(2)} ms median`,
  ].join('\n');
}

if (require.main === module) {
  runArchiveBench()
    .then((result) => console.log(formatArchive(result)))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
