/**
 * The baseline the gateway is compared with: plain Fastify on the same route, parsing the same JSON and
 * answering 202 `{id,status}`, with nothing else (no Nest, no auth, no validation, no storage). It runs as
 * its own process, like the gateway, so the ratio gateway/bare measures the gateway's own work per request
 * on this machine in this run rather than a figure from another machine.
 *
 *   PORT=3999 node -r ./scripts/register.js bench/lib/bare-fastify.ts
 */
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { startServer, type ServerProcess } from './processes';

/** Starts the baseline as a child process (pinned to `cpus` when given) and waits until it answers. */
export function startBareFastify(port: number, cpus?: string): Promise<ServerProcess> {
  return startServer('bare-fastify', 'bench/lib/bare-fastify.ts', {}, port, cpus);
}

interface Body {
  readonly to?: unknown;
  readonly body?: unknown;
}

async function main(): Promise<void> {
  const port = Number(process.env['PORT'] ?? 3999);
  const app = Fastify({ logger: false });
  app.get('/readyz', async () => ({ status: 'ok' }));
  app.post('/v1/messages', async (request, reply) => {
    const body = request.body as Body | null;
    // The least a real handler does with the parsed body: look at both fields, or the parse could be elided.
    if (typeof body?.to !== 'string' || typeof body.body !== 'string') {
      return reply.status(422).send({ error: { code: 'invalid_request' } });
    }

    return reply.status(202).send({ id: randomUUID(), status: 'queued' });
  });
  await app.listen({ port, host: '127.0.0.1' });
  const stop = (): void => {
    void app.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`bare fastify failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
