/**
 * Open-model, constant-arrival-rate HTTP load generator (the k6 constant-arrival-rate / wrk2 model).
 *
 * Request i is due at t0 + i / rate whatever happened to the requests before it, and its latency is
 * measured from that scheduled instant, not from when it was actually written. A closed-loop tool
 * (autocannon -c N) slows down when the server does, so it never sees the queue it causes (coordinated
 * omission); autocannon -R paces per second and bursts, which inflated p99 past 100 ms at 5k req/s here
 * (docs/performance.md, "Reference figures"). In-flight requests are bounded: a request that is due while the bound is reached
 * is dropped and counted as an error, like k6's dropped_iterations, so an overloaded server shows up as
 * errors instead of an unbounded client-side queue.
 *
 * Runs in its own process (LoadGeneratorProcess) so it never shares an event loop with the server or the
 * bench runner's bookkeeping, and can be pinned to its own core with taskset.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { type Dispatcher, Pool } from 'undici';

export interface ConstantRateOptions {
  /** Origin only, e.g. http://127.0.0.1:3000. */
  readonly origin: string;
  readonly path: string;
  readonly method?: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Offered arrival rate, requests per second. */
  readonly rate: number;
  /** Measured window after the warm-up. */
  readonly durationS: number;
  /** Same rate, results discarded: JIT, connection set-up and pool growth happen here. */
  readonly warmUpS: number;
  /** Keep-alive connections in the pool; requests beyond them wait in undici's queue (and that wait counts). */
  readonly connections?: number;
  /** Requests started but not finished, queue included; beyond this a due request is dropped. */
  readonly maxInFlight?: number;
  /** A response slower than this (from its scheduled start) is an error; undici aborts after it too. */
  readonly timeoutMs?: number;
}

export interface ErrorBreakdown {
  /** Due while maxInFlight requests were outstanding: never sent. */
  readonly dropped: number;
  readonly timeouts: number;
  /** Non-2xx answers by status code. */
  readonly status: Record<string, number>;
  /** Connection resets, refused connections and the like, by error code. */
  readonly network: Record<string, number>;
}

export interface ConstantRateResult {
  readonly offeredRate: number;
  /** 2xx responses completed inside the measured window, per second of window. */
  readonly achievedRate: number;
  /** Requests scheduled inside the window. */
  readonly scheduled: number;
  readonly ok: number;
  readonly errors: number;
  readonly errorRate: number;
  readonly errorBreakdown: ErrorBreakdown;
  /** Latency of 2xx responses scheduled in the window, from scheduled start to last body byte, ms. */
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  /** How late the generator itself sent requests (ms past schedule): if this grows, the client is the limit. */
  readonly sendLagMeanMs: number;
  readonly sendLagMaxMs: number;
  /** This process's CPU over the window, percent of one core. */
  readonly generatorCpuPct: number;
  readonly durationS: number;
}

const DEFAULTS = { method: 'POST', connections: 64, maxInFlight: 2_000, timeoutMs: 2_000 } as const;

/** Exact percentiles from the sorted samples: at ≤ a few hundred thousand samples a sort costs milliseconds. */
export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) {
    return Number.NaN;
  }
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));

  return sorted[index] as number;
}

/** Growable Float64Array: no boxing of every sample into a JS array element. */
class Samples {
  private data: Float64Array;
  length = 0;

