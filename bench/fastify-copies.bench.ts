/**
 * A Fastify server's CPU per request for each Fastify copy installed: the project's own (`fastify`) and the
 * one @nestjs/platform-fastify pins. A JSON POST route answered by an undici client in the same process over
 * 8 keep-alive connections; prints the CPU microseconds of this process (client + server) per request,
 * median of 5 rounds of N, for each copy, in alternation, PAIRS times.
 *
 *   node -r ./scripts/register.js bench/fastify-copies.bench.ts
 *
 * Env (defaults): N 4000, PAIRS 3.
 */
import path from 'node:path';
import { Agent, request } from 'undici';

const N = Number(process.env['N'] ?? 4000);
const PAIRS = Number(process.env['PAIRS'] ?? 3);
const CONNECTIONS = 8;

interface FastifyLike {
  post(url: string, handler: (request: { body: { n: number } }) => Promise<unknown>): void;
  listen(options: { port: number; host: string }): Promise<string>;
  close(): Promise<void>;
}

const copies = {
  project: require.resolve('fastify'),
  nestAdapter: require.resolve('fastify', { paths: [path.dirname(require.resolve('@nestjs/platform-fastify'))] }),
};

async function measure(entry: string): Promise<{ version: string; usPerRequest: number }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const create = require(entry) as (options: object) => FastifyLike;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { version } = require(path.join(path.dirname(entry), 'package.json')) as { version: string };
  const server = create({ logger: false });
  server.post('/x', async (req) => ({ ok: req.body.n }));
  const url = `${await server.listen({ port: 0, host: '127.0.0.1' })}/x`;
  const agent = new Agent({ connections: CONNECTIONS });
  const body = JSON.stringify({ n: 1, to: '+447400123400', body: 'Your code is 123456' });
  const round = async (): Promise<number> => {
    const start = process.cpuUsage();
    for (let i = 0; i < N; i += CONNECTIONS) {
      await Promise.all(
        Array.from({ length: CONNECTIONS }, async () => {
          const response = await request(url, {
            dispatcher: agent,
            method: 'POST',
            body,
            headers: { 'content-type': 'application/json' },
          });
          await response.body.text();
        }),
      );
    }
    const used = process.cpuUsage(start);

    return (used.user + used.system) / N;
  };
  try {
    await round(); // warm-up
    const rounds: number[] = [];
    for (let i = 0; i < 5; i++) {
      rounds.push(await round());
    }
    rounds.sort((a, b) => a - b);

    return { version, usPerRequest: Number((rounds[2] ?? 0).toFixed(1)) };
  } finally {
    await agent.close();
    await server.close();
  }
}

async function main(): Promise<void> {
  for (let pair = 0; pair < PAIRS; pair++) {
    for (const [name, entry] of Object.entries(copies)) {
      console.log(JSON.stringify({ copy: name, ...(await measure(entry)) }));
    }
  }
}

void main();
