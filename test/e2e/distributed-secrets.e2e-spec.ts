import { spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

/** Runs an app's main as `npm run dev` would and collects how it ends (none of these get as far as listening). */
function run(app: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', path.join(ROOT, 'scripts/register.js'), path.join(ROOT, app)], {
      cwd: ROOT,
      // Only what the case sets: a developer's own provider variables must not leak into the check.
      env: { PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'error', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const DISTRIBUTED = {
  MODE: 'distributed',
  // Never reached: the check runs before anything connects.
  MYSQL_URL: 'mysql://root@127.0.0.1:1/none',
  REDIS_URL: 'redis://127.0.0.1:1',
  KAFKA_BROKERS: '127.0.0.1:1',
  PORT: '0',
};

describe('the distributed mode refuses public or missing webhook secrets', () => {
  it('dlr-ingest exits at boot with the defaults, naming every variable and no value', async () => {
    const { code, output } = await run('apps/dlr-ingest/src/main.ts', DISTRIBUTED);

    expect(code).toBe(1);
    for (const key of ['TWILIO_AUTH_TOKEN', 'VONAGE_SIGNATURE_SECRET', 'SINCH_CALLBACK_SECRET']) {
      expect(output).toContain(`${key} is a public default or placeholder value`);
    }
    expect(output).not.toMatch(/sim-auth-token|sim-vonage-signature-secret|sim-sinch-callback-secret/);
  }, 60_000);

  it('names the one placeholder left when the others are set', async () => {
    const { code, output } = await run('apps/dlr-ingest/src/main.ts', {
      ...DISTRIBUTED,
      TWILIO_AUTH_TOKEN: 'CHANGE_ME',
      VONAGE_SIGNATURE_SECRET: 'generated-for-this-test-0001',
      SINCH_CALLBACK_SECRET: 'generated-for-this-test-0002',
    });

    expect(code).toBe(1);
    expect(output).toContain('TWILIO_AUTH_TOKEN is a public default or placeholder value');
    expect(output).not.toContain('VONAGE_SIGNATURE_SECRET');
    expect(output).not.toContain('SINCH_CALLBACK_SECRET');
  }, 60_000);

  it('the stand-alone simulator does not run unless enabled, and then only with a control token and its own accounts', async () => {
    const off = await run('apps/simulator/src/main.ts', { SIM_PORT: '0' });
    const noSecrets = await run('apps/simulator/src/main.ts', { SIM_PORT: '0', SIM_ENABLED: 'true' });

    expect(off.code).toBe(1);
    expect(off.output).toContain('SIM_ENABLED=true');
    expect(noSecrets.code).toBe(1);
    expect(noSecrets.output).toContain('SIM_CONTROL_TOKEN is required');
    expect(noSecrets.output).toContain('SIM_TWILIO_AUTH_TOKEN is required');
    expect(noSecrets.output).toContain('SIM_SINCH_CALLBACK_SECRET is required');
  }, 60_000);
});
