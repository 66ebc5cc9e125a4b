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

  describe('a file not in the cache', () => {
    const LOADED_SWC =
      "require('node:fs').readFileSync('/proc/self/maps', 'utf8').includes('swc') || " +
      "Object.keys(require.cache).some((key) => key.includes('@swc'))";

    beforeEach(() => {
      // main imports ./dep, which requires ./lazy only when called: the child follows both.
      writeFileSync(
        path.join(dir, 'main.ts'),
        [
          "import { value } from './dep';",
          'const answer: number = value();',
          `console.log(JSON.stringify({ answer, swc: ${LOADED_SWC} }));`,
          '',
        ].join('\n'),
      );
      writeFileSync(
        path.join(dir, 'dep.ts'),
        "export function value(): number {\n  return (require('./lazy') as { lazy: number }).lazy;\n}\n",
      );
      writeFileSync(path.join(dir, 'lazy.ts'), 'export const lazy: number = 42;\n');
    });

    const start = (cacheDir: string, env: Record<string, string> = {}): { answer: number; swc: boolean } =>
      JSON.parse(
        execFileSync(process.execPath, ['-r', './scripts/register.js', path.join(dir, 'main.ts')], {
          cwd: ROOT,
          encoding: 'utf8',
          env: { ...process.env, NODE_OPTIONS: '', SMS_TS_CACHE_DIR: cacheDir, ...env },
        }),
      ) as { answer: number; swc: boolean };

    it('is compiled in a child with everything it requires, so the process never loads SWC', () => {
      const cache = path.join(dir, 'cache');

      expect(start(cache)).toEqual({ answer: 42, swc: false });
      const [salt] = readdirSync(cache);
      // main, dep and the lazily required lazy: code and map each.
      expect(readdirSync(path.join(cache, salt as string))).toHaveLength(6);
    });

    it('is compiled in the process with SMS_TS_COMPILE_IN_PROCESS=1', () => {
      const cache = path.join(dir, 'cache');

      expect(start(cache, { SMS_TS_COMPILE_IN_PROCESS: '1' })).toEqual({ answer: 42, swc: true });
      // A second start finds all three cached: nothing to compile.
      expect(start(cache)).toEqual({ answer: 42, swc: false });
    });
  });
});
