/**
 * CPU of the simulator's webhook posts (two receipts per message), the new client against the one it
 * replaced, interleaved rounds:
 *
 *   node -r ./scripts/register.js bench/sim-webhooks.bench.ts      (SIM_WEBHOOKS_N=3000 SIM_WEBHOOKS_ROUNDS=5)
 *
 * A receiver in a process of its own answers each POST 200 with an empty body (as dlr-ingest does) and
 * counts the connections it accepted; this process posts N signed-size form bodies through `postWebhook`
 * (16 at a time, as receipt timers firing together do) and reports its own CPU per post
 * (`process.cpuUsage`). `fetch` is the client the simulator used before: the global fetch with
 * AbortSignal.any over a timeout signal, reproduced here as it was.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { FastifyBaseLogger } from 'fastify';
import { postWebhook, type CallbackSettings } from '../libs/simulator/feature/src/simulator.callbacks';
import { SimScheduler } from '../libs/simulator/feature/src/simulator.scheduler';

const N = Number(process.env['SIM_WEBHOOKS_N'] ?? 3000);
const ROUNDS = Number(process.env['SIM_WEBHOOKS_ROUNDS'] ?? 5);
const CONCURRENCY = 16;
const silent = { debug: () => undefined, warn: () => undefined } as unknown as FastifyBaseLogger;

const RECEIVER = `
const http = require('node:http');
let connections = 0;
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end(''));
});
server.on('connection', () => connections++);
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', () => process.send({ connections }));
`;

type Client = 'fetch' | 'undici';

async function fetchPost(url: string, body: string, headers: Record<string, string>): Promise<number> {
  const controller = new AbortController();
  const response = await fetch(url, {
    method: 'POST',
    headers,
    body,
    signal: AbortSignal.any([controller.signal, AbortSignal.timeout(5_000)]),
  });
  await response.arrayBuffer().catch(() => undefined);

  return response.status;
}

function ask(child: ChildProcess): Promise<{ port?: number; connections?: number }> {
  return new Promise((resolve) => child.once('message', (m) => resolve(m as { port?: number; connections?: number })));
}

async function round(client: Client, url: string): Promise<number> {
  const scheduler = new SimScheduler();
  const settings: CallbackSettings = {
    scheduler,
    log: silent,
    timeoutMs: 5_000,
    retryDelayMs: 1_000,
    allowTarget: () => true,
  };
  const headers = {
    'Content-Type': 'application/x-www-form-urlencoded',
    'User-Agent': 'TwilioProxy/1.1',
    'X-Twilio-Signature': 'c2lnbmF0dXJlLW9mLXRoZS1yaWdodC1zaXplLS0t',
    'I-Twilio-Idempotency-Token': '3f1c2c8e-6a1b-4c55-9a50-3d1f2f0b9c11',
  };
  const body =
    'MessageSid=SM0123456789abcdef0123456789abcdef&SmsSid=SM0123456789abcdef0123456789abcdef&MessageStatus=delivered&SmsStatus=delivered&AccountSid=AC00000000000000000000000000000000&From=%2B447400000001&To=%2B447400123400&ApiVersion=2010-04-01&RawDlrDoneDate=2612062230';
  let next = 0;
  const before = process.cpuUsage();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < N) {
        next += 1;
        if (client === 'fetch') {
          await fetchPost(url, body, headers);
        } else {
          const attempts = await postWebhook({ url, body, headers, label: 'delivered' }, settings);
          if (attempts[0]?.httpStatus !== 200) {
            throw new Error(`post failed: ${JSON.stringify(attempts)}`);
          }
        }
      }
    }),
  );
  const used = process.cpuUsage(before);
  scheduler.close();

  return (used.user + used.system) / 1000 / N;
}

async function main(): Promise<void> {
  const receiver = spawn(process.execPath, ['-e', RECEIVER], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
  const { port } = await ask(receiver);
  const url = `http://127.0.0.1:${port}/webhooks/twilio/status`;
  const figures: Record<Client, number[]> = { fetch: [], undici: [] };
  await round('fetch', url); // warm-up, both paths
  await round('undici', url);
  for (let i = 0; i < ROUNDS; i += 1) {
    for (const client of ['fetch', 'undici'] as const) {
      figures[client].push(await round(client, url));
    }
  }
  receiver.send('count');
  const { connections } = await ask(receiver);
  receiver.kill();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  for (const client of ['fetch', 'undici'] as const) {
    const runs = figures[client].map((x) => x.toFixed(3)).join(', ');
    console.log(
      `${client.padEnd(7)} CPU ms per webhook posted: median ${median(figures[client]).toFixed(3)} (${runs})`,
    );
  }
  console.log(`receiver accepted ${connections} connections for ${(ROUNDS + 1) * 2 * N} posts`);
}

void main();
