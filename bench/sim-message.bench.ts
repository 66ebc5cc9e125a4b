/**
 * The simulator's own CPU per message, as the end-to-end bench drives it: a Twilio send with a status callback,
 * answered 201 at once, then the two signed receipts (`sent`, `delivered`) posted 200 and 400 ms later.
 *
 *   node -r ./scripts/register.js bench/sim-message.bench.ts
 *
 * The simulator runs alone in a child process (bench/lib/sim-message-host.ts, set up as the stand-alone
 * simulator); this process is the gateway's side: an undici Pool of 16 keep-alive connections sending N
 * messages at RATE a second with the adapter's form body, and a node:http receiver answering each receipt 200 with an empty
 * body, as dlr-ingest does. The child's utime + stime from /proc over a round (from the first send to the
 * last receipt), divided by N, is the figure. Each round runs in a fresh child after a warm-up round; each
 * round's line says how many receipts were retried (a loaded box: the round measured retries too).
 *
 * Env (defaults): N 3000, RATE 400, PAIRS 3, PROF_DIR (a CPU profile of each host there), BASE_SRC (a copy of a base `libs/simulator/feature/src`; when set, rounds
 * alternate base and new, base first, and both medians are printed).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Pool } from 'undici';

const N = Number(process.env['N'] ?? 3000);
const RATE = Number(process.env['RATE'] ?? 400);
const PAIRS = Number(process.env['PAIRS'] ?? 3);
const CONNECTIONS = 16;
const SID = `AC${'0'.repeat(32)}`;
const TOKEN = 'bench-token-0123456789abcdef';
const TICK_MS = 10; // USER_HZ 100

function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');

  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

async function startHost(
  source: string | undefined,
  receiverBase: string,
): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(path.join(__dirname, 'lib/sim-message-host.ts'), [], {
    execArgv: [
      '-r',
      path.join(__dirname, '../scripts/register.js'),
      ...(process.env['PROF_DIR'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['PROF_DIR']}`] : []),
    ],
    env: { ...process.env, ...(source && { SIM_SRC: source }), RECEIVER_BASE: receiverBase, SID, TOKEN },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`simulator host exited ${code}`)));
  });

  return { child, port };
}

async function main(): Promise<void> {
  let waiter: (() => void) | undefined;
  let target = 0;
  // Receipts by the idempotency token Twilio repeats on its retries: a token seen twice is a retry, which
  // means the receipts did not keep up and the round measured more than one post per receipt.
  const tokens = new Set<string>();
  let retried = 0;
  const receiver = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('');
      const token = String(request.headers['i-twilio-idempotency-token']);
      if (tokens.has(token)) {
        retried += 1;
      } else {
        tokens.add(token);
      }
      if (tokens.size >= target) {
        waiter?.();
      }
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const callback = `${receiverBase}/webhooks/twilio/status`;
  const headers = {
    authorization: `Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`,
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };

  /** CPU ms of the simulator per message over `count` messages, from a fresh host. */
  const round = async (source: string | undefined, count: number): Promise<number> => {
    const { child, port } = await startHost(source, receiverBase);
    const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONNECTIONS });
    const run = async (messages: number): Promise<number> => {
      tokens.clear();
      retried = 0;
      target = 2 * messages;
      const allIn = new Promise<void>((resolve) => (waiter = resolve));
      const before = cpuMsOf(child.pid as number);
      let started = 0;
      const startedAt = performance.now();
      await Promise.all(
        Array.from({ length: CONNECTIONS }, async () => {
          while (started < messages) {
            started += 1;
            // Paced: message i leaves at i / RATE s, so the receipts (posted to this same process) keep up
            // and both sides are measured at the same rate.
            const due = startedAt + (started * 1000) / RATE - performance.now();
            if (due > 0) {
              await new Promise((resolve) => setTimeout(resolve, due));
            }
            const form = new URLSearchParams({
              To: '+447400123400',
              From: '+447400900950',
              Body: 'Your code is 123456',
            });
            form.set('StatusCallback', callback);
            const response = await pool.request({
              path: `/sim/twilio/2010-04-01/Accounts/${SID}/Messages.json`,
              method: 'POST',
              headers: { ...headers, 'i-twilio-idempotency-token': `msg-${started}` },
              body: form.toString(),
            });
            if (response.statusCode !== 201) {
              throw new Error(`send answered ${response.statusCode}: ${await response.body.text()}`);
            }
            await response.body.dump();
          }
        }),
      );
      await allIn;
      const perMessage = (cpuMsOf(child.pid as number) - before) / messages;
      const seconds = (performance.now() - startedAt) / 1000;
      process.stderr.write(
        `  ${source ? 'base' : 'new '} ${perMessage.toFixed(4)} ms/msg, ${messages} in ${seconds.toFixed(1)} s, ${retried} receipts retried\n`,
      );

      return perMessage;
    };
    try {
      await run(Math.round(count / 2)); // warm-up: JIT and connections

      return await run(count);
    } finally {
      await pool.close();
      child.kill();
    }
  };

  const base = process.env['BASE_SRC'];
  const figures: { base: number[]; new: number[] } = { base: [], new: [] };
  for (let pair = 0; pair < PAIRS; pair += 1) {
    if (base) {
      figures.base.push(await round(base, N));
    }
    figures.new.push(await round(undefined, N));
  }
  receiver.close();
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  for (const [name, xs] of Object.entries(figures)) {
    if (xs.length > 0) {
      process.stdout.write(
        `${name.padEnd(4)} simulator CPU ms per message (send + 2 receipts): median ${median(xs).toFixed(4)} ` +
          `(${xs.map((x) => x.toFixed(4)).join(', ')})\n`,
      );
    }
  }
  process.stdout.write(`load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}\n`);
}

void main();
