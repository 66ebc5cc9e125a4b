import Fastify, { type FastifyInstance } from 'fastify';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serveConsoleAssets } from './console-assets';

describe(serveConsoleAssets.name, () => {
  let dir: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'console-assets-'));
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(path.join(dir, 'assets', 'app-abc.js'), 'export {};');
    writeFileSync(path.join(dir, 'favicon.svg'), '<svg/>');
    writeFileSync(path.join(dir, '.env'), 'SECRET=1');
    app = Fastify();
    expect(await serveConsoleAssets(app, dir)).toEqual({ served: true });
    await app.ready();
  });

  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['/console/', '/console/messages', '/console/messages/6f1c/timeline'])(
    'answers %s with the page and the CSP',
    async (url) => {
      const answer = await app.inject({ method: 'GET', url });

      expect(answer.statusCode).toBe(200);
      expect(answer.headers['content-type']).toContain('text/html');
      expect(answer.headers['content-security-policy']).toContain("script-src 'self'");
      expect(answer.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(answer.headers['cache-control']).toBe('no-cache');
      expect(answer.body).toContain('<div id="root">');
    },
  );

  it('serves a hashed asset as built, cached for good, with the CSP', async () => {
    const answer = await app.inject({ method: 'GET', url: '/console/assets/app-abc.js' });

    expect(answer.statusCode).toBe(200);
    expect(answer.body).toBe('export {};');
    expect(answer.headers['cache-control']).toContain('immutable');
    expect(answer.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('serves other files without the long cache', async () => {
    const answer = await app.inject({ method: 'GET', url: '/console/favicon.svg' });

    expect(answer.statusCode).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-cache');
  });

  it.each(['/console/assets/missing.js', '/console/.env', '/console/..%2F..%2Fetc%2Fpasswd.txt'])(
    'answers %s 404 in the API error shape',
    async (url) => {
      const answer = await app.inject({ method: 'GET', url });

      expect(answer.statusCode).toBe(404);
      expect(answer.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    },
  );

  it('redirects /console to /console/', async () => {
    const answer = await app.inject({ method: 'GET', url: '/console' });

    expect(answer.statusCode).toBe(301);
    expect(answer.headers['location']).toBe('/console/');
  });

  it('serves nothing without a build, and says why', async () => {
    const empty = Fastify();
    const result = await serveConsoleAssets(empty, path.join(dir, 'no-such-build'));
    await empty.ready();

    expect(result.served).toBe(false);
    expect(result.reason).toContain('index.html');
    expect((await empty.inject({ method: 'GET', url: '/console/' })).statusCode).toBe(404);
    await empty.close();
  });
});
