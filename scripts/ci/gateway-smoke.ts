/**
 * One message through `npm start`'s gateway on the Node that runs this file, the gateway half of the CI
 * smoke of each supported Node major (scripts/ci/node-smoke.sh, docs/adr/0017-node-lts-lines.md):
 *
 *   node -r ./scripts/register.js scripts/ci/gateway-smoke.ts
 *
 * Starts the embedded gateway as `npm start` does (this Node, the same entry point, its own port and data
 * folder), sends a message through the API, waits for it to reach `delivered`, then stops the gateway with
 * SIGTERM and expects a clean exit. Prints one `ok …` or `not ok …` line per check (a check after a failed
 * one is not run) and exits 1 when one failed. The gateway's own output is shown only on a failure.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApiClient } from '@sms/api-client';

const ROOT = path.join(__dirname, '..', '..');
// Generous: a cold start compiles every TypeScript file once, on a CI host that runs other jobs.
const START_TIMEOUT_MS = 120_000;
const DELIVERY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
/** Statuses a message does not leave except by a late receipt: waiting longer would not make it `delivered`. */
const FINAL_NOT_DELIVERED = new Set(['failed', 'undelivered', 'unknown', 'cancelled', 'expired']);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function startGateway(port: number, dataDir: string, apiKey: string, output: string[]): ChildProcess {
  const child = spawn(
    process.execPath,
    ['-r', path.join(ROOT, 'scripts/register.js'), path.join(ROOT, 'apps/gateway/src/main.ts')],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        MODE: 'embedded',
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        SMS_GATEWAY_API_KEY: apiKey,
        SMPP_SIM_PORT: '0',
        METRICS_PORT: '0',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));

  return child;
}

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the gateway exited during start-up (${child.exitCode ?? child.signalCode})`);
    }
    try {
      if ((await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) })).ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`not ready within ${START_TIMEOUT_MS} ms`);
}

async function waitExit(child: ChildProcess, timeoutMs: number): Promise<number | string | null> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return child.exitCode ?? child.signalCode;
  }

  return Promise.race([
    new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? ''))),
    sleep(timeoutMs).then(() => null),
  ]);
}

async function run(check: (name: string, body: () => Promise<string>) => Promise<void>): Promise<void> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sms-node-smoke-'));
  const apiKey = `smoke_${randomBytes(24).toString('base64url')}`;
  const output: string[] = [];
  const api = createApiClient(url, apiKey);
  const child = startGateway(port, dataDir, apiKey, output);
  let id = '';
  try {
    await check('the embedded gateway starts and is ready', async () => {
      const started = Date.now();
      await waitReady(url, child);

      return `${Date.now() - started} ms`;
    });
    await check('POST /v1/messages accepts a message', async () => {
      const { data, response } = await api.POST('/v1/messages', {
        body: { to: '+447400123456', body: `Node ${process.version} smoke` },
      });
      if (response.status !== 202 || !data) {
        throw new Error(`answered ${response.status}`);
      }
      id = data.id;

      return `${data.status}, ${data.encoding}, ${data.segments} segment(s)`;
    });
    await check('the message reaches delivered', async () => {
      const deadline = Date.now() + DELIVERY_TIMEOUT_MS;
      let status = '';
      while (Date.now() < deadline) {
        const { data, response } = await api.GET('/v1/messages/{id}', { params: { path: { id } } });
        if (response.status !== 200 || !data) {
          throw new Error(`GET /v1/messages/:id answered ${response.status}`);
        }
        status = data.status;
        if (status === 'delivered') {
          return `through ${data.provider ?? 'no provider'}`;
        }
        if (FINAL_NOT_DELIVERED.has(status)) {
          throw new Error(`ended ${status} (${data.errorCode ?? 'no error code'})`);
        }
        await sleep(200);
      }
      throw new Error(`still ${status} after ${DELIVERY_TIMEOUT_MS} ms`);
    });
    await check('SIGTERM stops the gateway cleanly', async () => {
      child.kill('SIGTERM');
      const code = await waitExit(child, STOP_TIMEOUT_MS);
      if (code !== 0) {
        throw new Error(code === null ? `still running ${STOP_TIMEOUT_MS} ms after SIGTERM` : `exit ${code}`);
      }

      return 'exit 0';
    });
  } catch (error) {
    process.stdout.write(`# gateway output:\n${output.join('').replace(/^/gm, '#   ')}\n`);
    throw error;
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await waitExit(child, STOP_TIMEOUT_MS);
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const label = `node ${process.version}`;
  await run(async (name, body) => {
    try {
      const detail = await body();
      process.stdout.write(`ok - ${label}: ${name} (${detail})\n`);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      process.stdout.write(`not ok - ${label}: ${name}: ${reason}\n`);
      throw error;
    }
  });
}

main().then(
  () => process.exit(0),
  () => process.exit(1),
);
