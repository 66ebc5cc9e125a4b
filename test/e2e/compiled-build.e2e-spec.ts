/**
 * The container image runs `npm run build:services` output with plain `node` (Dockerfile): this builds it
 * aside, checks no import is left to a path alias or a .ts file, and starts what the image starts: the
 * embedded gateway (answering a send), the migrations and one distributed service against the real MariaDB,
 * Redis and Kafka, each with no TypeScript loader.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase } from '@sms/testing';

jest.setTimeout(240_000);

const ROOT = path.join(__dirname, '..', '..');
const OUT = path.join('tmp', `build-e2e-${randomUUID().slice(0, 8)}`);
const run = promisify(execFile);

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

function compiledFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? compiledFiles(path.join(dir, entry.name))
      : entry.name.endsWith('.js')
        ? [path.join(dir, entry.name)]
        : [],
  );
}

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: string[];
  stop(): Promise<number | null>;
}

/** `node <compiled main>` (no -r, no loader) on a free port; resolves once /readyz answers 200. */
async function startCompiled(main: string, env: Record<string, string>): Promise<Started> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(ROOT, OUT, main)], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`${main} exited during start-up: ${output.join('')}`);
    }
    const ready = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) }).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) {
      break;
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${main} not ready: ${output.join('')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }

  return {
    child,
    url,
    output,
    stop: async () => {
      child.kill('SIGTERM');

      return exit;
    },
  };
}

describe('the compiled build (what the image runs)', () => {
  beforeAll(async () => {
    await run(process.execPath, ['scripts/build-services.js', '--out', OUT], { cwd: ROOT });
  });

  afterAll(() => {
    rmSync(path.join(ROOT, OUT), { recursive: true, force: true });
  });

  it('leaves no import to a path alias or to TypeScript', () => {
    const files = compiledFiles(path.join(ROOT, OUT));
    expect(files.length).toBeGreaterThan(100);
    const unresolved = files.filter((file) => /require\("(@sms\/[^"]+|[^"]+\.ts)"\)/.test(readFileSync(file, 'utf8')));
    expect(unresolved.map((file) => path.relative(ROOT, file))).toEqual([]);
    for (const main of ['intake', 'router', 'send-worker', 'dlr-ingest', 'dlr-processor', 'masking', 'opt-out']) {
      expect(readFileSync(path.join(ROOT, OUT, 'apps', main, 'src', 'main.js'), 'utf8')).toContain('startService');
    }
  });

  it('starts the embedded gateway with plain node, healthy and taking a send', async () => {
    const data = mkdtempSync(path.join(tmpdir(), 'compiled-gw-'));
    const key = randomBytes(24).toString('hex');
    const gateway = await startCompiled('apps/gateway/src/main.js', {
      DATA_DIR: data,
      SMS_GATEWAY_API_KEY: key,
      SMPP_SIM_PORT: '0',
    });
    try {
      expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
      // The image's HEALTHCHECK command, compiled, against this process's port.
      const check = await run(process.execPath, [path.join(OUT, 'scripts', 'healthcheck.js')], {
        cwd: ROOT,
        env: { PORT: new URL(gateway.url).port },
      });
      expect(check.stderr).toBe('');
      const response = await fetch(`${gateway.url}/v1/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ to: '+447400123456', body: 'compiled' }),
      });
      expect(response.status).toBe(202);
      expect(await response.json()).toMatchObject({ status: 'queued', segments: 1 });
    } finally {
      expect(await gateway.stop()).toBe(0);
      rmSync(data, { recursive: true, force: true });
    }
  });

  describe('distributed', () => {
    let database: TestDatabase;

    beforeAll(async () => {
      database = await createTestDatabase();
    });

    afterAll(async () => {
      await database?.drop();
    });

    it('runs the compiled migrations, then a compiled service ready on MariaDB, Redis and Kafka', async () => {
      const env = { MYSQL_URL: database.url, PATH: process.env['PATH'] ?? '' };
      const migrated = await run(process.execPath, [path.join(OUT, 'scripts', 'migrate.js')], { cwd: ROOT, env });
      expect(migrated.stdout + migrated.stderr).not.toMatch(/error/i);
      const tables = await database.query<{ name: string }[]>(
        'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()',
      );
      expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['inbound_webhooks']));

      const secret = () => randomBytes(24).toString('hex');
      const spool = mkdtempSync(path.join(tmpdir(), 'compiled-spool-'));
      const ingest = await startCompiled('apps/dlr-ingest/src/main.js', {
        MODE: 'distributed',
        MYSQL_URL: database.url,
        REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
        REDIS_KEY_PREFIX: `sms:${database.name}:`,
        KAFKA_BROKERS: process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092',
        KAFKA_TOPIC_PREFIX: `${database.name}.`,
        SIMULATOR_ENABLED: 'false',
        TWILIO_AUTH_TOKEN: secret(),
        VONAGE_SIGNATURE_SECRET: secret(),
        SINCH_CALLBACK_SECRET: secret(),
        DLR_SPOOL_DIR: spool,
      });
      try {
        const ready = (await (await fetch(`${ingest.url}/readyz`)).json()) as { checks: Record<string, boolean> };
        expect(ready.checks).toMatchObject({ 'dlr-ingest-db': true, bus: true, kv: true });
      } finally {
        expect(await ingest.stop()).toBe(0);
        rmSync(spool, { recursive: true, force: true });
      }
    });
  });
});
