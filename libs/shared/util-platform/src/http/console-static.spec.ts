import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { CONSOLE_DIST_DIR, serveConsole } from './console-static';

const SELF_ONLY_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

describe('serveConsole', () => {
  let root: string;
  let app: FastifyInstance;

  beforeEach(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'console-static-'));
    mkdirSync(path.join(root, 'assets'));
    writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(path.join(root, 'assets/index-abc123.js'), 'console.log(1)');
    writeFileSync(path.join(path.dirname(root), `${path.basename(root)}-secret.txt`), 'S3CR3T-CONTENT');
    app = Fastify();
    expect(serveConsole(app, { root })).toBe(true);
    await app.ready();
  });

  afterEach(async () => {
    await app.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(path.join(path.dirname(root), `${path.basename(root)}-secret.txt`), { force: true });
  });

  it('serves hashed assets as immutable and index.html as revalidated, both under the CSP', async () => {
    const asset = await app.inject({ method: 'GET', url: '/console/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-security-policy']).toBe(SELF_ONLY_CSP);
    expect(asset.headers['x-content-type-options']).toBe('nosniff');

    const index = await app.inject({ method: 'GET', url: '/console/' });
    expect(index.statusCode).toBe(200);
    expect(index.body).toContain('<title>console</title>');
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('answers a deep link with index.html, and a missing file with 404', async () => {
    const deep = await app.inject({ method: 'GET', url: '/console/messages/01a2-b3' });
    expect(deep.statusCode).toBe(200);
    expect(deep.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(deep.body).toContain('<title>console</title>');

    const missing = await app.inject({ method: 'GET', url: '/console/assets/gone-123.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('never reads a file outside the build, whatever the path says', async () => {
    for (const url of [
      `/console/../${path.basename(root)}-secret.txt`,
      `/console/%2e%2e/${path.basename(root)}-secret.txt`,
      `/console/..%2f${path.basename(root)}-secret.txt`,
      '/console/%00index.html',
    ]) {
      const answer = await app.inject({ method: 'GET', url });
      expect(answer.body).not.toContain('S3CR3T-CONTENT');
    }
  });

  it('redirects the bare prefix to the app and answers a matching If-None-Match with 304', async () => {
    const bare = await app.inject({ method: 'GET', url: '/console' });
    expect(bare.statusCode).toBe(301);
    expect(bare.headers.location).toBe('/console/');

    const first = await app.inject({ method: 'GET', url: '/console/' });
    const again = await app.inject({
      method: 'GET',
      url: '/console/',
      headers: { 'if-none-match': String(first.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('registers nothing when the console is not built', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'console-empty-'));
    const bare = Fastify();
    try {
      expect(serveConsole(bare, { root: empty })).toBe(false);
      await bare.ready();
      expect((await bare.inject({ method: 'GET', url: '/console/' })).statusCode).toBe(404);
    } finally {
      await bare.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('finds the build in dist/apps/console of the checkout', () => {
    expect(CONSOLE_DIST_DIR).toBe(path.resolve(__dirname, '../../../../../dist/apps/console'));
  });
});
