/**
 * Infrastructure the fault suite may break: a MariaDB, a Redis and a Kafka broker of its own, on ports
 * and directories of its own, started and stopped by pid. The machine's shared services are never
 * touched (other runs depend on them).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..');

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await check().catch(() => false)) {
      return Date.now() - started;
    }
    await sleep(200);
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

const alive = (pid: number | undefined): boolean => {
  if (!pid) {
    return false;
  }
  try {
    process.kill(pid, 0);

    return true;
  } catch {
    return false;
  }
};

async function waitForExit(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid) && Date.now() < deadline) {
    await sleep(100);
  }
  if (alive(pid)) {
    process.kill(pid, 'SIGKILL');
    while (alive(pid)) {
      await sleep(50);
    }
  }
}

/** A long-running server process of the suite's own, stopped and started again by its pid. */
abstract class OwnServer {
  protected child: ChildProcess | null = null;

  constructor(
    readonly port: number,
    protected readonly dir: string,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  protected abstract command(): { file: string; args: string[] };

  async start(): Promise<void> {
    if (await portOpen(this.port)) {
      throw new Error(`port ${this.port} is already in use: choose another for the suite's own server`);
    }
    const { file, args } = this.command();
    this.child = spawn(file, args, { stdio: 'ignore', detached: false });
    await waitUntil(`${file} on ${this.port}`, () => portOpen(this.port), 60_000);
  }

  /** Stops the process: SIGTERM (an orderly shutdown) or SIGKILL. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const pid = this.child?.pid;
    if (pid && alive(pid)) {
      process.kill(pid, signal);
      await waitForExit(pid, 30_000);
    }
    this.child = null;
  }
}

/** A MariaDB server of the suite's own (mariadbd), root without a password, data kept across restarts. */
export class PrivateMariaDb extends OwnServer {
  static available(): boolean {
    return ['/usr/sbin/mariadbd', '/usr/bin/mariadb-install-db'].every((file) => existsSync(file));
  }

  get url(): string {
    return `mysql://root@127.0.0.1:${this.port}`;
  }

  override async start(): Promise<void> {
    const data = path.join(this.dir, 'data');
    if (!existsSync(path.join(data, 'mysql'))) {
      mkdirSync(this.dir, { recursive: true });
      await run('mariadb-install-db', [
        '--no-defaults',
        `--datadir=${data}`,
        '--user=root',
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
      ]);
    }
    await super.start();
  }

  protected command(): { file: string; args: string[] } {
    return {
      file: '/usr/sbin/mariadbd',
      args: [
        '--no-defaults',
        `--datadir=${path.join(this.dir, 'data')}`,
        `--port=${this.port}`,
        '--bind-address=127.0.0.1',
        `--socket=${path.join(this.dir, 'mysqld.sock')}`,
        `--pid-file=${path.join(this.dir, 'mysqld.pid')}`,
        `--log-error=${path.join(this.dir, 'error.log')}`,
        '--user=root',
        // The suite's throw-away server: no accounts to manage, small buffers (the box is shared).
        '--skip-grant-tables',
        '--innodb-buffer-pool-size=128M',
        '--max-connections=500',
      ],
    };
  }
}

/** A redis-server of the suite's own, no persistence (the gateway keeps nothing in Redis it cannot rebuild). */
export class PrivateRedis extends OwnServer {
  static available(): boolean {
    return existsSync('/usr/bin/redis-server');
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  protected command(): { file: string; args: string[] } {
    mkdirSync(this.dir, { recursive: true });

    return {
      file: '/usr/bin/redis-server',
      args: ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir],
    };
  }
}

/**
 * A Kafka broker of the suite's own, started by test/kafka/up.sh on other ports (KAFKA_PORT,
 * KAFKA_CONTROLLER_PORT) and run directory (KAFKA_RUN_DIR). Its JVM is then stopped and started by pid:
 * `restart(keepData)` starts the same command line on the same data (a broker restart), or runs up.sh
 * again with `--reset`, which formats fresh storage (a broker that lost its disk).
 */
export class PrivateKafka {
  private commandLine: string[] | null = null;
  private child: ChildProcess | null = null;

  constructor(
    readonly port: number,
    readonly controllerPort: number,
    readonly runDir: string,
  ) {}

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    const file = path.join(this.runDir, 'kafka.pid');

    return this.child?.pid ?? (existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : undefined);
  }

  /** Starts the broker on empty storage: up.sh keeps a broker's data unless told to reset it. */
  async up(): Promise<void> {
    await run('bash', [path.join(ROOT, 'test/kafka/up.sh'), '--reset'], {
      env: this.env(),
      maxBuffer: 10 * 1024 * 1024,
    });
    const pid = this.pid;
    if (!pid) {
      throw new Error('up.sh left no broker pid');
    }
    this.commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    this.child = null;
  }

  async down(): Promise<void> {
    const pid = this.child?.pid;
    if (pid && alive(pid)) {
      process.kill(pid, 'SIGTERM');
      await waitForExit(pid, 30_000);
    }
    this.child = null;
    await run('bash', [path.join(ROOT, 'test/kafka/down.sh')], { env: this.env() }).catch(() => undefined);
  }

  signal(signal: NodeJS.Signals): void {
    const pid = this.pid;
    if (pid) {
      process.kill(pid, signal);
    }
  }

  /** Stops the JVM (SIGTERM: controlled shutdown) and starts it again, on its data or on fresh storage. */
  async restart(keepData: boolean): Promise<void> {
    if (!keepData) {
      await this.down();
      await this.up();

      return;
    }
    const pid = this.pid;
    const commandLine = this.commandLine;
    if (!pid || !commandLine) {
      throw new Error('no broker to restart');
    }
    process.kill(pid, 'SIGTERM');
    await waitForExit(pid, 30_000);
    const [file, ...args] = commandLine;
    this.child = spawn(file as string, args, { stdio: 'ignore' });
    await waitUntil('broker port after restart', () => portOpen(this.port), 90_000);
  }

  private env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      KAFKA_PORT: String(this.port),
      KAFKA_CONTROLLER_PORT: String(this.controllerPort),
      KAFKA_RUN_DIR: this.runDir,
    };
  }
}
