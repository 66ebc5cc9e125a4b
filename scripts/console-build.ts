/**
 * Builds the web console (apps/console, Vite) into dist/apps/console: `npm run console:build`.
 * `--if-stale` (what `npm start` runs first) builds only when the sources changed since the last build,
 * judged by a fingerprint of their contents, and never fails the start: without Vite (an install that left
 * out dev dependencies) or on a failed build it says so and the gateway starts with what is there.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
export const CONSOLE_OUT = path.join(ROOT, 'dist/apps/console');
/** Beside the output, not in it: the output is served as is. */
const STAMP = `${CONSOLE_OUT}.fingerprint`;
/** What the bundle is made of: the app, the typed client it imports, the locked dependencies and this recipe. */
const INPUTS = ['apps/console', 'libs/shared/api-client/src', 'package-lock.json', 'scripts/console-build.ts'];

function filesOf(relative: string): string[] {
  const absolute = path.join(ROOT, relative);
  if (!existsSync(absolute)) {
    return [];
  }
  if (!statSync(absolute).isDirectory()) {
    return [relative];
  }

  return readdirSync(absolute, { withFileTypes: true })
    .filter((entry) => entry.name !== 'node_modules' && (entry.isDirectory() || entry.isFile()))
    .flatMap((entry) => filesOf(path.posix.join(relative, entry.name)));
}

/** A hash of every input file's path and content: equal fingerprints, same bundle. */
export function consoleFingerprint(): string {
  const hash = createHash('sha256');
  for (const file of INPUTS.flatMap(filesOf).sort()) {
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(path.join(ROOT, file)))
      .update('\0');
  }

  return hash.digest('hex');
}

export function consoleIsFresh(fingerprint = consoleFingerprint()): boolean {
  return (
    existsSync(path.join(CONSOLE_OUT, 'index.html')) &&
    existsSync(STAMP) &&
    readFileSync(STAMP, 'utf8').trim() === fingerprint
  );
}

export type ConsoleBuild =
  { readonly outcome: 'fresh' | 'built' } | { readonly outcome: 'failed' | 'no-vite'; readonly detail: string };

/** Runs `vite build` for apps/console unless the output is already of these sources (`force` rebuilds). */
export function buildConsole(force = false): ConsoleBuild {
  const fingerprint = consoleFingerprint();
  if (!force && consoleIsFresh(fingerprint)) {
    return { outcome: 'fresh' };
  }
  let vite: string;
  try {
    vite = path.join(path.dirname(require.resolve('vite/package.json', { paths: [ROOT] })), 'bin/vite.js');
  } catch {
    return { outcome: 'no-vite', detail: 'vite is not installed (it is a dev dependency: run `npm ci`)' };
  }
  const run = spawnSync(
    process.execPath,
    [vite, 'build', '--config', 'apps/console/vite.config.mts', '--logLevel', 'warn'],
    {
      cwd: ROOT,
      // A caller's NODE_ENV (Jest sets `test`) would bundle React's development build: always production.
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  if (run.status !== 0) {
    return { outcome: 'failed', detail: `vite build exited ${run.status ?? run.signal}` };
  }
  writeFileSync(STAMP, `${fingerprint}\n`);

  return { outcome: 'built' };
}

function main(): number {
  const ifStale = process.argv.includes('--if-stale');
  const started = Date.now();
  const result = buildConsole(!ifStale && process.argv.includes('--force'));
  switch (result.outcome) {
    case 'fresh':
      return 0;
    case 'built':
      process.stdout.write(`console: built into dist/apps/console in ${Date.now() - started} ms\n`);

      return 0;
    case 'failed':
    case 'no-vite': {
      const kept = existsSync(path.join(CONSOLE_OUT, 'index.html')) ? 'serving the previous build' : 'not served';
      process.stderr.write(`console: ${result.detail}${ifStale ? `; the console is ${kept}` : ''}\n`);

      return ifStale ? 0 : 1;
    }
  }
}

if (require.main === module) {
  process.exit(main());
}
