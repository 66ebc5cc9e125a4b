import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..', '..', '..');
const started: ChildProcess[] = [];

function startChild(): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(
    process.execPath,
    ['-r', path.join(ROOT, 'scripts/register.js'), path.join(__dirname, 'exit-with-parent.child.ts')],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  started.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  return { child, output: () => output, exited };
}

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }

  return check();
}

describe('exitWithParent, stdin a pipe from the parent', () => {
  afterEach(() => started.splice(0).forEach((child) => child.exitCode === null && child.kill('SIGKILL')));

  it('shuts down gracefully (SIGTERM) when the pipe ends, as when the parent dies', async () => {
    const { child, output, exited } = startChild();
    expect(await until(() => output().includes('ready'), 15_000)).toBe(true);
    child.stdin?.end();
    await expect(exited).resolves.toBe(0);
    expect(output()).toContain('terminated');
  }, 20_000);

  it('keeps running while the pipe stays open', async () => {
    const { child, output, exited } = startChild();
    expect(await until(() => output().includes('ready'), 15_000)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(child.exitCode).toBeNull();
    expect(output()).not.toContain('terminated');
    child.kill('SIGKILL');
    await exited;
  }, 20_000);
});
