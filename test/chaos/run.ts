/**
 * `npm run chaos`: the fault suite (docs/chaos.md). Starts the distributed gateway on a database and a
 * topic prefix of its own, injects each fault under a steady load, checks the whole history, prints one
 * row per fault and exits non-zero when any invariant broke.
 *
 *   npm run chaos                      every fault
 *   npm run chaos -- --only=kill9:intake,mariadb-down
 *   npm run chaos -- --short           the short form's faults (the ones `npm test` runs)
 *
 * Settings (environment): KAFKA_BROKERS (the shared broker, default 127.0.0.1:9092), REDIS_URL and
 * MYSQL_URL (used when the suite cannot start servers of its own), CHAOS_PORT_OFFSET (default 700),
 * CHAOS_DIR (default tmp/chaos/<run id>).
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ChaosEnvironment } from './environment';
import { type Fault, type FaultContext, FAULTS, SHORT_FAULTS, type Stage } from './faults';
import { PrivateKafka, PrivateMariaDb, PrivateRedis } from './private-infra';
import { type FaultRow, formatTable, FULL_LOAD, runFault, SHORT_LOAD, warmUp } from './suite';

const ROOT = path.join(__dirname, '..', '..');

interface Args {
  readonly only: string[] | null;
  readonly short: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  let only: string[] | null = null;
  let short = false;
  for (const arg of argv) {
    if (arg === '--short') {
      short = true;
    } else if (arg.startsWith('--only=')) {
      only = arg
        .slice('--only='.length)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    } else {
      throw new Error(`unknown argument ${arg} (use --only=<fault>[,<fault>] or --short)`);
    }
  }
  if (only) {
    const unknown = only.filter((name) => !FAULTS.some((f) => f.name === name));
    if (unknown.length > 0) {
      throw new Error(`unknown fault ${unknown.join(', ')}; known: ${FAULTS.map((f) => f.name).join(', ')}`);
    }
  }

  return { only, short };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const faults = (args.short ? SHORT_FAULTS : FAULTS).filter((f) => !args.only || args.only.includes(f.name));
  const runId = randomBytes(4).toString('hex');
  const dir = process.env['CHAOS_DIR'] ?? path.join(ROOT, 'tmp', 'chaos', runId);
  mkdirSync(dir, { recursive: true });
  const offset = Number(process.env['CHAOS_PORT_OFFSET'] ?? 700);
  const sharedBrokers = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';
  const logFile = path.join(dir, 'suite.log');
  const log = (line: string): void => {
    const stamped = `${new Date().toISOString()} ${line}`;
    process.stdout.write(`${stamped}\n`);
    appendFileSync(logFile, `${stamped}\n`);
  };
  const serviceLog = path.join(dir, 'services.log');
  const onOutput = (name: string, line: string): void => appendFileSync(serviceLog, `[${name}] ${line}\n`);
  log(`chaos run ${runId}: ${faults.length} fault(s), logs in ${dir}`);

  const rows: FaultRow[] = [];
  const stages: Stage[] = ['shared-kafka', 'own-kafka'];
  const needsMariaDb = faults.some((f) => f.needs === 'mariadb');
  const needsRedis = faults.some((f) => f.needs === 'redis');
  let mariadb: PrivateMariaDb | undefined;
  let redis: PrivateRedis | undefined;
  let kafka: PrivateKafka | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  // Interrupted (Ctrl-C, a CI timeout): the suite's own servers are stopped too; the gateway's processes
  // leave with this one (EXIT_WITH_PARENT).
  const interrupted = (): void => {
    log("interrupted: stopping the suite's own servers");
    void Promise.allSettled(cleanups.reverse().map((cleanup) => cleanup())).then(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    // The suite's own MariaDB and Redis when a fault stops them (and installed); else the shared ones.
    if (needsMariaDb && PrivateMariaDb.available()) {
      mariadb = new PrivateMariaDb(3306 + offset, path.join(dir, 'mariadb'));
      await mariadb.start();
      cleanups.push(() => mariadb!.stop());
      log(`own mariadbd pid ${mariadb.pid} on ${mariadb.port}`);
    }
    if (needsRedis && PrivateRedis.available()) {
      redis = new PrivateRedis(6379 + offset, path.join(dir, 'redis'));
      await redis.start();
      cleanups.push(() => redis!.stop());
      log(`own redis-server pid ${redis.pid} on ${redis.port}`);
    }
    const mysqlServerUrl = mariadb?.url ?? serverOf(process.env['MYSQL_URL'] ?? 'mysql://root@127.0.0.1:3306');
    const redisUrl = redis?.url ?? process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

    for (const stage of stages) {
      const staged = faults.filter((f) => f.stage === stage);
      if (staged.length === 0) {
        continue;
      }
      let brokers = sharedBrokers;
      if (stage === 'own-kafka') {
        kafka = new PrivateKafka(9092 + offset, 9093 + offset, path.join(dir, 'kafka'));
        log(`starting the suite's own Kafka broker on ${kafka.port}`);
        try {
          await kafka.up();
        } catch (error) {
          const reason = `own broker did not start: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
          for (const fault of staged) {
            rows.push({ fault: fault.name, result: 'skipped', notReady: [], reason });
          }
          kafka = undefined;
          continue;
        }
        cleanups.push(() => kafka!.down());
        brokers = kafka.brokers;
      }
      log(`starting the gateway (${stage}, brokers ${brokers})`);
      const env = await ChaosEnvironment.start({
        runId: `${runId}${stage === 'own-kafka' ? 'k' : ''}`,
        mysqlServerUrl,
        redisUrl,
        kafkaBrokers: brokers,
        portOffset: offset,
        dir: path.join(dir, stage),
        onOutput,
      });
      const ctx: FaultContext = { env, log, mariadb, redis, kafka };
      try {
        await warmUp(env.intakeUrl, env.apiKey);
        for (const fault of staged) {
          rows.push(await runOne(fault, ctx, args.short, log));
          process.stdout.write(`${formatTable(rows.slice(-1))}\n`);
        }
      } finally {
        await env.stop();
      }
    }
  } finally {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => log(`cleanup: ${String(error)}`));
    }
  }

  const table = formatTable(rows);
  writeFileSync(path.join(dir, 'table.md'), `${table}\n`);
  process.stdout.write(`\n${table}\n\n`);
  for (const row of rows) {
    if (row.result === 'skipped') {
      process.stdout.write(`${row.fault}: skipped (${row.reason})\n`);
    }
    for (const violation of row.check?.violations.slice(0, 10) ?? []) {
      process.stdout.write(`${row.fault}: ${violation}\n`);
    }
    if ((row.check?.violations.length ?? 0) > 10) {
      process.stdout.write(`${row.fault}: … ${(row.check?.violations.length ?? 0) - 10} more\n`);
    }
    for (const note of row.check?.notes ?? []) {
      process.stdout.write(`${row.fault}: ${note}\n`);
    }
  }

  return rows.some((row) => row.result === 'FAIL') ? 1 : 0;
}

/** A MySQL URL without its database. */
function serverOf(url: string): string {
  const parsed = new URL(url);
  parsed.pathname = '';

  return parsed.toString().replace(/\/$/, '');
}

async function runOne(fault: Fault, ctx: FaultContext, short: boolean, log: (line: string) => void): Promise<FaultRow> {
  const missing =
    (fault.needs === 'mariadb' && !ctx.mariadb) ||
    (fault.needs === 'redis' && !ctx.redis) ||
    (fault.needs === 'kafka' && !ctx.kafka);
  if (missing) {
    return {
      fault: fault.name,
      result: 'skipped',
      notReady: [],
      reason: `needs its own ${fault.needs} (not installed)`,
    };
  }
  log(`--- ${fault.name}`);

  return runFault(fault, ctx, short ? SHORT_LOAD : FULL_LOAD);
}

main()
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    process.stderr.write(`chaos: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(2);
  });
