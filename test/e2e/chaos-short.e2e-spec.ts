import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { evaluate, type MessageRow } from '../chaos/checker';
import { ChaosEnvironment } from '../chaos/environment';
import { type FaultContext, SHORT_FAULTS } from '../chaos/faults';
import { formatTable, runFault, SHORT_LOAD, type FaultRow, warmUp } from '../chaos/suite';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const KAFKA_BROKERS = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';
const MYSQL_URL = process.env['MYSQL_URL'] ?? 'mysql://root@127.0.0.1:3306/sms_test';

/**
 * The short form of `npm run chaos` (docs/chaos.md): the distributed gateway on the shared MariaDB,
 * Redis and Kafka (a database, key prefix and topic prefix of its own), and the cheap faults that hold
 * on the code as it stands (kill -9 of the send-worker and of dlr-processor mid-load), checked with the
 * same checker as the full suite: every accepted message final, none sent twice, no status backwards,
 * no request hung, every process ready again.
 */
describe('chaos, short form: kill -9 mid-load loses and doubles nothing', () => {
  let env: ChaosEnvironment;
  const lines: string[] = [];
  const rows: FaultRow[] = [];

  beforeAll(async () => {
    const runId = `e2e${randomBytes(3).toString('hex')}`;
    const server = new URL(MYSQL_URL);
    server.pathname = '';
    const dir = path.join(__dirname, '..', '..', 'tmp', 'chaos', runId);
    mkdirSync(dir, { recursive: true });
    env = await ChaosEnvironment.start({
      runId,
      mysqlServerUrl: server.toString().replace(/\/$/, ''),
      redisUrl: REDIS_URL,
      kafkaBrokers: KAFKA_BROKERS,
      portOffset: 750,
      dir,
      onOutput: (name, line) => lines.push(`[${name}] ${line}`),
    });
    await warmUp(env.intakeUrl, env.apiKey);
  }, 400_000);

  afterAll(async () => {
    await env?.stop();
    if (rows.length > 0) {
      process.stdout.write(`${formatTable(rows)}\n`);
    }
    if (rows.some((row) => row.result !== 'pass')) {
      process.stdout.write(`service output:\n${lines.slice(-200).join('\n')}\n`);
    }
  }, 120_000);

  it('runs only cheap faults', () => {
    expect(SHORT_FAULTS.map((fault) => fault.name)).toEqual(['kill9:send-worker', 'kill9:dlr-processor']);
  });

  it.each(SHORT_FAULTS.map((fault) => [fault.name, fault] as const))(
    '%s: every accepted message final, none doubled or backwards, no request hung, all ready again',
    async (_name, fault) => {
      const ctx: FaultContext = { env, log: (line) => lines.push(`[chaos] ${line}`) };
      const row = await runFault(fault, ctx, SHORT_LOAD);
      rows.push(row);
      expect(row.check?.accepted).toBeGreaterThan(0);
      expect(row.check?.violations).toEqual([]);
      expect(row).toMatchObject({ result: 'pass', notReady: [] });
      expect(row.check).toMatchObject({ lost: 0, stuck: 0, doubles: 0, backwards: 0, hung: 0 });
    },
    150_000,
  );
});

describe('the chaos checker', () => {
  it('the checker flags each broken invariant (and passes a clean history)', () => {
    const at = new Date().toISOString();
    const accepted = (seq: number, id: string) => ({ seq, at, ms: 5, outcome: 'accepted' as const, id });
    const row = (id: string, status: string, retry = false): [string, MessageRow] => [
      id,
      { id, status, attempt: 1, error_code: retry ? 'PROVIDER_ERROR' : null, next_retry_at: retry ? new Date() : null },
    ];
    const event = (status: string, applied = 1, errorCode: string | null = null) => ({
      message_id: '',
      status,
      applied,
      error_code: errorCode,
    });
    const records = [
      accepted(0, 'ok'),
      accepted(1, 'lost'),
      accepted(2, 'stuck'),
      accepted(3, 'retrying'),
      accepted(4, 'doubled'),
      accepted(5, 'ambiguous'),
      accepted(6, 'backwards'),
      { seq: 7, at, ms: 30_000, outcome: 'hung' as const, error: 'timeout' },
    ];
    const ids = records.flatMap((r) => (r.outcome === 'accepted' ? [r.id] : []));
    const messages = new Map([
      row('ok', 'delivered'),
      row('stuck', 'sent'),
      row('retrying', 'queued', true),
      row('doubled', 'delivered'),
      row('ambiguous', 'delivered'),
      row('backwards', 'sent'),
    ]);
    const events = new Map([
      ['ok', [event('queued'), event('sent'), event('delivered'), event('sent', 0)]],
      ['ambiguous', [event('queued'), event('queued', 0, 'AMBIGUOUS_SUBMIT'), event('sent'), event('delivered')]],
      ['backwards', [event('queued'), event('delivered'), event('sent')]],
    ]);
    const accepts = new Map([
      ['ok', 1],
      ['doubled', 2],
      ['ambiguous', 2],
    ]);

    const result = evaluate(records, ids, messages, events, accepts);
    expect(result).toMatchObject({
      accepted: 7,
      final: 3,
      lost: 1,
      stuck: 2, // 'stuck' and 'backwards' (sent, no retry due)
      retrying: 1,
      doubles: 1,
      ambiguousDoubles: 1,
      backwards: 1,
      hung: 1,
    });
    expect(result.violations).toHaveLength(6);
    const clean = evaluate([accepted(0, 'ok')], ['ok'], messages, events, accepts);
    expect(clean.violations).toEqual([]);
  });
});
