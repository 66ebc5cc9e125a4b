/**
 * The end-to-end bench's options, from its command line (`npm run bench -- --only=e2e --runs=5 ...`) and env
 * (BENCH_E2E_MYSQL_URL, BENCH_REDIS_URL, KAFKA_BROKERS). Kept apart from the bench so the parsing is tested
 * without loading the gateway.
 */
import path from 'node:path';

export type E2eMode = 'embedded' | 'distributed';

export interface E2eOptions {
  readonly modes: readonly E2eMode[];
  readonly kannel: boolean;
  readonly runs: number;
  /** Seconds each measured burst should take end to end (sized from the previous burst's rate). */
  readonly durationS: number;
  /**
   * Messages in each measured burst (`--burst=<n>`) in place of the previous burst's rate × duration: the
   * backlog a burst leaves, and so the peak RSS, then does not follow how fast the shared box ran.
   */
  readonly burstCount?: number;
  /** Seconds of the accept-latency runs at a fixed rate. */
  readonly latencyS: number;
  readonly idleS: number;
  /**
   * Seconds between the warm-up's last final message and the idle window. A process is not idle the moment
   * its last message is final: commits, receipts' acknowledgements, keep-alive closes, V8's background
   * compilation and its memory reducer's collections follow the burst. That tail is measured and reported
   * on its own (idleTailPct), not counted as idle.
   */
  readonly idleSettleS: number;
  readonly connections: number;
  /** Sender numbers added to the bench's pool beside the seeded ones, every one's carrier limit lifted. */
  readonly senders: number;
  /** The simulator's answer latency (ms) for every provider call. */
  readonly simLatencyMs: number;
  readonly mysqlUrl: string;
  readonly redisUrl: string;
  readonly kafkaBrokers: string;
  readonly portOffset: number;
  readonly kannelPortBase: number;
  /** Where each gateway process writes a CPU profile of its whole life (`--cpu-prof=<dir>`); off when unset. */
  readonly cpuProfDir?: string;
  /**
   * Where the embedded target's simulator runs (`--embedded-simulator=inline|process`): inline, as `npm start`
   * mounts it, or a process of its own, as Kannel's fakesmsc is, so the gateway is charged for itself alone.
   */
  readonly embeddedSimulator: 'inline' | 'process';
  /**
   * Node flags of our processes (the embedded gateway, each distributed service) in place of
   * SERVICE_NODE_FLAGS, comma-separated (`--node-flags=--max-semi-space-size=32,--max-old-space-size=160`;
   * `--node-flags=` for V8's defaults); unset, the start scripts' flags.
   */
  readonly nodeFlags?: readonly string[];
  readonly log: (line: string) => void;
}

export function e2eOptionsFromArgv(argv: readonly string[], log: (line: string) => void): E2eOptions {
  const flag = (name: string): string | undefined =>
    argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const num = (name: string, fallback: number, min = 0): number => {
    const raw = flag(name);
    const value = raw === undefined ? fallback : Number(raw);
    if (!Number.isFinite(value) || value < min) {
      throw new Error(`--${name} must be a number ≥ ${min}, got '${raw}'`);
    }

    return value;
  };
  const mode = flag('mode') ?? 'both';
  if (!['embedded', 'distributed', 'both'].includes(mode)) {
    throw new Error(`--mode must be embedded, distributed or both, got '${mode}'`);
  }

  const embeddedSimulator = flag('embedded-simulator') ?? 'inline';
  if (embeddedSimulator !== 'inline' && embeddedSimulator !== 'process') {
    throw new Error(`--embedded-simulator must be inline or process, got '${embeddedSimulator}'`);
  }

  return {
    modes: mode === 'both' ? ['embedded', 'distributed'] : [mode as E2eMode],
    kannel: flag('kannel') !== 'false',
    runs: Math.round(num('runs', 3, 1)),
    durationS: num('duration', 15, 1),
    burstCount: flag('burst') === undefined ? undefined : Math.round(num('burst', 0, 1)),
    latencyS: num('latency-duration', 6, 1),
    idleS: num('idle', 10, 1),
    idleSettleS: num('idle-settle', 30, 0),
    connections: Math.round(num('connections', 50, 1)),
    senders: Math.round(num('senders', 8, 0)),
    simLatencyMs: num('sim-latency', 0, 0),
    mysqlUrl: process.env['BENCH_E2E_MYSQL_URL'] ?? 'mysql://root@127.0.0.1:3306/sms_bench_e2e',
    redisUrl: process.env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    kafkaBrokers: process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092',
    portOffset: num('port-offset', 700, 0),
    kannelPortBase: num('kannel-port', 13500, 1024),
    cpuProfDir: flag('cpu-prof') ? path.resolve(flag('cpu-prof') as string) : undefined,
    embeddedSimulator,
    nodeFlags: nodeFlagsOf(flag('node-flags')),
    log,
  };
}

function nodeFlagsOf(raw: string | undefined): readonly string[] | undefined {
  if (raw === undefined) {
    return undefined;
  }
  const flags = raw.split(',').filter((f) => f !== '');
  const bad = flags.find((f) => !f.startsWith('--'));
  if (bad !== undefined) {
    throw new Error(`--node-flags takes comma-separated node flags, each starting with --, got '${bad}'`);
  }

  return flags;
}