  constructor(capacity: number) {
    this.data = new Float64Array(Math.max(1_024, capacity));
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  sorted(): Float64Array {
    return this.data.slice(0, this.length).sort();
  }
}

export interface WindowHooks {
  /** Called when the warm-up ends and when the window ends, so a caller can sample server CPU over the same span. */
  onWindow?(phase: 'start' | 'end'): void;
}

export async function runConstantRate(
  options: ConstantRateOptions,
  hooks: WindowHooks = {},
): Promise<ConstantRateResult> {
  const method = options.method ?? DEFAULTS.method;
  const connections = options.connections ?? DEFAULTS.connections;
  const maxInFlight = options.maxInFlight ?? DEFAULTS.maxInFlight;
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  const intervalMs = 1_000 / options.rate;
  const pool = new Pool(options.origin, {
    connections,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const requestOptions: Dispatcher.DispatchOptions = {
    path: options.path,
    method,
    headers: options.headers ?? {},
    // One Buffer for every request: nothing to encode per send.
    body: options.body === undefined ? undefined : Buffer.from(options.body),
  };

  const latencies = new Samples(Math.ceil(options.rate * options.durationS * 1.05));
  const status: Record<string, number> = {};
  const network: Record<string, number> = {};
  let dropped = 0;
  let timeouts = 0;
  let ok = 0;
  let windowOk = 0;
  let scheduledInWindow = 0;
  let inFlight = 0;
  let lagSum = 0;
  let lagMax = 0;
  let lagCount = 0;

  // Start a little ahead so the first burst is not already late.
  const t0 = performance.now() + 20;
  const windowStart = t0 + options.warmUpS * 1_000;
  const windowEnd = windowStart + options.durationS * 1_000;
  const total = Math.floor(((windowEnd - t0) / 1_000) * options.rate);
  let next = 0;
  let cpuAtStart: NodeJS.CpuUsage | undefined;
  let cpuPct = 0;
  let windowStartSeen = false;
  let windowEndSeen = false;

  let allSent!: () => void;
  const sending = new Promise<void>((resolve) => (allSent = resolve));
  let idle: (() => void) | undefined;

  const finish = (scheduledAt: number, statusCode: number | undefined, error: unknown): void => {
    inFlight--;
    const now = performance.now();
    const measured = scheduledAt >= windowStart;
    const latency = now - scheduledAt;
    if (statusCode !== undefined && statusCode >= 200 && statusCode < 300) {
      // Throughput counts completions inside the window, whenever they were scheduled: that is what the server
      // actually delivered per second while being offered `rate`.
      if (now >= windowStart && now < windowEnd) {
        windowOk++;
      }
      if (measured) {
        latencies.push(latency);
        if (latency > timeoutMs) {
          timeouts++;
        } else {
          ok++;
        }
      }
    } else if (measured) {
      if (statusCode !== undefined) {
        status[statusCode] = (status[statusCode] ?? 0) + 1;
      } else {
        const code = (error as { code?: string } | undefined)?.code ?? 'unknown';
        if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
          timeouts++;
        } else {
          network[code] = (network[code] ?? 0) + 1;
        }
      }
    }
    if (inFlight === 0 && idle) {
      idle();
    }
  };

  const fire = (scheduledAt: number, now: number): void => {
    const measured = scheduledAt >= windowStart;
    if (measured) {
      scheduledInWindow++;
      const lag = now - scheduledAt;
      lagSum += lag;
      lagCount++;
      if (lag > lagMax) {
        lagMax = lag;
      }
    }
    if (inFlight >= maxInFlight) {
      if (measured) {
        dropped++;
      }

      return;
    }
    inFlight++;
    // dispatch() with a bare handler rather than request(): no promise and no body stream per request. Every
    // cycle the generator spends is taken from the co-located server, so it should spend few.
    let statusCode: number | undefined;
    pool.dispatch(requestOptions, {
      // undici recognises the (non-deprecated) handler API by this method.
      onRequestStart: () => undefined,
      onResponseStart: (_controller, code) => {
        statusCode = code;
      },
      onResponseData: () => undefined,
      onResponseEnd: () => finish(scheduledAt, statusCode, undefined),
      onResponseError: (_controller, error) => finish(scheduledAt, undefined, error),
    });
  };

  // A 1 ms timer sends every request that has fallen due since the last tick, each stamped with its own
  // scheduled time. Sub-millisecond pacing would need a busy loop that steals CPU from a co-located server;
  // at 5k/s this sends bursts of ~5, which is steady at the millisecond scale the latencies are read at.
  const tick = (): void => {
    const now = performance.now();
    if (!windowStartSeen && now >= windowStart) {
      windowStartSeen = true;
      cpuAtStart = process.cpuUsage();
      hooks.onWindow?.('start');
    }
    while (next < total) {
      const scheduledAt = t0 + next * intervalMs;
      if (scheduledAt > now) {
        break;
      }
      next++;
      fire(scheduledAt, now);
    }
    if (next >= total && now >= windowEnd) {
      allSent();

      return;
    }
    setTimeout(tick, 1);
  };
  setTimeout(tick, Math.max(0, t0 - performance.now()));
  await sending;
  windowEndSeen = true;
  if (cpuAtStart) {
    const used = process.cpuUsage(cpuAtStart);
    cpuPct = ((used.user + used.system) / 1_000 / (performance.now() - windowStart)) * 100;
  }
  hooks.onWindow?.('end');
  if (inFlight > 0) {
    // Stragglers scheduled inside the window still count; undici's own timeouts bound this wait.
    await Promise.race([
      new Promise<void>((resolve) => (idle = resolve)),
      new Promise<void>((resolve) => setTimeout(resolve, timeoutMs + 1_000)),
    ]);
  }
  await pool.destroy();

  const sorted = latencies.sorted();
  const errors =
    dropped +
    timeouts +
    Object.values(status).reduce((a, b) => a + b, 0) +
    Object.values(network).reduce((a, b) => a + b, 0) +
    // Scheduled but never finished even after the grace period.
    Math.max(0, scheduledInWindow - dropped - ok - timeouts - sum(status) - sum(network));

  return {
    offeredRate: options.rate,
    achievedRate: windowOk / options.durationS,
    scheduled: scheduledInWindow,
    ok,
    errors,
    errorRate: scheduledInWindow === 0 ? 0 : errors / scheduledInWindow,
    errorBreakdown: { dropped, timeouts, status, network },
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    max: sorted.length > 0 ? (sorted[sorted.length - 1] as number) : Number.NaN,
    sendLagMeanMs: lagCount === 0 ? 0 : lagSum / lagCount,
    sendLagMaxMs: lagMax,
    generatorCpuPct: windowEndSeen ? cpuPct : 0,
    durationS: options.durationS,
  };
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

// ---------------------------------------------------------------------------------------------------------------
// The generator as a child process, driven over IPC by the bench runner.

type ToChild = { readonly kind: 'run'; readonly id: number; readonly options: ConstantRateOptions };
type FromChild =
  | { readonly kind: 'ready' }
  | { readonly kind: 'window'; readonly id: number; readonly phase: 'start' | 'end' }
  | { readonly kind: 'result'; readonly id: number; readonly result: ConstantRateResult }
  | { readonly kind: 'error'; readonly id: number; readonly message: string };

export interface GeneratorProcessOptions {
  /** taskset CPU list for the generator, e.g. '1'; undefined runs it unpinned. */
  readonly cpus?: string;
}

export class LoadGeneratorProcess {
  private nextId = 0;
  private readonly pending = new Map<
    number,
    { resolve: (r: ConstantRateResult) => void; reject: (e: Error) => void; hooks: WindowHooks }
  >();

  private constructor(readonly child: ChildProcess) {
    child.on('message', (message: FromChild) => {
      if (message.kind === 'ready') {
        return;
      }
      const waiting = this.pending.get(message.id);
      if (!waiting) {
        return;
      }
      if (message.kind === 'window') {
        waiting.hooks.onWindow?.(message.phase);
      } else if (message.kind === 'result') {
        this.pending.delete(message.id);
        waiting.resolve(message.result);
      } else {
        this.pending.delete(message.id);
        waiting.reject(new Error(message.message));
      }
    });
    child.on('exit', (code, signal) => {
      for (const waiting of this.pending.values()) {
        waiting.reject(new Error(`load generator exited (${code ?? signal})`));
      }
      this.pending.clear();
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  static async start(options: GeneratorProcessOptions = {}): Promise<LoadGeneratorProcess> {
    const register = path.join(__dirname, '..', '..', 'scripts', 'register.js');
    const nodeArgs = ['-r', register, __filename];
    // taskset execs node in place, so the pid, the env (NODE_CHANNEL_FD) and the IPC descriptor all carry over.
    const child = options.cpus
      ? spawn('taskset', ['-c', options.cpus, process.execPath, ...nodeArgs], {
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        })
      : spawn(process.execPath, nodeArgs, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (message: FromChild): void => {
        if (message.kind === 'ready') {
          child.off('message', onMessage);
          resolve();
        }
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`load generator exited during start-up (${code})`)));
      child.once('error', reject);
    });

    return new LoadGeneratorProcess(child);
  }

  run(options: ConstantRateOptions, hooks: WindowHooks = {}): Promise<ConstantRateResult> {
    const id = ++this.nextId;

    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, hooks });
      this.child.send({ kind: 'run', id, options } satisfies ToChild);
    });
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return;
    }
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.disconnect();
    this.child.kill('SIGTERM');
    await exited;
  }
}

if (require.main === module && process.send) {
  const send = (message: FromChild): void => {
    process.send?.(message);
  };
  // One run at a time: two overlapping runs would each see the other's load.
  let queue = Promise.resolve();
  process.on('message', (message: ToChild) => {
    if (message.kind !== 'run') {
      return;
    }
    queue = queue.then(() =>
      runConstantRate(message.options, { onWindow: (phase) => send({ kind: 'window', id: message.id, phase }) }).then(
        (result) => send({ kind: 'result', id: message.id, result }),
        (error: unknown) =>
          send({ kind: 'error', id: message.id, message: error instanceof Error ? error.message : String(error) }),
      ),
    );
  });
  process.on('disconnect', () => process.exit(0));
  send({ kind: 'ready' });
}
