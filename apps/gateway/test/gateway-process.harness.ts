import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { freePort } from './embedded-gateway.harness';

const ROOT = path.join(__dirname, '..', '..', '..');

export interface GatewayProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: string[];
  exited(): Promise<number | null>;
}

/** `npm start`'s gateway as a real child process (for kill -9 and SIGTERM tests). */
export async function spawnGateway(env: Record<string, string>, port?: number): Promise<GatewayProcess> {
  const listenPort = port ?? (await freePort());
  const child = spawn(
    process.execPath,
    ['-r', path.join(ROOT, 'scripts/register.js'), path.join(ROOT, 'apps/gateway/src/main.ts')],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(listenPort),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        SMPP_SIM_PORT: '0',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${listenPort}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`gateway exited during start-up: ${output.join('')}`);
    }
    try {
      if ((await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) })).ok) {
        break;
      }
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`gateway not ready: ${output.join('')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  return { child, url, output, exited: () => exit };
}
