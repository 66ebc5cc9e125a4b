/**
 * The simulator's Twilio send endpoint alone, in this process: a bare Fastify app hosting the simulator
 * plugin, 16 keep-alive connections from an undici Pool, sends without a status callback (so no receipts
 * are posted) and with no latency knob, as the end-to-end bench drives it. Prints the CPU microseconds of
 * this process (client and server) per send for RUNS runs of N sends, and their median.
 *
 *   node -r ./scripts/register.js bench/simulator-submit.bench.ts
 *
 * Env (defaults): N 5000, RUNS 5.
 */
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { Pool } from 'undici';
import { generateSimulatorAccounts, httpApiAccounts } from '../libs/simulator/feature/src/simulator.accounts';
import { simulatorPlugin } from '../libs/simulator/feature/src/simulator.plugin';

const N = Number(process.env['N'] ?? 5000);
const RUNS = Number(process.env['RUNS'] ?? 5);
const CONNECTIONS = 16;
const SID = `AC${'0'.repeat(32)}`;
const TOKEN = 'bench-token';

async function main(): Promise<void> {
  const app = Fastify({ logger: false });
  await app.register(simulatorPlugin, {
    ...httpApiAccounts(generateSimulatorAccounts()),
    prefix: '/sim',
    publicBaseUrl: 'http://127.0.0.1',
    controlAuth: () => 'allowed',
    webhookBaseUrl: () => 'http://127.0.0.1:1',
    twilio: { accountSid: SID, authToken: TOKEN },
    seed: 7,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const pool = new Pool(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, {
    connections: CONNECTIONS,
  });
  const headers = {
    authorization: `Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`,
    'content-type': 'application/x-www-form-urlencoded',
  };
  const body = 'To=%2B447400123456&From=%2B447400900950&Body=hello';
  const send = async (): Promise<void> => {
    const response = await pool.request({
      path: `/sim/twilio/2010-04-01/Accounts/${SID}/Messages.json`,
      method: 'POST',
      headers,
      body,
    });
    await response.body.dump();
  };
  /** CPU microseconds per send over `sends`, CONNECTIONS at a time. */
  const measure = async (sends: number): Promise<number> => {
    const start = process.cpuUsage();
    let started = 0;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (started++ < sends) {
          await send();
        }
      }),
    );
    const used = process.cpuUsage(start);

    return (used.user + used.system) / sends;
  };
  try {
    await measure(Math.round(N / 2));
    const runs: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      runs.push(await measure(N));
    }
    const sorted = [...runs].sort((a, b) => a - b);
    process.stdout.write(
      `simulator Twilio send: CPU µs per send (client and server): ${runs.map((v) => v.toFixed(1)).join(' ')}; ` +
        `median ${(sorted[Math.floor(sorted.length / 2)] ?? Number.NaN).toFixed(1)}\n`,
    );
  } finally {
    await pool.close();
    await app.close();
  }
}

void main();
