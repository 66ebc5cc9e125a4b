import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.join(__dirname, '..');
// Line 4 throws; the compiled code has it further down (the export's getter comes first).
const SOURCE = [
  'interface Input { readonly a: number }',
  '',
  'export function boom(input: Input): never {',
  '  throw new Error(`boom ${input.a}`);',
  '}',
  '',
  'boom({ a: 1 });',
  '',
].join('\n');

describe('scripts/register.js', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    // A space in the path: the map's reference is a relative URL, encoded.
    dir = mkdtempSync(path.join(tmpdir(), 'register spec-'));
    file = path.join(dir, 'boom.ts');
    writeFileSync(file, SOURCE);
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (cacheDir: string | undefined, nodeFlags: string[] = []): string => {
    try {
      execFileSync(process.execPath, [...nodeFlags, '-r', './scripts/register.js', file], {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: 'pipe',
        env: { ...process.env, NODE_OPTIONS: '', SMS_TS_CACHE_DIR: cacheDir ?? '' },
      });
    } catch (error) {
      return String((error as { stderr: string }).stderr);
    }
    throw new Error('the script did not throw');
  };

  it('keeps each compiled file map beside it, out of the module source', () => {
    const cache = path.join(dir, 'cache');
    run(cache);
    const [salt] = readdirSync(cache);
    const files = readdirSync(path.join(cache, salt as string)).sort();
    const code = readFileSync(path.join(cache, salt as string, files[0] as string), 'utf8');

    expect(files).toEqual([expect.stringMatching(/\.js$/), expect.stringMatching(/\.js\.map$/)]);
    expect(code).not.toContain('data:application/json');
    expect(code).toMatch(/\/\/# sourceMappingURL=cache\/[0-9a-f]+\/[0-9a-f]+\.js\.map\n$/);
  });

  it.each([
    ['compiled now', false],
    ['read from the cache', true],
  ])('maps error stacks to the .ts lines with --enable-source-maps (%s)', (_when, twice) => {
    const cache = path.join(dir, 'cache');
    if (twice) {
      run(cache);
    }

    expect(run(cache, ['--enable-source-maps'])).toContain(`at boom (${file}:4:`);
    expect(run(cache)).not.toContain(`${file}:4:`);
  });
});
