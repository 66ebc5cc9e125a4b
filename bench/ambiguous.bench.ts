/**
 * `npm run bench -- --only=ambiguous`: the resend count after ambiguous sends (issue #20, part 5). Starts the
 * distributed gateway as the fault suite does (test/chaos/environment.ts: its own database, Redis key prefix and
 * topic prefix on the shared servers), makes every simulated provider accept a share of submits but withhold the
 * answer past the send-worker's timeout (the provider has the message, the gateway cannot know), sends N messages,
 * lets every one settle, and counts:
 *   - doubled: messages a provider accepted more than once (two SMS to one person; target 0);
 *   - ambiguous: messages with an ambiguous attempt (timed out after the request left);
 *   - looked up: attempts that asked the provider first because the attempt before was ambiguous, split into
 *     found (reported `sent`, not resent), not found (resent) and unresolved (not resent, retried later).
 *
 * Env knobs: AMBIGUOUS_MESSAGES (default 100), AMBIGUOUS_RATE (requests/s, default 10), AMBIGUOUS_SHARE
 * (share of submits withheld, default 0.1), AMBIGUOUS_PORT_OFFSET (default 830), KAFKA_BROKERS, REDIS_URL,
 * MYSQL_URL (the server; the database is created and dropped).
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { createConnection } from 'mysql2/promise';
import { checkHistory, submitsPerMessage } from '../test/chaos/checker';
import { ChaosEnvironment } from '../test/chaos/environment';
import { LoadClient } from '../test/chaos/load';
import { DESTINATIONS, warmUp } from '../test/chaos/suite';
import { ROOT } from './lib/processes';

export interface AmbiguousBenchResult {
  readonly messages: number;
  readonly accepted: number;
  readonly withheldShare: number;
  /** Accepted messages that had a first attempt while the answers were being withheld. */
  readonly attemptedUnderFault: number;
  /** Messages a provider accepted more than once. */
  readonly doubled: number;
  /** Messages with at least one ambiguous attempt. */
  readonly ambiguous: number;
  /** Attempts preceded by a provider lookup (the attempt before was ambiguous). */
  readonly lookedUp: number;
  readonly lookupFound: number;
  readonly lookupNotFoundResent: number;
  readonly lookupUnresolved: number;
  readonly final: number;
  readonly notFinal: number;
  readonly violations: string[];
  readonly elapsedS: number;
}

interface AttemptRow {
  message_id: string;
  attempt: number;
  state: string;
  outcome: string | null;
}

interface AttemptOutcome {
  readonly ambiguous?: boolean;
  readonly errorCode?: string | null;
  readonly detail?: string | null;
  readonly status?: string;
}

/** What the send-worker's attempts say about lookups before resends (pure: unit-tested). */
export function countLookups(rows: readonly AttemptRow[]): {
  ambiguous: number;
  lookedUp: number;
  found: number;
  notFoundResent: number;
  unresolved: number;
} {
  const byMessage = new Map<string, AttemptRow[]>();
  for (const row of rows) {
    const list = byMessage.get(row.message_id) ?? [];
    list.push(row);
    byMessage.set(row.message_id, list);
  }
  const counts = { ambiguous: 0, lookedUp: 0, found: 0, notFoundResent: 0, unresolved: 0 };
  for (const attempts of byMessage.values()) {
    attempts.sort((a, b) => a.attempt - b.attempt);
    let sawAmbiguous = false;
    for (let i = 0; i < attempts.length; i++) {
      const row = attempts[i] as AttemptRow;
      const previous = attempts[i - 1];
      if (previous && wasAmbiguous(previous)) {
        counts.lookedUp++;
        const outcome = parse(row.outcome);
        if (outcome.detail?.startsWith('reconciled after an ambiguous send')) {
          counts.found++;
        } else if (outcome.errorCode === 'AMBIGUOUS_UNRESOLVED') {
          counts.unresolved++;
        } else {
          counts.notFoundResent++;
        }
      }
      sawAmbiguous ||= wasAmbiguous(row);
    }
    counts.ambiguous += sawAmbiguous ? 1 : 0;
  }

  return counts;
}

function parse(outcome: string | null): AttemptOutcome {
  try {
    return JSON.parse(outcome ?? '{}') as AttemptOutcome;
  } catch {
    return {};
  }
}

/** As the send-worker decides (ambiguous-send.reconciler.ts): left `sending`, or its outcome says ambiguous. */
function wasAmbiguous(row: AttemptRow): boolean {
  return row.state === 'sending' || parse(row.outcome).ambiguous === true;
}

