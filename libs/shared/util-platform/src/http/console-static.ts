import { createHash } from 'node:crypto';
import { existsSync, promises as fs, readdirSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Where `npm start` (scripts/console-build.ts) writes the web console: `dist/apps/console` of the checkout,
 * found as the nearest folder above this file with a package.json, so the path is the same whether this
 * file runs from its source or compiled into dist/ (the container image).
 */
export const CONSOLE_DIST_DIR = path.join(packageRoot(__dirname), 'dist/apps/console');
export const CONSOLE_PREFIX = '/console';

/**
 * The console may load only its own files and call only this origin: no inline script, no CDN, no framing.
 * `style-src 'self'` still lets React set element.style (CSSOM), which CSP does not govern.
 */
const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** Vite names every file under assets/ by its content hash: a changed file gets a new name. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html names the current hashed files, so the browser must revalidate it on every load. */
const REVALIDATE = 'no-cache';

/** A missing file answers in the API's error shape, like every other 404 of the gateway. */
const NOT_IN_BUILD = { error: { code: 'NOT_FOUND', message: 'no such file in the console build' } };

export interface ConsoleStaticOptions {
  /** The build output (index.html, assets/); default {@link CONSOLE_DIST_DIR}. */
  readonly root?: string;
  /** Default `/console`. */
  readonly prefix?: string;
}

interface StaticFile {
  readonly body: Buffer;
  readonly etag: string;
  readonly type: string;
}

/**
 * Serves the single-page console under `prefix`: a file of the build when one matches, index.html for any
 * other path without a file extension (the SPA's deep links, e.g. /console/messages/01a2…), 404 otherwise.
 * The file list is taken at start and each file read once and kept (the build is a few hundred kB): a
 * rebuild is picked up on restart, and no request can make the server read a path the build did not write.
 * Returns false, registering nothing, when the build output is missing.
 */
export function serveConsole(fastify: FastifyInstance, options: ConsoleStaticOptions = {}): boolean {
  const root = path.resolve(options.root ?? CONSOLE_DIST_DIR);
  const prefix = (options.prefix ?? CONSOLE_PREFIX).replace(/\/+$/, '');
  if (!existsSync(path.join(root, 'index.html'))) {
    return false;
  }
  // Only the files the build wrote are ever read: a request names one of them or gets index.html / 404.
  const files = new Map(
    listFiles(root).map((relative) => [relative, lazy(() => readStatic(path.join(root, relative)))]),
  );
  const load = (relative: string): Promise<StaticFile | null> => files.get(relative)?.() ?? Promise.resolve(null);

  fastify.get(prefix, (_request, reply) => reply.redirect(`${prefix}/`, 301));
  fastify.get(`${prefix}/*`, async (request: FastifyRequest<{ Params: { '*': string } }>, reply) => {
    const relative = request.params['*'];
    const found = await load(relative);
    if (found) {
      return send(request, reply, found, relative.startsWith('assets/') ? IMMUTABLE : REVALIDATE);
    }
    // A path that names a file (has an extension) and is not in the build is a real 404, not a deep link.
    if (path.extname(relative) !== '') {
      securityHeaders(reply);

      return reply.code(404).send(NOT_IN_BUILD);
    }
    const index = await load('index.html');
    if (!index) {
      return reply.code(404).send(NOT_IN_BUILD);
    }

    return send(request, reply, index, REVALIDATE);
  });

  return true;
}

function send(request: FastifyRequest, reply: FastifyReply, file: StaticFile, cacheControl: string): FastifyReply {
  securityHeaders(reply);
  reply.header('cache-control', cacheControl).header('etag', file.etag);
  if (request.headers['if-none-match'] === file.etag) {
    return reply.code(304).send();
  }

  return reply.type(file.type).send(file.body);
}

function securityHeaders(reply: FastifyReply): void {
  reply
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY');
}

function packageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) {
      return dir;
    }
    if (path.dirname(dir) === dir) {
      return process.cwd();
    }
  }
}

/** Every regular file under `root`, as `/`-separated paths relative to it. */
function listFiles(root: string, under = ''): string[] {
  return readdirSync(path.join(root, under), { withFileTypes: true }).flatMap((entry) => {
    const relative = under === '' ? entry.name : `${under}/${entry.name}`;
    if (entry.isDirectory()) {
      return listFiles(root, relative);
    }

    return entry.isFile() ? [relative] : [];
  });
}

function lazy<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;

  return () => (value ??= make());
}

async function readStatic(file: string): Promise<StaticFile | null> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) {
      return null;
    }
    const body = await fs.readFile(file);

    return {
      body,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      type: TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    };
  } catch {
    return null;
  }
}
