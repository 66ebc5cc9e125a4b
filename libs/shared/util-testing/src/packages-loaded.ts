import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..', '..');

/**
 * The npm packages a fresh Node process has loaded once `script` has run (its last expression awaited), as
 * the services load the sources (scripts/register.js). For specs that a module is loaded only when it is
 * used: Jest's own module registry cannot tell, as every spec shares what earlier ones loaded.
 */
export function packagesLoadedBy(script: string): string[] {
  const program = `
    (async () => { ${script} })().then(() => {
      const names = new Set();
      for (const file of Object.keys(require.cache)) {
        const match = /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(file);
        if (match) names.add(match[1]);
      }
      process.stdout.write(JSON.stringify([...names].sort()));
      process.exit(0);
    });`;
  const out = execFileSync(process.execPath, ['-r', './scripts/register.js', '-e', program], {
    cwd: ROOT,
    encoding: 'utf8',
  });

  return JSON.parse(out) as string[];
}

/** An absolute path for `require` in a {@link packagesLoadedBy} script. */
export const sourcePath = (...segments: string[]): string => JSON.stringify(path.join(ROOT, ...segments));
