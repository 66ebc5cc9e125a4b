/**
 * One fault under load, checked: the steady load starts, the fault is injected a third of the way in,
 * the load finishes, the system is given time to settle, and the whole history is checked. Shared by
 * `npm run chaos` (test/chaos/run.ts) and the short form in `npm test` (test/e2e/chaos-short.e2e-spec.ts).
 */
import path from 'node:path';
import { checkHistory, type CheckResult } from './checker';
import type { Fault, FaultContext } from './faults';
import { LoadClient } from './load';
import { sleep } from './private-infra';

export interface LoadShape {
  /** Requests per second. */
  readonly rate: number;
  readonly seconds: number;
  /** A request unanswered after this counts as hung. */
  readonly timeoutMs: number;
  /** How long accepted messages may take to settle after the load. */
  readonly settleMs: number;
}

/**
 * Modest rates: the suite shares a small machine with everything it starts (nine Node processes, a
 * broker, a database), and what it checks is correctness under faults, not throughput. A request still
 * unanswered after 30 s counts as hung.
 */
export const FULL_LOAD: LoadShape = { rate: 4, seconds: 30, timeoutMs: 30_000, settleMs: 90_000 };
export const SHORT_LOAD: LoadShape = { rate: 4, seconds: 15, timeoutMs: 30_000, settleMs: 45_000 };

/** GB goes to Twilio first, US to its own pool: two routes, both counted by the simulator per message. */
export const DESTINATIONS = ['+447400123456', '+12025550123', '+447400123457', '+12025550124'];

export interface FaultRow {
  readonly fault: string;
  readonly result: 'pass' | 'FAIL' | 'skipped';
  readonly check?: CheckResult;
  /** From the fault's start until every process is ready and a new message goes through to delivered. */
  readonly recoveryMs?: number;
  readonly notReady: string[];
  readonly reason?: string;
}

export async function runFault(fault: Fault, ctx: FaultContext, load: LoadShape): Promise<FaultRow> {
  const { env, log } = ctx;
  await env.knobs('defaults');
  const client = new LoadClient({
    url: env.intakeUrl,
    apiKey: env.apiKey,
    rate: load.rate,
    maxRequests: Math.ceil(load.rate * load.seconds),
    maxMs: load.seconds * 1000,
    timeoutMs: load.timeoutMs,
    destinations: DESTINATIONS,
    logFile: path.join(env.options.dir, `${fault.name.replace(/[^a-z0-9-]/gi, '_')}.requests.jsonl`),
  });
  client.start();
  await sleep((load.seconds * 1000) / 3);
  const faultStart = Date.now();
  log(`inject ${fault.name}: ${fault.describe}`);
  let injectError: unknown;
  try {
    await fault.inject(ctx);
  } catch (error) {
    injectError = error;
    log(`inject ${fault.name} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  // Measured while the load goes on: the probe competes with it, as a caller would.
  const recovery = recoveryTime(ctx, faultStart, load.settleMs);
  const records = await client.finished();
  const recoveryMs = await recovery;
  const check = await checkHistory({
    mysqlUrl: env.mysqlUrl,
    simulatorUrl: env.simulatorUrl,
    simulatorAuth: env.topology.simulatorAuth,
    records,
    settleMs: load.settleMs,
  });
  // Every service ready again, without a restart beyond the fault's own.
  const notReady = await env.notReady();
  const violations = [...check.violations, ...notReady.map((p) => `${p}: not ready after the fault`)];
  if (recoveryMs === undefined) {
    violations.push('no new message went through to delivered after the fault');
  }
  if (injectError !== undefined) {
    violations.push(`fault injection failed: ${injectError instanceof Error ? injectError.message : 'see the log'}`);
  }

  return {
    fault: fault.name,
    result: violations.length === 0 ? 'pass' : 'FAIL',
    check: { ...check, violations },
    ...(recoveryMs !== undefined ? { recoveryMs } : {}),
    notReady,
  };
}

/**
 * A few messages through every service before the first fault (connections opened, code paths compiled),
 * so that the first fault's history is not dominated by a cold start. Not checked.
 */
export async function warmUp(intakeUrl: string, apiKey: string, count = 8, limitMs = 120_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  const ids: string[] = [];
  for (let i = 0; i < count && Date.now() < deadline; i++) {
    const id = await probe(intakeUrl, apiKey);
    if (id) {
      ids.push(id);
    }
    await sleep(250);
  }
  for (const id of ids) {
    while (Date.now() < deadline && (await statusOf(intakeUrl, apiKey, id)) !== 'delivered') {
      await sleep(500);
    }
  }
}

/**
 * Time from the fault's start until every process answers /readyz 200 and a message sent now reaches
 * `delivered`; undefined when that does not happen within `limitMs`.
 */
async function recoveryTime(ctx: FaultContext, since: number, limitMs: number): Promise<number | undefined> {
  const { env } = ctx;
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline && (await env.notReady()).length > 0) {
    await sleep(250);
  }
  while (Date.now() < deadline) {
    const id = await probe(env.intakeUrl, env.apiKey);
    if (id) {
      while (Date.now() < deadline) {
        const status = await statusOf(env.intakeUrl, env.apiKey, id);
        if (status === 'delivered') {
          return Date.now() - since;
        }
        if (status === 'failed' || status === 'undelivered') {
          break; // try another probe
        }
        await sleep(200);
      }
    }
    await sleep(500);
  }

  return undefined;
}

async function probe(intakeUrl: string, apiKey: string): Promise<string | undefined> {
  const response = await fetch(`${intakeUrl}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ to: '+447400123499', body: 'chaos recovery probe' }),
    signal: AbortSignal.timeout(5000),
  }).catch(() => null);
  if (response?.status !== 202) {
    return undefined;
  }

  return ((await response.json()) as { id: string }).id;
}

async function statusOf(intakeUrl: string, apiKey: string, id: string): Promise<string | undefined> {
  const response = await fetch(`${intakeUrl}/v1/messages/${id}`, {
    headers: { authorization: `Bearer ${apiKey}` },
    signal: AbortSignal.timeout(5000),
  }).catch(() => null);
  if (!response?.ok) {
    return undefined;
  }

  return ((await response.json()) as { status: string }).status;
}

const HEADER = [
  'fault',
  'result',
  'requests',
  'accepted',
  'refused',
  'conn-failed',
  'hung',
  'final',
  'retrying',
  'stuck',
  'lost',
  'doubled',
  'ambiguous-doubled',
  'backwards',
  'recovery s',
];

/** The result table, one row per fault (Markdown, so docs/chaos.md can carry it as printed). */
export function formatTable(rows: readonly FaultRow[]): string {
  const lines = [`| ${HEADER.join(' | ')} |`, `|${HEADER.map(() => '---').join('|')}|`];
  for (const row of rows) {
    const c = row.check;
    const cells = c
      ? [
          c.requests,
          c.accepted,
          c.refused,
          c.failed,
          c.hung,
          c.final,
          c.retrying,
          c.stuck,
          c.lost,
          c.doubles,
          c.ambiguousDoubles,
          c.backwards,
          row.recoveryMs !== undefined ? (row.recoveryMs / 1000).toFixed(1) : '—',
        ]
      : HEADER.slice(2).map(() => '—');
    lines.push(`| ${[row.fault, row.result, ...cells].join(' | ')} |`);
  }

  return lines.join('\n');
}
