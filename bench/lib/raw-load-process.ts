/**
 * runRawLoad (raw-http-load.ts) in a child process of its own, driven over IPC: the generator's CPU is then
 * its own pid's, readable from /proc like every other process the end-to-end bench charges, and it never
 * shares an event loop with the bench's bookkeeping. The requests are built in the child from a spec (one
 * method, path and header set; the bodies or paths vary by index) so no megabytes cross the IPC channel.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { buildRequest, type RawLoadResult, runRawLoad } from './raw-http-load';

export interface RawLoadSpec {
  readonly host: string;
  readonly port: number;
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  /** `{i}` in a path or body is replaced by the request's index modulo `variants`. */
  readonly path: string;
  readonly body: string;
  readonly variants: number;
  readonly count: number;
  readonly warmUp: number;
  readonly rate: number;
  readonly connections: number;
  readonly timeoutMs: number;
}

/** The bytes of request `i` of a spec (exported for the spec's test). */
export function requestOf(spec: RawLoadSpec, i: number): Buffer {
  const variant = String(i % Math.max(spec.variants, 1)).padStart(2, '0');

  return buildRequest(
    spec.method,
    spec.path.replaceAll('{i}', variant),
    `${spec.host}:${spec.port}`,
    spec.headers,
    spec.body.replaceAll('{i}', variant),
  );
}

type ToChild = { readonly id: number; readonly spec: RawLoadSpec };
type FromChild =
  | { readonly kind: 'ready' }
  | { readonly kind: 'started'; readonly id: number; readonly at: number }
  | { readonly kind: 'result'; readonly id: number; readonly result: RawLoadResult }
  | { readonly kind: 'error'; readonly id: number; readonly message: string };

export interface RawLoadRun {
  /** Epoch ms just before the first request was due (all connections open). */
  readonly startedAt: number;
  readonly result: RawLoadResult;
}

export class RawLoadProcess {
  private nextId = 0;

  private constructor(private readonly child: ChildProcess) {}

  get pid(): number {
    return this.child.pid as number;
  }

  static async start(): Promise<RawLoadProcess> {
    const register = path.join(__dirname, '..', '..', 'scripts', 'register.js');
    const child = spawn(process.execPath, ['-r', register, __filename], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('message', (m: FromChild) => (m.kind === 'ready' ? resolve() : reject(new Error('unexpected'))));
      child.once('exit', (code) => reject(new Error(`load generator exited during start-up (${code})`)));
    });

    return new RawLoadProcess(child);
  }

  /** Runs one load; `onStarted` is called when the first request is due. */
  run(spec: RawLoadSpec, onStarted?: (at: number) => void): Promise<RawLoadRun> {
    const id = ++this.nextId;
    let startedAt = Date.now();

    return new Promise((resolve, reject) => {
      const onMessage = (m: FromChild): void => {
        if (m.kind === 'ready' || m.id !== id) {
          return;
        }
        if (m.kind === 'started') {
          startedAt = m.at;
          onStarted?.(m.at);

          return;
        }
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
        if (m.kind === 'result') {
          resolve({ startedAt, result: m.result });
        } else {
          reject(new Error(m.message));
        }
      };
      const onExit = (code: number | null): void => reject(new Error(`load generator exited (${code})`));
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
      this.child.send({ id, spec } satisfies ToChild);
    });
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return;
    }
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    await exited;
  }
}

if (require.main === module && process.send) {
  const send = (m: FromChild): void => {
    process.send?.(m);
  };
  process.on('message', ({ id, spec }: ToChild) => {
    const requests = Array.from({ length: spec.count }, (_, i) => requestOf(spec, i));
    send({ kind: 'started', id, at: Date.now() });
    runRawLoad({ ...spec, requests }).then(
      (result) => send({ kind: 'result', id, result }),
      (error: unknown) => send({ kind: 'error', id, message: error instanceof Error ? error.message : String(error) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
  send({ kind: 'ready' });
}
