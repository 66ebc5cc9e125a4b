// Runs the TypeScript sources directly (npm start, the service apps, benches): SWC compiles each file on
// load, with decorator metadata for Nest and the tsconfig path aliases (@sms/*), from the same .swcrc the
// tests compile with. Type checking is a separate step (npm run check), so start-up stays fast.
//
// Hand-written rather than @swc-node/register, for memory (docs/performance.md, "Memory"): that loader
// requires the TypeScript compiler to read tsconfig and keeps every file's source map for stack traces,
// and every process loads the SWC binding. Here each compiled file is kept on disk, keyed by its path and
// content, so a warm start loads neither compiler; a file that changed is compiled again on its next load.
//
// Source maps sit beside each cached file (`<key>.js.map`), named at the end of the code by a path relative to
// the .ts file (the module's name, which Node and debuggers resolve it against; Node reads no file: URL
// there), as the built services' maps are (scripts/build-services.js): debuggers and Node's
// --enable-source-maps read them when asked, and otherwise they stay on disk. Inline, they were part of
// every module's source text, which V8 keeps in the heap for the process's life: two thirds of the compiled
// sources' size (docs/performance.md, "Memory at the peak: what every process loads"). Error stacks show
// the compiled lines unless Node maps them: NODE_OPTIONS=--enable-source-maps. Without a cache directory
// the map stays inline (there is no file to point at).
//
// Cache: SMS_TS_CACHE_DIR, else tmp/.ts-cache in the checkout, else the OS temp directory; when none is
// writable, files are compiled in memory on every start.
//
// A file missing from the cache is compiled in a short-lived child process (this file run as a script), with
// every .ts file it requires by a relative path, transitively: the SWC binding, once loaded, stays mapped in a
// process for its life (its pages count in the resident set), so a service started on a cold or partly stale
// cache would otherwise carry it through every burst (docs/performance.md, "Memory: peak RSS under the e2e bench").
// One child warms a service's whole module tree, lazily required modules included; the process compiles in
// memory only what the child could not cache (SMS_TS_COMPILE_IN_PROCESS=1 restores that everywhere).
'use strict';
const { spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const { $schema: _schema, ...swcrc } = JSON.parse(fs.readFileSync(path.join(ROOT, '.swcrc'), 'utf8'));
const { compilerOptions } = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.base.json'), 'utf8'));
const SWC_VERSION = JSON.parse(fs.readFileSync(require.resolve('@swc/core/package.json'), 'utf8')).version;
const OPTIONS = {
  ...swcrc,
  swcrc: false,
  sourceMaps: true,
  // SWC rewrites `@sms/...` to a relative path at compile time, as tsc's paths would be resolved.
  jsc: { ...swcrc.jsc, baseUrl: path.resolve(ROOT, compilerOptions.baseUrl ?? '.'), paths: compilerOptions.paths },
};
// Everything that changes the output besides the file itself: a new SWC or new options start a new cache.
const SALT = createHash('sha256')
  .update(JSON.stringify([SWC_VERSION, OPTIONS]))
  .digest('hex')
  .slice(0, 16);

function writableCacheDir() {
  const userId = process.getuid ? process.getuid() : os.userInfo().username;
  const candidates = [
    process.env.SMS_TS_CACHE_DIR,
    path.join(ROOT, 'tmp', '.ts-cache'),
    path.join(os.tmpdir(), `sms-ts-cache-${userId}`),
  ];
  for (const candidate of candidates) {
    if (!candidate) {
      continue;
    }
    const dir = path.join(candidate, SALT);
    try {
      fs.mkdirSync(dir, { recursive: true });
      fs.accessSync(dir, fs.constants.W_OK);

      return dir;
    } catch {
      // Read-only checkout (a container image): try the next place.
    }
  }

  return undefined;
}

const CACHE_DIR = writableCacheDir();
let swc;

function compile(source, filename, sourceMaps) {
  swc ??= require('@swc/core');

  return swc.transformSync(source, { ...OPTIONS, sourceMaps, filename });
}

// Written aside and renamed: another process starting at the same time reads a whole file or none.
function writeWhole(file, text) {
  const partial = `${file}.${process.pid}.partial`;
  try {
    fs.writeFileSync(partial, text);
    fs.renameSync(partial, file);
  } catch {
    fs.rmSync(partial, { force: true });
  }
}

function cacheFileOf(source, filename) {
  const key = createHash('sha256').update(filename).update('\0').update(source).digest('hex');

  return path.join(CACHE_DIR, `${key}.js`);
}

function compileToCache(source, filename, file) {
  const { code, map } = compile(source, filename, true);
  // The map first: whoever finds the code finds its map.
  writeWhole(`${file}.map`, map);
  const mapUrl = path.relative(path.dirname(filename), `${file}.map`).split(path.sep).map(encodeURIComponent);
  const linked = `${code}\n//# sourceMappingURL=${mapUrl.join('/')}\n`;
  writeWhole(file, linked);

  return linked;
}

function readOrUndefined(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

// Relative requires in compiled CommonJS (imports, re-exports, `await import()` and lazy `require` calls alike).
const RELATIVE_REQUIRE = /\brequire\((["'])(\.{1,2}\/[^"']+)\1\)/g;

function typeScriptFileFor(from, specifier) {
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts')]) {
    if (candidate.endsWith('.ts') && fs.statSync(candidate, { throwIfNoEntry: false })?.isFile()) {
      return candidate;
    }
  }

  return undefined;
}

// The child's work: each file and what it requires, compiled into the cache unless already there.
function warm(entries) {
  const seen = new Set();
  const pending = entries.map((entry) => path.resolve(entry));
  while (pending.length > 0) {
    const filename = pending.pop();
    if (seen.has(filename)) {
      continue;
    }
    seen.add(filename);
    let code;
    try {
      const source = fs.readFileSync(filename, 'utf8');
      const file = cacheFileOf(source, filename);
      code = readOrUndefined(file) ?? compileToCache(source, filename, file);
    } catch {
      // Left to the process that loads it, which reports the error where it happens.
      continue;
    }
    for (const [, , specifier] of code.matchAll(RELATIVE_REQUIRE)) {
      const dependency = typeScriptFileFor(filename, specifier);
      if (dependency) {
        pending.push(dependency);
      }
    }
  }
}

function warmInChild(filename) {
  if (process.env.SMS_TS_COMPILE_IN_PROCESS === '1') {
    return;
  }
  spawnSync(process.execPath, [__filename, filename], {
    stdio: 'ignore',
    env: { ...process.env, NODE_OPTIONS: '', SMS_TS_CACHE_DIR: path.dirname(CACHE_DIR) },
  });
}

function load(source, filename) {
  if (!CACHE_DIR) {
    return compile(source, filename, 'inline').code;
  }
  const file = cacheFileOf(source, filename);
  let code = readOrUndefined(file);
  if (code === undefined) {
    warmInChild(filename);
    // The child failed or could not write: compile here, as before.
    code = readOrUndefined(file) ?? compileToCache(source, filename, file);
  }

  return code;
}

// The CommonJS loader's extension hook (what @swc-node/register installs through pirates).
Module._extensions['.ts'] = function loadTypeScript(module, filename) {
  module._compile(load(fs.readFileSync(filename, 'utf8'), filename), filename);
};

// Run as a script: the child that warms the cache (see the header).
if (require.main === module && CACHE_DIR) {
  warm(process.argv.slice(2));
}