/** Waits until every id has a send attempt (or the limit passes); returns how many have one. */
async function waitForFirstAttempts(mysqlUrl: string, ids: readonly string[], limitMs: number): Promise<number> {
  const connection = await createConnection({ uri: mysqlUrl });
  const deadline = Date.now() + limitMs;
  try {
    for (;;) {
      let attempted = 0;
      for (let from = 0; from < ids.length; from += 500) {
        const [rows] = await connection.query(
          'SELECT COUNT(DISTINCT message_id) AS n FROM send_attempts WHERE message_id IN (?)',
          [ids.slice(from, from + 500)],
        );
        attempted += Number((rows as { n: number }[])[0]?.n ?? 0);
      }
      if (attempted >= ids.length || Date.now() > deadline) {
        return attempted;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  } finally {
    await connection.end();
  }
}

export async function runAmbiguousBench(log: (line: string) => void): Promise<AmbiguousBenchResult> {
  const started = Date.now();
  const messages = Number(process.env['AMBIGUOUS_MESSAGES'] ?? 100);
  const rate = Number(process.env['AMBIGUOUS_RATE'] ?? 10);
  const share = Number(process.env['AMBIGUOUS_SHARE'] ?? 0.1);
  const runId = `amb${randomBytes(3).toString('hex')}`;
  const dir = path.join(ROOT, 'tmp', 'bench', runId);
  mkdirSync(dir, { recursive: true });
  const server = new URL(process.env['MYSQL_URL'] ?? 'mysql://root@127.0.0.1:3306/sms_test');
  server.pathname = '';
  log(`  starting the distributed gateway (database sms_chaos_${runId}; service output in ${dir})`);
  const env = await ChaosEnvironment.start({
    runId,
    mysqlServerUrl: server.toString().replace(/\/$/, ''),
    redisUrl: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    kafkaBrokers: process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092',
    portOffset: Number(process.env['AMBIGUOUS_PORT_OFFSET'] ?? 830),
    dir,
    onOutput: (name, line) => appendFileSync(path.join(dir, 'services.log'), `[${name}] ${line}\n`),
  });
  try {
    await warmUp(env.intakeUrl, env.apiKey, 4);
    await env.knobs('defaults');
    await env.knobs({ timeoutAfterAcceptRate: share });
    log(`  ${messages} messages at ${rate}/s; every provider withholds ${Math.round(share * 100)}% of its answers`);
    const client = new LoadClient({
      url: env.intakeUrl,
      apiKey: env.apiKey,
      rate,
      maxRequests: messages,
      maxMs: (messages / rate) * 1000 + 5_000,
      timeoutMs: 30_000,
      destinations: DESTINATIONS,
      logFile: path.join(dir, 'requests.jsonl'),
    });
    client.start();
    const records = await client.finished();
    // A timed-out call holds its sender's dispatches back, so first attempts trail the load: the answers stay
    // withheld until every accepted message has had one. Resends after that go out clean.
    const firstAttempts = await waitForFirstAttempts(env.mysqlUrl, client.acceptedIds(), 300_000);
    await env.knobs('defaults');
    const check = await checkHistory({
      mysqlUrl: env.mysqlUrl,
      simulatorUrl: env.simulatorUrl,
      simulatorAuth: env.topology.simulatorAuth,
      records,
      settleMs: 120_000,
    });
    const accepted = client.acceptedIds();
    const submits = await submitsPerMessage(env.simulatorUrl, env.topology.simulatorAuth);
    const doubled = accepted.filter((id) => (submits.get(id) ?? 0) > 1).length;
    const connection = await createConnection({ uri: env.mysqlUrl });
    let rows: AttemptRow[] = [];
    try {
      for (let from = 0; from < accepted.length; from += 500) {
        const [result] = await connection.query(
          'SELECT message_id, attempt, state, outcome FROM send_attempts WHERE message_id IN (?)',
          [accepted.slice(from, from + 500)],
        );
        rows = rows.concat(result as AttemptRow[]);
      }
    } finally {
      await connection.end();
    }
    const lookups = countLookups(rows);

    return {
      messages,
      accepted: accepted.length,
      withheldShare: share,
      attemptedUnderFault: firstAttempts,
      doubled,
      ambiguous: lookups.ambiguous,
      lookedUp: lookups.lookedUp,
      lookupFound: lookups.found,
      lookupNotFoundResent: lookups.notFoundResent,
      lookupUnresolved: lookups.unresolved,
      final: check.final,
      notFinal: check.accepted - check.final,
      violations: check.violations,
      elapsedS: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    await env.stop();
  }
}

export function formatAmbiguous(r: AmbiguousBenchResult): string {
  return [
    `  ${r.accepted}/${r.messages} accepted, ${Math.round(r.withheldShare * 100)}% of provider answers withheld ` +
      `until ${r.attemptedUnderFault} had a first attempt`,
    `  ambiguous messages ${r.ambiguous}; attempts looked up before resending ${r.lookedUp} ` +
      `(found, not resent ${r.lookupFound}; not found, resent ${r.lookupNotFoundResent}; unresolved ${r.lookupUnresolved})`,
    `  accepted twice by a provider: ${r.doubled}; final ${r.final}, not final ${r.notFinal}; ${r.elapsedS} s`,
    ...r.violations.slice(0, 10).map((v) => `  violation: ${v}`),
  ].join('\n');
}

if (require.main === module) {
  const log = (line: string): void => void process.stdout.write(`${line}\n`);
  runAmbiguousBench(log)
    .then((result) => log(formatAmbiguous(result)))
    .catch((error: unknown) => {
      process.stderr.write(
        `ambiguous bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    });
}
