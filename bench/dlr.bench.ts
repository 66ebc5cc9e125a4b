/**
 * DLR ingest benchmark (issue #5): signed Twilio status receipts at a constant arrival rate against
 * POST /webhooks/twilio/status, with intake, dlr-ingest and dlr-processor composed in one process on
 * MariaDB and Kafka (the receipts integration harness): the webhook route and dlr-ingest in this process,
 * dlr-processor and intake's status consumer in a child process (as the distributed mode separates them), router's
 * health recorder and opt-out (the other readers of sms.status.v1) in another. Reports, per run: acknowledgement latency
 * (p50/p99 from the scheduled send time), achieved rate, errors, and how long after the burst ended the
 * ledger had every message `delivered`. Baseline in the same run: a bare Fastify route that answers
 * 200 at once, with the same generator, rate and bodies.
 *
 *   node -r ./scripts/register.js bench/dlr.bench.ts
 *
 * Env (defaults): BENCH_DLR_RATE 3000, BENCH_DLR_DURATION_S 5, BENCH_DLR_PREWARM_S 10 (an unmeasured burst at
 * the rate before the first run, so the first run measures warm code as the later ones do), BENCH_DLR_WARMUP_S
 * 1 (receipts sent at the rate before each measured burst, by the same generator, not measured), BENCH_REPEATS 3,
 * BENCH_CONNECTIONS 64,
 * BENCH_DLR_CONSUMERS 1 (0: dlr-ingest alone), BENCH_DLR_OBSERVERS 1 (router's health recorder and opt-out reading
 * sms.status.v1 in a third process, at BENCH_OBSERVERS_NICE, default 0, as docker-compose runs router and opt-out; 0: without
 * them), BENCH_CONSUMERS_POLICY idle and BENCH_CONSUMERS_NICE 19 (the processing tier's CPU_POLICY and CPU_NICE, as a
 * host running it beside dlr-ingest sets them, ADRs 0014 and 0016), BENCH_DLR_COMPARE nice19 (each run measured a
 * second time with the processing tier at another priority, alternating: `nice19` the time-shared nice 19 of ADR 0014,
 * `equal` dlr-ingest's own priority, `none` not), BENCH_CPU_PROF (a directory: CPU profiles of the bursts),
 * BENCH_TIMEOUT_MS 2000, BENCH_DLR_PORT 5500 (this helper's range; 0 = any), MYSQL_URL, KAFKA_BROKERS.
 * The route is dlr-ingest's own (webhookRoutes, the plugin the service mounts); the generator
 * (bench/lib/raw-http-load.ts, raw keep-alive sockets) runs in its own process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { ReceiptsPipeline, TWILIO_TOKEN, WEBHOOK_BASE } from '@sms/testing-receipts';
import { webhookRoutes } from '@sms/dlr-ingest';
import { CPU_POLICIES, type CpuPolicy, type CpuPriority, setCpuNice, setCpuPolicy } from '@sms/platform';
import { type GroupLag, LagSampler } from './lib/consumer-lag';
import { CpuMeter, pidsListeningOn, pidsNamed } from './lib/process-cpu';
import type { RawLoadResult as LoadResult } from './lib/raw-http-load';

export interface DlrRunResult extends LoadResult {
  /** The processing tier's CPU priority during this burst (dlr-ingest, MariaDB and the broker: `other`, nice 0). */
  readonly tierPriority: string;
  /** ms from the last acknowledgement until every receipt's message was `delivered` in the ledger. */
  readonly ledgerCaughtUpMs: number | null;
  /** Time inside the webhook route (arrival to answer), without the generator's and the socket's share. */
  readonly handlerP50: number;
  readonly handlerP99: number;
  /**
   * The ingest process's event-loop delay over the burst (ms): a request waits this long before its route
   * runs, beside the time in the route, so it is the share of an acknowledgement the route time does not show.
   */
  readonly loopDelayP99: number;
  readonly loopDelayMax: number;
  /**
   * The processing tier's consumer lag (records not yet committed), sampled from the broker during the burst
   * and its catch-up: `receipts` is dlr-processor on the raw receipts, `ledger` intake on sms.status.v1.
   */
  readonly consumerLag: Record<string, GroupLag>;
  /** CPU ms per receipt of each component over the burst and the catch-up. */
  readonly cpuMsPerReceipt: Record<'ingest' | 'consumers' | 'observers' | 'mariadb' | 'redis' | 'kafka', number>;
}

