/**
 * The embedded gateway's per-message writes outside the intake ledger, on SQLite, in this process: per
 * round, BURST dispatches claimed and finished (send-worker's SendAttemptStore) and BURST `sent` events'
 * provider ids learned (dlr-processor's RefStore). SUBMIT=turn submits each burst within one turn of the
 * event loop, as a consumer's batch does; SUBMIT=callbacks submits each item from a callback of its own in
 * one phase of the loop, as the HTTP requests read in one poll do (receipts into dlr-ingest's committer,
 * which batches the same way). Prints, per item, the CPU
 * milliseconds of this process and the SQLite statements and commits (explicit COMMITs and writes in
 * autocommit) the drivers ran. No bus, no HTTP: what the stores' statements and transactions cost.
 *
 *   node -r ./scripts/register.js bench/sqlite-group-commit.bench.ts
 *
 * Env (defaults): SUBMIT turn, BURST 20, ROUNDS 300, RUNS 5.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createServiceDataSource, installStatementCounting } from '@sms/persistence';
import type { DataSource } from 'typeorm';
import {
  DLR_PROCESSOR_ENTITIES,
  DLR_PROCESSOR_MIGRATIONS,
} from '../libs/dlr-processor/feature/src/dlr-processor.module';
import { RefStore } from '../libs/dlr-processor/feature/src/receipts/ref-store';
import { SEND_WORKER_ENTITIES, SEND_WORKER_MIGRATIONS } from '../libs/send-worker/feature/src/send-worker.module';
import { SendAttemptStore } from '../libs/send-worker/feature/src/sending/send-attempt.store';

const BURST = Number(process.env['BURST'] ?? 20);
const ROUNDS = Number(process.env['ROUNDS'] ?? 300);
const RUNS = Number(process.env['RUNS'] ?? 5);
const SUBMIT = process.env['SUBMIT'] === 'callbacks' ? 'callbacks' : 'turn';

/** Calls `submit` for each item, in one turn or each from its own callback of one loop phase (SUBMIT). */
function each<T>(items: readonly T[], submit: (item: T) => Promise<unknown>): Promise<unknown[]> {
  if (SUBMIT === 'turn') {
    return Promise.all(items.map(submit));
  }

  return Promise.all(
    items.map(
      (item) =>
        new Promise<unknown>((resolve, reject) =>
          setImmediate(() => {
            submit(item).then(resolve, reject);
          }),
        ),
    ),
  );
}

/** Commits the driver ran: COMMIT statements, and writes outside a transaction (each its own commit). */
let commits = 0;

function countCommits(): void {
  const scratch = new Database(':memory:');
  const proto = Object.getPrototypeOf(scratch.prepare('SELECT 1')) as Record<string, unknown>;
  scratch.close();
  const run = proto['run'] as (...args: unknown[]) => unknown;
  proto['run'] = function (this: { reader: boolean; source: string; database: Database.Database }, ...args: unknown[]) {
    if (
      /^COMMIT/i.test(this.source) ||
      (!this.reader && !this.database.inTransaction && !/^BEGIN/i.test(this.source))
    ) {
      commits++;
    }

    return run.apply(this, args);
  };
}

interface Figures {
  readonly cpuMs: number;
  readonly statements: number;
  readonly commits: number;
}

async function statementsSoFar(): Promise<number> {
  const counter = await installStatementCounting();
  const { values } = await counter.get();

  return values.reduce((sum, v) => sum + v.value, 0);
}

/** Per item: one claim + finish and one learned ref, BURST of each submitted in the same turn. */
async function measure(attempts: SendAttemptStore, refs: RefStore, rounds: number): Promise<Figures> {
  const statements0 = await statementsSoFar();
  const commits0 = commits;
  const start = process.cpuUsage();
  for (let round = 0; round < rounds; round++) {
    const ids = Array.from({ length: BURST }, () => randomUUID());
    const now = new Date();
    await each(ids, (id) => attempts.claim(id, 1, 'twilio', now));
    await each(ids, (id) => attempts.finish(id, 1, { latencyMs: 3, providerMessageId: `SM${id}`, outcome: '{}' }, now));
    await each(ids, (id) =>
      refs.learn([
        {
          provider: 'twilio',
          providerMessageId: `SM${id}`,
          messageId: id,
          partIndex: 0,
          partCount: 1,
          traceParent: null,
        },
      ]),
    );
  }
  const used = process.cpuUsage(start);
  const items = rounds * BURST;

  return {
    cpuMs: (used.user + used.system) / 1000 / items,
    statements: ((await statementsSoFar()) - statements0) / items,
    commits: (commits - commits0) / items,
  };
}

async function main(): Promise<void> {
  await installStatementCounting();
  countCommits();
  const dir = mkdtempSync(path.join(tmpdir(), 'sqlite-group-commit-bench-'));
  const sendWorker = await createServiceDataSource({
    service: 'send-worker',
    database: { kind: 'sqlite', directory: dir },
    entities: SEND_WORKER_ENTITIES,
    migrations: SEND_WORKER_MIGRATIONS,
  }).initialize();
  const dlrProcessor: DataSource = await createServiceDataSource({
    service: 'dlr-processor',
    database: { kind: 'sqlite', directory: dir },
    entities: DLR_PROCESSOR_ENTITIES,
    migrations: DLR_PROCESSOR_MIGRATIONS,
  }).initialize();
  try {
    const attempts = new SendAttemptStore(sendWorker);
    const refs = new RefStore(dlrProcessor);
    await measure(attempts, refs, Math.max(1, Math.round(ROUNDS / 3)));
    const runs: Figures[] = [];
    for (let run = 0; run < RUNS; run++) {
      runs.push(await measure(attempts, refs, ROUNDS));
    }
    const cpu = runs.map((r) => r.cpuMs).sort((a, b) => a - b);
    const median = cpu[Math.floor(cpu.length / 2)] ?? Number.NaN;
    const last = runs[runs.length - 1] as Figures;
    process.stdout.write(
      `SQLite claim + finish + learned ref, bursts of ${BURST} (${SUBMIT}): CPU ms per item ${runs
        .map((r) => r.cpuMs.toFixed(4))
        .join(
          ' ',
        )}; median ${median.toFixed(4)}; statements ${last.statements.toFixed(2)}, commits ${last.commits.toFixed(2)} per item\n`,
    );
  } finally {
    await sendWorker.destroy();
    await dlrProcessor.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
