// Compiles the services, the embedded gateway, the simulator and the operator scripts to JavaScript in dist/,
// for the container image (`npm run build:services`; the Dockerfile's build stage). `node dist/apps/<app>/src/main.js`
// then runs with no TypeScript tooling loaded.
//
// The same compiler and options as scripts/register.js and the tests (.swcrc: decorator metadata for Nest), and
// the tsconfig path aliases (@sms/*) rewritten to relative paths at build time, so the output needs no loader
// hook. dist/ mirrors the source tree, so every rewritten relative path stays right. Specs and test folders are
// left out. Type checking is `npm run typecheck`, as for the sources.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const swc = require('@swc/core');

const ROOT = path.join(__dirname, '..');
// `--out <dir>` (inside the checkout, so that node_modules resolves from it): the compiled-output test builds aside.
const outArg = process.argv.indexOf('--out');
const OUT = path.resolve(ROOT, outArg > 0 ? process.argv[outArg + 1] : 'dist');
if (path.relative(ROOT, OUT).startsWith('..') || OUT === ROOT) {
  throw new Error(`build:services: --out must be a folder inside ${ROOT}`);
}
const { $schema: _schema, ...swcrc } = JSON.parse(fs.readFileSync(path.join(ROOT, '.swcrc'), 'utf8'));
const { compilerOptions } = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.base.json'), 'utf8'));

/**
 * Source folders: each app's and lib's src, and the top-level scripts (not scripts/ops, which are CI checks).
 * The web console is a browser app that Vite builds on its own (scripts/console-build.ts), so it is left out.
 */
const BROWSER_APPS = new Set(['console']);
const SOURCES = [
  ...fs
    .readdirSync(path.join(ROOT, 'apps'))
    .filter((app) => !BROWSER_APPS.has(app))
    .map((app) => path.join('apps', app, 'src')),
  ...fs
    .readdirSync(path.join(ROOT, 'libs'))
    .flatMap((scope) =>
      fs.readdirSync(path.join(ROOT, 'libs', scope)).map((lib) => path.join('libs', scope, lib, 'src')),
    ),
];
/** Files read at run time beside the code (create-topics' default topics file). */
const ASSETS = ['k8s/base/topics.json'];
const SKIPPED = /(\.spec|\.integration-spec|\.e2e-spec|\.d)\.ts$/;

function typescriptFiles(dir) {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return entry.name === 'test' || entry.name === '__fixtures__' ? [] : typescriptFiles(relative);
    }

    return entry.name.endsWith('.ts') && !SKIPPED.test(entry.name) ? [relative] : [];
  });
}

function compile(relative) {
  const filename = path.join(ROOT, relative);
  const target = path.join(OUT, relative.replace(/\.ts$/, '.js'));
  const { code, map } = swc.transformFileSync(filename, {
    ...swcrc,
    swcrc: false,
    filename,
    sourceMaps: true,
    sourceFileName: path.relative(path.dirname(target), filename),
    jsc: { ...swcrc.jsc, baseUrl: path.resolve(ROOT, compilerOptions.baseUrl ?? '.'), paths: compilerOptions.paths },
  });
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, `${code}\n//# sourceMappingURL=${path.basename(target)}.map\n`);
  fs.writeFileSync(`${target}.map`, map);
}

function main() {
  const files = [
    ...SOURCES.filter((dir) => fs.existsSync(path.join(ROOT, dir))).flatMap(typescriptFiles),
    ...fs
      .readdirSync(path.join(ROOT, 'scripts'))
      .filter((name) => name.endsWith('.ts') && !SKIPPED.test(name))
      .map((name) => path.join('scripts', name)),
  ];
  fs.rmSync(OUT, { recursive: true, force: true });
  files.forEach(compile);
  for (const asset of ASSETS) {
    fs.mkdirSync(path.join(OUT, path.dirname(asset)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, asset), path.join(OUT, asset));
  }
  process.stdout.write(`build:services: ${files.length} files compiled into ${path.relative(ROOT, OUT)}/\n`);
}

main();