export interface DlrBenchResult {
  readonly rate: number;
  readonly durationS: number;
  readonly baseline: LoadResult[];
  /** The configured runs (the processing tier at BENCH_CONSUMERS_POLICY/NICE): the targets are judged on these. */
  readonly dlr: DlrRunResult[];
  /** The same bursts with the processing tier at the comparison's priority (BENCH_DLR_COMPARE), alternating with `dlr`. */
  readonly comparison: DlrRunResult[];
  readonly median: {
    baselineP99: number;
    dlrP99: number;
    dlrAchieved: number;
    ledgerCaughtUpMs: number | null;
    /** The comparison's tier priority, and its medians (null without one). */
    comparisonPriority: string | null;
    comparisonP99: number | null;
    comparisonLedgerCaughtUpMs: number | null;
  };
}

const describePriority = (p: CpuPriority): string => (p.policy === 'idle' ? 'SCHED_IDLE' : `nice ${p.nice}`);

/**
 * The processing tier's Node flags, as the docker-compose and k8s commands give dlr-processor and intake's
 * consumers: a 64 MB semi-space, so the tier's short-lived records die in fewer scavenges (ADR 0016).
 */
const TIER_NODE_FLAGS = ['--max-semi-space-size=64'];

/** BENCH_DLR_COMPARE: the priority the configured one is compared with in the same run. */
const COMPARISONS: Readonly<Record<string, CpuPriority | null>> = {
  nice19: { policy: 'other', nice: 19 },
  equal: { policy: 'other', nice: 0 },
  none: null,
};

const num = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);

  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

function runLoad(job: Record<string, unknown>): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', './scripts/register.js', 'bench/lib/dlr-load.ts'], {
      cwd: path.join(__dirname, '..'),
      env: { ...process.env, DLR_LOAD_JOB: JSON.stringify(job) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}') as LoadResult)
        : reject(new Error(`load exited ${code}`)),
    );
  });
}

/**
 * When every message of `ids` was `delivered` (epoch ms), or null after `timeoutMs`. The bench's messages
 * wait `queued` until their receipt lands (nothing routes them), so the poll is one index probe for any
 * message still queued; the exact count over `ids` runs once that probe finds none. Polling the count of
 * 15,000 ids itself every 25 ms would cost MariaDB about a core and slow the pipeline it measures.
 */
async function waitForLedger(pipeline: ReceiptsPipeline, ids: string[], timeoutMs: number): Promise<number | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await pipeline.anyInStatus('queued'))) {
      const doneAt = Date.now();
      if ((await pipeline.countInStatus(ids, 'delivered')) === ids.length) {
        return doneAt;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }

  return null;
}

/** BENCH_CPU_PROF=<dir>: the consumers' process writes a V8 CPU profile there (run this process with --cpu-prof too). */
const profilingArgs = (): string[] =>
  process.env['BENCH_CPU_PROF'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_CPU_PROF']}`] : [];

/**
 * A child on the database and topics of this run (DLR_BENCH_DB), started at `priority` through CPU_POLICY and CPU_NICE as a service
 * reads it: bench/lib/dlr-consumers.ts (dlr-processor and intake's status consumer, the processing tier) or
 * bench/lib/dlr-status-observers.ts (router's health recorder and opt-out, the other readers of sms.status.v1).
 */
function startChild(
  script: string,
  url: string,
  name: string,
  priority: CpuPriority,
  nodeFlags: readonly string[] = [],
): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const command = [...profilingArgs(), ...nodeFlags, '-r', './scripts/register.js', script];
    const child = spawn(process.execPath, command, {
      cwd: path.join(__dirname, '..'),
      env: {
        ...process.env,
        DLR_BENCH_DB: JSON.stringify({ url, name }),
        CPU_POLICY: priority.policy,
        CPU_NICE: String(priority.nice),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString('utf8').includes('ready')) {
        resolve(child);
      }
    });
    child.once('exit', (code) => reject(new Error(`${script} exited ${code}`)));
  });
}

