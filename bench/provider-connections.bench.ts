/**
 * The provider HTTP client's CPU per call for each setting of its connection bound per origin and of how a
 * call's deadline is armed: what the send-worker pays (client) and what the provider pays (server) for each
 * provider call, and how many connections each setting opened. The client is the adapters' own (`createProviderHttp` over
 * `createProviderAgent(connections)`); the "provider" is a Fastify server in a child process answering a
 * Twilio-like JSON after `LATENCY_MS`. Calls come in waves, as a consumer batch of dispatches starts them:
 * every `PERIOD_MS` a wave of 1..`WAVE_MAX` calls at once (sizes from a fixed seed, the same for every
 * setting), for `DURATION_S`. Settings run in alternation, `ROUNDS` times; CPU is utime+stime from /proc.
 *
 *   node -r ./scripts/register.js bench/provider-connections.bench.ts
 *
 * Env (defaults): CASES "0:timeout,0:deadline" (each `connections:deadline`; connections 0 = unbounded;
 * deadline `timeout` = AbortSignal.timeout per call, `deadline` = withDeadline, the adapters' way), WAVE_MAX 200,
 * PERIOD_MS 100, DURATION_S 12, ROUNDS 3, LATENCY_MS 0, TIMEOUT_MS 10000 (the adapters' default request timeout;
 * each round waits for it after its last call).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { createProviderAgent, createProviderHttp, withDeadline } from '@sms/provider-port';
import { cpuMsOf } from './lib/process-cpu';

type Deadline = 'timeout' | 'deadline';
const CASES = (process.env['CASES'] ?? '0:timeout,0:deadline').split(',').map((text) => {
  const [connections = '0', deadline = 'deadline'] = text.split(':');

  return { connections: Number(connections), deadline: deadline as Deadline };
});
const WAVE_MAX = Number(process.env['WAVE_MAX'] ?? 200);
const PERIOD_MS = Number(process.env['PERIOD_MS'] ?? 100);
const DURATION_S = Number(process.env['DURATION_S'] ?? 12);
const ROUNDS = Number(process.env['ROUNDS'] ?? 3);
const LATENCY_MS = Number(process.env['LATENCY_MS'] ?? 0);
const TIMEOUT_MS = Number(process.env['TIMEOUT_MS'] ?? 10_000);
/** An unbounded pool: more connections than any wave can use. */
const UNBOUNDED = 1_000_000;

interface Server {
  readonly child: ChildProcess;
  readonly url: string;
  connections(): Promise<number>;
}

/** The child: a Fastify "provider" that counts the connections it accepted. */
async function serve(): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false });
  let accepted = 0;
  app.server.on('connection', () => accepted++);
  app.post('/2010-04-01/Accounts/AC1/Messages.json', async (_request, reply) => {
    if (LATENCY_MS > 0) {
      await new Promise((resolve) => setTimeout(resolve, LATENCY_MS));
    }
    await reply.status(201).send({ sid: 'SM0123456789abcdef0123456789abcdef', status: 'queued', price: null });
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  process.on('message', (message) => {
    if (message === 'count') {
      process.send?.({ accepted });
    }
  });
  process.send?.({ url });
}

async function startServer(): Promise<Server> {
  const child = fork(__filename, ['--serve'], { execArgv: ['-r', './scripts/register.js'] });
  const url = await new Promise<string>((resolve) =>
    child.once('message', (message) => resolve((message as { url: string }).url)),
  );
  const connections = (): Promise<number> =>
    new Promise((resolve) => {
      child.once('message', (message) => resolve((message as { accepted: number }).accepted));
      child.send('count');
    });

  return { child, url, connections };
}

/** A fixed sequence of wave sizes in 1..WAVE_MAX (a linear congruential generator, seed 1). */
function waveSizes(count: number): number[] {
  let state = 1;

  return Array.from({ length: count }, () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;

    return 1 + (state % WAVE_MAX);
  });
}

async function round(server: Server, connections: number, deadline: Deadline): Promise<Record<string, unknown>> {
  const agent = createProviderAgent(connections === 0 ? UNBOUNDED : connections);
  const http = createProviderHttp(agent);
  const url = `${server.url}/2010-04-01/Accounts/AC1/Messages.json`;
  const body = 'To=%2B447400123400&From=%2B447400000001&Body=Your+code+is+123456';
  const exchange = async (signal: AbortSignal): Promise<void> => {
    const response = await http(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic QUMxOnRva2Vu' },
      body,
      signal,
    });
    await response.text();
  };
  let failed = 0;
  const call = (): Promise<void> =>
    (deadline === 'timeout' ? exchange(AbortSignal.timeout(TIMEOUT_MS)) : withDeadline(TIMEOUT_MS, exchange)).catch(
      () => {
        failed++;
      },
    );
  const acceptedBefore = await server.connections();
  const clientBefore = process.cpuUsage();
  const serverBefore = cpuMsOf(server.child.pid as number);
  const waves: Promise<void>[] = [];
  let calls = 0;
  for (const size of waveSizes(Math.round((DURATION_S * 1000) / PERIOD_MS))) {
    calls += size;
    waves.push(Promise.all(Array.from({ length: size }, call)).then(() => undefined));
    await new Promise((resolve) => setTimeout(resolve, PERIOD_MS));
  }
  await Promise.all(waves);
  // An AbortSignal.timeout's timer fires after the timeout whenever the call ended: waited for, so its
  // cost is charged to the case that armed it.
  await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS + 200));
  const client = process.cpuUsage(clientBefore);
  const serverMs = cpuMsOf(server.child.pid as number) - serverBefore;
  const opened = (await server.connections()) - acceptedBefore;
  await agent.close();

  return {
    connections,
    deadline,
    calls,
    failed,
    clientUsPerCall: Math.round(((client.user + client.system) / calls) * 10) / 10,
    serverUsPerCall: Math.round(((serverMs * 1000) / calls) * 10) / 10,
    connectionsOpened: opened,
  };
}

async function main(): Promise<void> {
  const server = await startServer();
  try {
    console.log(JSON.stringify({ load: loadavg().map((l) => l.toFixed(1)), WAVE_MAX, PERIOD_MS, LATENCY_MS }));
    for (const setting of CASES) {
      await round(server, setting.connections, setting.deadline); // warm-up
    }
    for (let r = 0; r < ROUNDS; r++) {
      for (const setting of CASES) {
        console.log(JSON.stringify(await round(server, setting.connections, setting.deadline)));
      }
    }
    console.log(JSON.stringify({ load: loadavg().map((l) => l.toFixed(1)) }));
  } finally {
    server.child.kill();
  }
}

if (process.argv.includes('--serve')) {
  void serve();
} else {
  void main();
}
