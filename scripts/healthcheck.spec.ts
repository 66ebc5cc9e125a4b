import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { healthy } from './healthcheck';

describe('the image HEALTHCHECK', () => {
  let server: Server;
  let status = 200;
  let port = 0;

  beforeAll(async () => {
    server = createServer((request, response) => {
      response.statusCode = request.url === '/healthz' ? status : 404;
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('is healthy on 200 from /healthz on the given port, and not on anything else', async () => {
    status = 200;
    expect(await healthy(port)).toBe(true);
    status = 503;
    expect(await healthy(port)).toBe(false);
  });

  it('is unhealthy when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const freed = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await healthy(freed)).toBe(false);
  });
});
