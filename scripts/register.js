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
'use strict';
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

function load(source, filename) {
  if (!CACHE_DIR) {
    return compile(source, filename, 'inline').code;
  }
  const key = createHash('sha256').update(filename).update('\0').update(source).digest('hex');
  const file = path.join(CACHE_DIR, `${key}.js`);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    const { code, map } = compile(source, filename, true);
    // The map first: whoever finds the code finds its map.
    writeWhole(`${file}.map`, map);
    const mapUrl = path.relative(path.dirname(filename), `${file}.map`).split(path.sep).map(encodeURIComponent);
    const linked = `${code}\n//# sourceMappingURL=${mapUrl.join('/')}\n`;
    writeWhole(file, linked);

    return linked;
  }
}

// The CommonJS loader's extension hook (what @swc-node/register installs through pirates).
Module._extensions['.ts'] = function loadTypeScript(module, filename) {
  module._compile(load(fs.readFileSync(filename, 'utf8'), filename), filename);
};