async function stopChild(child: ChildProcess | null): Promise<void> {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

/**
 * BENCH_CPU_PROF=<dir>: a V8 CPU profile of this (the ingest) process over each measured burst only,
 * written there as ingest-run-N.cpuprofile (seeding and warm-up left out).
 */
async function startProfiling(): Promise<{ stop(name: string): Promise<void> } | null> {
  const dir = process.env['BENCH_CPU_PROF'];
  if (!dir) {
    return null;
  }
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');

  return {
    stop: async (name) => {
      const { profile } = await session.post('Profiler.stop');
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
      session.disconnect();
    },
  };
}

/** The broker of KAFKA_BROKERS (its listening pid), or every JVM when that cannot be told. */
function brokerPids(): number[] {
  const port = Number((process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',')[0]?.split(':')[1]);
  const pids = Number.isInteger(port) ? pidsListeningOn(port) : [];

  return pids.length > 0 ? pids : pidsNamed('java');
}

/** Sets a process's policy and nice value; false when that would raise its priority and this process may not. */
function reprioritise(pid: number, priority: CpuPriority): boolean {
  try {
    setCpuPolicy(priority.policy, pid);
    setCpuNice(priority.nice, pid);

    return true;
  } catch (error) {
    const code = (error as { info?: { code?: unknown } }).info?.code;
    // chrt reports a refused sched_setscheduler on its stderr.
    const stderr = (error as { stderr?: Buffer | string }).stderr;
    const refused = /not permitted/i.test(stderr === undefined ? '' : stderr.toString());
    if (code === 'EACCES' || code === 'EPERM' || refused) {
      return false;
    }
    throw error;
  }
}

/** Time each webhook spent in the route during the current run (reset per run). */
const handlerMs: number[] = [];

async function startServer(
  pipeline: ReceiptsPipeline,
  port: number,
): Promise<{ app: FastifyInstance; origin: string }> {
  const app = Fastify({ logger: false });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, body),
  );
  app.post('/bare/status', async (_request, reply) => reply.status(200).send(''));
  // dlr-ingest's own webhook routes; the ingest call is timed to report the time spent in it.
  await app.register(
    webhookRoutes({
      publicBaseUrl: WEBHOOK_BASE,
      ingest: {
        knows: (provider) => pipeline.ingest.knows(provider),
        ingest: async (provider, kind, webhook) => {
          const arrived = performance.now();
          const result = await pipeline.ingest.ingest(provider, kind, webhook);
          handlerMs.push(performance.now() - arrived);

          return result;
        },
      },
    }),
  );
  const address = await app.listen({ port, host: '127.0.0.1' });

  return { app, origin: address };
}

