import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ApiError } from './api-error';

/** Where the web console is served. */
export const CONSOLE_PATH = '/console';

/**
 * The console's content security policy: everything from this origin only (its scripts, styles, fonts and
 * the API), no inline script, nothing from the internet at run time, never framed.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** Vite names built assets by their content hash: they never change under a name, so they may be kept a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

export interface ConsoleAssetsResult {
  readonly served: boolean;
  /** Why not, when not served (no build in the folder). */
  readonly reason?: string;
}

/**
 * Serves the console's static build (a single-page app) at `/console`: the files of `dir` as they are, and
 * `index.html` for every other path under `/console/` that names no file (the app's own routes), so a
 * reload or a shared link of `/console/messages/…` opens the app. A path that looks like a file (it has an
 * extension) and is not one is a 404 in the API's error shape, not the page. Every answer carries the CSP.
 * Without a build in `dir` nothing is registered and the reason is returned (the caller logs it).
 */
export async function serveConsoleAssets(fastify: FastifyInstance, dir: string): Promise<ConsoleAssetsResult> {
  const root = path.resolve(dir);
  const indexFile = path.join(root, 'index.html');
  if (!existsSync(indexFile)) {
    return { served: false, reason: `no console build at ${root} (index.html missing)` };
  }
  const index = readFileSync(indexFile);
  const sendIndex = (reply: FastifyReply): FastifyReply =>
    reply
      .headers({ ...SECURITY_HEADERS, 'cache-control': 'no-cache' })
      .type('text/html; charset=utf-8')
      .send(index);

  await fastify.register(fastifyStatic, {
    root,
    prefix: `${CONSOLE_PATH}/`,
    // One route per file found at start (no wildcard), so the app's own paths below fall to the index.
    wildcard: false,
    decorateReply: false,
    index: false,
    dotfiles: 'deny',
    // Set by setHeaders below: hashed assets for a year, the rest revalidated.
    cacheControl: false,
    setHeaders: (response, filePath) => {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
        response.setHeader(name, value);
      }
      response.setHeader(
        'cache-control',
        filePath.startsWith(path.join(root, 'assets') + path.sep) ? IMMUTABLE : 'no-cache',
      );
    },
  });
  fastify.get(CONSOLE_PATH, (_request, reply) => reply.redirect(`${CONSOLE_PATH}/`, 301));
  fastify.get(`${CONSOLE_PATH}/*`, (request, reply) => {
    const last = ((request.params as { '*'?: string })['*'] ?? '').split('/').pop() ?? '';
    // Looks like a file (an extension, or a dot file): a missing one is not the app's page.
    if (path.posix.extname(last) !== '' || last.startsWith('.')) {
      const error = new ApiError(404, 'NOT_FOUND', 'Console file not found');

      return reply.code(404).headers(SECURITY_HEADERS).type('application/json').send(error.toBody());
    }

    return sendIndex(reply);
  });

  return { served: true };
}
