import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a CallbackReceiver got: the exact body text and the headers, as the caller's server sees them. */
export interface ReceivedCallback {
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/**
 * An HTTP server on 127.0.0.1 that records every request and answers 204: the caller's end of status
 * callbacks in end-to-end suites (the gateway must run with CALLBACK_ALLOW_INSECURE to post to it).
 */
export class CallbackReceiver {
  readonly received: ReceivedCallback[] = [];
  private server: Server | null = null;
  private port = 0;

  async start(): Promise<this> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.received.push({
          path: request.url ?? '/',
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        response.statusCode = 204;
        response.end();
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;

    return this;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Resolves with the first callback `match` accepts; rejects after `timeoutMs`. */
  async waitFor(match: (callback: ReceivedCallback) => boolean, timeoutMs = 20_000): Promise<ReceivedCallback> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find(match);
      if (found) {
        return found;
      }
      if (Date.now() > deadline) {
        throw new Error(`no matching callback within ${timeoutMs} ms (${this.received.length} received)`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