export async function runDlrBench(
  log: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<DlrBenchResult> {
  const rate = num('BENCH_DLR_RATE', 3000);
  const durationS = num('BENCH_DLR_DURATION_S', 5);
  const repeats = num('BENCH_REPEATS', 3);
  const perRun = rate * durationS;
  const warmUp = Math.round(rate * num('BENCH_DLR_WARMUP_S', 1));
  const pipeline = new ReceiptsPipeline({ role: 'ingest' });
  const dir = mkdtempSync(path.join(tmpdir(), 'dlr-bench-'));
  await pipeline.start();
  // BENCH_DLR_CONSUMERS=0: dlr-ingest alone (store, acknowledge, publish), as when it has cores of its own;
  // nothing processes the receipts, so the ledger is not waited for.
  const processing = process.env['BENCH_DLR_CONSUMERS'] !== '0';
  const policy = (process.env['BENCH_CONSUMERS_POLICY'] ?? 'idle') as CpuPolicy;
  if (!CPU_POLICIES.includes(policy)) {
    throw new Error(`BENCH_CONSUMERS_POLICY must be one of ${CPU_POLICIES.join(', ')}`);
  }
  const configured: CpuPriority = { policy, nice: num('BENCH_CONSUMERS_NICE', 19) };
  const compareWith = process.env['BENCH_DLR_COMPARE'] ?? 'nice19';
  if (!(compareWith in COMPARISONS)) {
    throw new Error(`BENCH_DLR_COMPARE must be one of ${Object.keys(COMPARISONS).join(', ')}`);
  }
  const candidate = COMPARISONS[compareWith] ?? null;
  const comparing =
    processing && candidate !== null && describePriority(candidate) !== describePriority(configured) ? candidate : null;
  const { url, name } = pipeline.database;
  const consumers = processing
    ? await startChild('bench/lib/dlr-consumers.ts', url, name, configured, TIER_NODE_FLAGS)
    : null;
  // BENCH_DLR_OBSERVERS=0: without router's and opt-out's readers of sms.status.v1 (as the bench measured before).
  const observing = processing && process.env['BENCH_DLR_OBSERVERS'] !== '0';
  const observersNice = num('BENCH_OBSERVERS_NICE', 0);
  const observers = observing
    ? await startChild('bench/lib/dlr-status-observers.ts', url, name, { policy: 'other', nice: observersNice })
    : null;
  const { app, origin } = await startServer(pipeline, num('BENCH_DLR_PORT', 5500));
  const tierGroups = pipeline.processingGroups();
  const lagGroups = [
    { label: 'receipts', ...tierGroups.receipts },
    { label: 'ledger', ...tierGroups.ledger },
  ];
  const common = {
    origin,
    token: TWILIO_TOKEN,
    rate,
    connections: num('BENCH_CONNECTIONS', 64),
    timeoutMs: num('BENCH_TIMEOUT_MS', 2000),
  };
  const baseline: LoadResult[] = [];
  const dlr: DlrRunResult[] = [];
  const comparison: DlrRunResult[] = [];

  /** One burst: fresh `sent` messages, the bare baseline, then the receipts for them through dlr-ingest. */
  const measureBurst = async (run: number, priority: CpuPriority): Promise<DlrRunResult> => {
    const label = describePriority(priority);
    const tier = processing ? `, processing tier at ${label}${priority === configured ? '' : ' (the comparison)'}` : '';
    log(`dlr bench run ${run}/${repeats}${tier}: seeding ${perRun} sent messages (load ${loadavg()[0]?.toFixed(1)})`);
    const seeded = await pipeline.seedSentMessages(warmUp + perRun);
    const side = priority === configured ? 'configured' : 'comparison';
    const sidsFile = path.join(dir, `sids-${run}-${side}.json`);
    const warmSidsFile = path.join(dir, `sids-${run}-${side}-warm.json`);
    writeFileSync(warmSidsFile, JSON.stringify(seeded.slice(0, warmUp).map((m) => m.providerMessageId)));
    writeFileSync(sidsFile, JSON.stringify(seeded.slice(warmUp).map((m) => m.providerMessageId)));

    const bareCpu = new CpuMeter({ server: [process.pid] });
    const bare = await runLoad({
      ...common,
      path: '/bare/status',
      url: `${WEBHOOK_BASE}/bare/status`,
      sidsFile,
      warmSidsFile,
    });
    baseline.push(bare);
    log(
      `  bare Fastify: ${Math.round(bare.achievedRate)}/s, p50 ${bare.p50.toFixed(1)} ms, p99 ${bare.p99.toFixed(1)} ms, ` +
        `CPU ms per request ${(bareCpu.elapsed().server / (warmUp + perRun)).toFixed(3)}, generator ${bare.generatorCpuMsPerRequest.toFixed(3)}`,
    );

    handlerMs.length = 0;
    const cpu = new CpuMeter({
      ingest: [process.pid],
      consumers: consumers?.pid ? [consumers.pid] : [],
      observers: observers?.pid ? [observers.pid] : [],
      redis: pidsNamed('redis-server'),
      mariadb: pidsNamed('mariadbd'),
      kafka: brokerPids(),
    });
    const profiler = await startProfiling();
    const lag = processing ? new LagSampler(pipeline.kafka, lagGroups) : null;
    const loopDelay = monitorEventLoopDelay({ resolution: 1 });
    loopDelay.enable();
    const result = await runLoad({
      ...common,
      path: '/webhooks/twilio/status',
      url: `${WEBHOOK_BASE}/webhooks/twilio/status`,
      sidsFile,
      warmSidsFile,
    });
    loopDelay.disable();
    lag?.markEnd();
    await profiler?.stop(`ingest-run-${run}-${side}`);
    const doneAt = processing
      ? await waitForLedger(
          pipeline,
          seeded.map((m) => m.messageId),
          120_000,
        )
      : null;
    await pipeline.publisher.drain();
    const consumerLag = (await lag?.stop()) ?? {};
    const failedLagSamples = lag?.failedSamples ?? 0;
    const caughtUp = doneAt === null ? null : Math.max(0, doneAt - result.endedAt);
    const used = cpu.elapsed();
    // The warm-up receipts are processed in the same window: CPU is charged over all of them.
    const receipts = warmUp + perRun;
    const cpuMsPerReceipt = {
      ingest: used.ingest / receipts,
      consumers: used.consumers / receipts,
      observers: used.observers / receipts,
      redis: used.redis / receipts,
      mariadb: used.mariadb / receipts,
      kafka: used.kafka / receipts,
    };
    // Answers finish in about arrival order: the first `warmUp` are (nearly all) the warm-up's.
    const handler = handlerMs.slice(warmUp).sort((a, b) => a - b);
    const handlerP50 = handler[Math.floor(handler.length * 0.5)] ?? Number.NaN;
    const handlerP99 = handler[Math.floor(handler.length * 0.99)] ?? Number.NaN;
    const loopDelayP99 = loopDelay.percentile(99) / 1e6;
    const loopDelayMax = loopDelay.max / 1e6;
    log(
      `  dlr ingest:   ${Math.round(result.achievedRate)}/s, ok ${result.ok}/${result.sent}, errors ${JSON.stringify(result.errors)}, ` +
        `p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, ledger caught up ${processing ? `${caughtUp ?? 'never'} ms after the burst` : 'not measured (no consumers)'}`,
    );
    log(
      `                in the route p50 ${handlerP50.toFixed(1)} ms, p99 ${handlerP99.toFixed(1)} ms; ingest loop delay p99 ` +
        `${loopDelayP99.toFixed(1)} ms, max ${loopDelayMax.toFixed(1)} ms; CPU ms per receipt: ` +
        Object.entries(cpuMsPerReceipt)
          .map(([name, ms]) => `${name} ${ms.toFixed(3)}`)
          .join(', ') +
        `; generator ${result.generatorCpuMsPerRequest.toFixed(3)}, late p99 ${result.generatorLateP99.toFixed(1)} ms, ` +
        `max ${result.generatorLateMax.toFixed(1)} ms`,
    );
    if (processing) {
      log(
        '                consumer lag (max / when the burst ended): ' +
          Object.entries(consumerLag)
            .map(([label, l]) => `${label} ${l.max} / ${l.atEnd ?? '?'}`)
            .join(', ') +
          (failedLagSamples > 0 ? ` (${failedLagSamples} samples unanswered)` : ''),
      );
    }

    return {
      ...result,
      tierPriority: label,
      ledgerCaughtUpMs: caughtUp,
      handlerP50,
      handlerP99,
      loopDelayP99,
      loopDelayMax,
      consumerLag,
      cpuMsPerReceipt,
    };
  };

  try {
    // Warm-up (discarded): JIT, connection pools, producer metadata for the run's fresh topics. 10 s at the
    // rate, as docs/performance.md's "Bench hygiene" asks: after one second of it, the first run still ran partly
    // unoptimised code and answered up to 20% fewer receipts than the runs after it (docs/benchmarks.md at ed64d78).
    const warm = await pipeline.seedSentMessages(Math.max(1, Math.round(rate * num('BENCH_DLR_PREWARM_S', 10))));
    const warmFile = path.join(dir, 'sids-warm.json');
    writeFileSync(warmFile, JSON.stringify(warm.map((m) => m.providerMessageId)));
    await runLoad({
      ...common,
      path: '/webhooks/twilio/status',
      url: `${WEBHOOK_BASE}/webhooks/twilio/status`,
      sidsFile: warmFile,
    });
    if (processing) {
      await waitForLedger(
        pipeline,
        warm.map((m) => m.messageId),
        120_000,
      );
    }
    for (let run = 1; run <= repeats; run++) {
      // Which side goes first alternates: the host's speed drifts within minutes (docs/benchmarks.md at ed64d78).
      const order =
        comparing === null ? [configured] : run % 2 === 1 ? [configured, comparing] : [comparing, configured];
      for (const priority of order) {
        if (consumers?.pid !== undefined && !reprioritise(consumers.pid, priority)) {
          log(`  comparison skipped: raising a priority again needs CAP_SYS_NICE`);
          break;
        }
        const measured = await measureBurst(run, priority);
        (priority === configured ? dlr : comparison).push(measured);
      }
    }
  } finally {
    await stopChild(consumers);
    await stopChild(observers);
    await app.close();
    await pipeline.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const caughtUpMedian = (runs: DlrRunResult[]): number | null => {
    const caught = runs.map((r) => r.ledgerCaughtUpMs);

    return caught.length === 0 || caught.some((c) => c === null) ? null : median(caught as number[]);
  };

  return {
    rate,
    durationS,
    baseline,
    dlr,
    comparison,
    median: {
      baselineP99: median(baseline.map((r) => r.p99)),
      dlrP99: median(dlr.map((r) => r.p99)),
      dlrAchieved: median(dlr.map((r) => r.achievedRate)),
      ledgerCaughtUpMs: caughtUpMedian(dlr),
      comparisonPriority: comparison.length > 0 && comparing !== null ? describePriority(comparing) : null,
      comparisonP99: comparison.length > 0 ? median(comparison.map((r) => r.p99)) : null,
      comparisonLedgerCaughtUpMs: caughtUpMedian(comparison),
    },
  };
}

if (require.main === module) {
  runDlrBench()
    .then((result) => {
      const m = result.median;
      process.stdout.write(
        `\nDLR ingest at ${result.rate}/s for ${result.durationS} s, median of ${result.dlr.length}: ` +
          `achieved ${Math.round(m.dlrAchieved)}/s, p99 ack ${m.dlrP99.toFixed(1)} ms (bare Fastify ${m.baselineP99.toFixed(1)} ms, ` +
          `ratio ${(m.dlrP99 / m.baselineP99).toFixed(1)}x), ledger caught up ${m.ledgerCaughtUpMs ?? 'never'} ms after the burst ` +
          `(targets: >= 3000/s, p99 <= 50 ms, <= 1000 ms)` +
          (m.comparisonP99 === null
            ? '\n'
            : `; with the processing tier at ${m.comparisonPriority}: p99 ack ${m.comparisonP99.toFixed(1)} ms, ledger ${m.comparisonLedgerCaughtUpMs ?? 'never'} ms\n`),
      );
      process.exit(0);
    })
    .catch((error: unknown) => {
      process.stderr.write(
        `dlr bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    });
}
