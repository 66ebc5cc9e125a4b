/**
 * Sender rate against provider latency (issue #18 part 4): one sender rated 100 segments/s, the simulated
 * provider answering each send in 200 ms and in 1 s, over an HTTP API (Twilio) and SMPP. The embedded
 * gateway (with its simulator) runs in this process. The send stage is measured: the bench publishes the
 * dispatches as the router books them for such a number (slot i at start + i × 10 ms, on the sender's key,
 * over the run), and reads the rate from the send-worker's `sent` events: (sent − 1) / (last − first sent),
 * so the constant provider latency shifts both ends and only the pace of the sends counts. Going through
 * intake and the router instead would measure how much CPU they leave on a shared box (the e2e bench's job).
 *
 *   npm run bench -- --only=sender-rate
 *   node -r ./scripts/register.js bench/sender-rate.bench.ts (alone)
 *   SENDER_RATE_BENCH_MESSAGES=400 (per case), SENDER_RATE_BENCH_CASES=twilio:200,smpp:1000 (a subset)
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ALL_SCOPES, ApiKeyService } from '@sms/auth';
import type { Bus } from '@sms/bus';
import { TOPICS } from '@sms/contracts';
import { BUS, loadConfig } from '@sms/platform';
import { buildGateway } from '../apps/gateway/src/gateway.app';
import { freePort } from './lib/processes';

const RATE = 100;
const REQUIRED = 95;
const API_KEY = 'smsgw_bench_sender_rate_key_000000000000';

interface SenderCase {
  readonly provider: 'twilio' | 'smpp';
  readonly from: string;
  /** Recipients: `${prefix}${n}` with n padded to `digits`. */
  readonly toPrefix: string;
  readonly digits: number;
}

const SENDERS: readonly SenderCase[] = [
  { provider: 'twilio', from: '+447400900999', toPrefix: '+447400123', digits: 3 },
  { provider: 'smpp', from: '+4520123450', toPrefix: '+45201234', digits: 2 },
];
const LATENCIES_MS = [200, 1_000] as const;

export interface SenderRateCase {
  readonly provider: string;
  readonly latencyMs: number;
  readonly messages: number;
  readonly sent: number;
  /** Send results other than `sent` (retry, failed): each one is a miss. */
  readonly otherOutcomes: number;
  /** How long posting every message took (the router books from the first accepted one). */
  readonly postedMs: number;
  /** This process's CPU (the whole embedded gateway and the simulator) per message, until the last send. */
  readonly cpuMsPerMessage: number;
  readonly segmentsPerSecond: number;
  readonly met: boolean;
}

export interface SenderRateCheck {
  readonly target: string;
  readonly required: string;
  readonly measured: string;
  readonly met: boolean;
}

const messagesPerCase = (): number => {
  const value = Number(process.env['SENDER_RATE_BENCH_MESSAGES']);

  return Number.isInteger(value) && value >= 10 ? value : 400;
};

async function runCase(sender: SenderCase, latencyMs: number, messages: number): Promise<SenderRateCase> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'sms-bench-rate-'));
  const config = loadConfig({
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dir,
    LOG_LEVEL: 'error',
    SMPP_SIM_PORT: '0',
    // The bind's window bounds the submits in flight: 100 segments/s at 1 s needs ~100 outstanding.
    SMPP_BINDS: '2',
    SMPP_WINDOW: '100',
    // Hundreds of recipients in one range within seconds is this bench's load, not SMS pumping.
    PUMPING_SEQUENTIAL_RECIPIENTS: '100000',
    PUMPING_HIGH_COST_RECIPIENTS: '100000',
  });
  const app: NestFastifyApplication = await buildGateway(config);
  try {
    await app.listen({ port, host: '127.0.0.1' });
    await app.get(ApiKeyService).ensure('bench', API_KEY, ALL_SCOPES);
    const base = `http://127.0.0.1:${port}`;
    const call = async (method: string, url: string, body: unknown): Promise<Response> => {
      const response = await fetch(`${base}${url}`, {
        method,
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (response.status >= 300) {
        throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
      }

      return response;
    };
    // Receipts come after the run: the sender's pace is measured, not the receipt pipeline beside it
    // (the end-to-end bench measures that), which shares this process's core with the sends.
    await call('PUT', `/sim/knobs/${sender.provider}`, { latencyMs, dlrDelayMs: 600_000 });

    const ids = new Set<string>();
    const slotOf = new Map<string, number>();
    const lateness: number[] = [];
    const sentAt: number[] = [];
    let otherOutcomes = 0;
    const bus = app.get<Bus>(BUS);
    await bus.subscribe({
      groupId: `bench-sender-rate-${sender.provider}-${latencyMs}`,
      topics: [TOPICS.status],
      concurrency: 16,
      handler: async ({ value }) => {
        const event = value as { messageId?: string; kind?: string; source?: string };
        if (event.source !== 'send-worker' || !event.messageId || !ids.has(event.messageId)) {
          return;
        }
        if (event.kind === 'sent') {
          sentAt.push(performance.now());
          if (process.env['SENDER_RATE_BENCH_DEBUG']) {
            lateness.push(Date.now() - (slotOf.get(event.messageId) ?? 0) - latencyMs);
          }
        } else {
          otherOutcomes++;
        }
      },
    });

    // The router's booking for a number rated RATE segments/s, one-segment messages: slot i at start + i/RATE.
    const cpuBefore = process.cpuUsage();
    const postStarted = performance.now();
    const start = Date.now() + 200;
    const dispatches = Array.from({ length: messages }, (_, n) => {
      const messageId = randomUUID();
      ids.add(messageId);
      const at = new Date(start + Math.round((n * 1_000) / RATE));
      slotOf.set(messageId, at.getTime());

      return {
        topic: TOPICS.dispatch,
        key: sender.from,
        value: {
          messageId,
          attempt: 1,
          provider: sender.provider,
          from: sender.from,
          to: `${sender.toPrefix}${String(n % 10 ** sender.digits).padStart(sender.digits, '0')}`,
          body: `Bench ${n}`,
          encoding: 'GSM-7',
          segments: 1,
          validitySeconds: null,
          price: null,
          currency: null,
          routeReason: 'bench',
          routedAt: new Date().toISOString(),
          sendAt: at.toISOString(),
        },
      };
    });
    // Published as the router would over the run: each wake-up publishes every dispatch whose slot is less
    // than 100 ms away, so a late timer on a busy box delays no slot, it only makes a bigger batch.
    for (let n = 0; n < messages;) {
      const due = Math.min(messages, Math.floor(((Date.now() + 100 - start) * RATE) / 1_000) + 1);
      if (due > n) {
        await bus.publish(dispatches.slice(n, due));
        n = due;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const postedMs = performance.now() - postStarted;
    const deadline = Date.now() + (messages / RATE) * 3_000 + latencyMs + 30_000;
    while (sentAt.length + otherOutcomes < messages && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const cpu = process.cpuUsage(cpuBefore);
    if (lateness.length > 0) {
      const q = (f: number): number => [...lateness].sort((a, b) => a - b)[Math.floor(f * (lateness.length - 1))] ?? 0;
      process.stdout.write(
        `  late past slot + latency: p10 ${q(0.1)} p50 ${q(0.5)} p90 ${q(0.9)} max ${q(1)} ms; every 40th: ${lateness.filter((_, i) => i % 40 === 0).join(' ')}\n`,
      );
    }
    const span = ((sentAt.at(-1) ?? 0) - (sentAt[0] ?? 0)) / 1_000;
    const segmentsPerSecond = sentAt.length > 1 && span > 0 ? (sentAt.length - 1) / span : 0;

    return {
      provider: sender.provider,
      latencyMs,
      messages,
      sent: sentAt.length,
      otherOutcomes,
      postedMs: Math.round(postedMs),
      cpuMsPerMessage: (cpu.user + cpu.system) / 1_000 / messages,
      segmentsPerSecond,
      met: sentAt.length === messages && segmentsPerSecond >= REQUIRED,
    };
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every case, one fresh embedded gateway each; the verdict per case against ≥ 95 segments/s. */
export async function runSenderRateBench(
  log: (line: string) => void,
): Promise<{ cases: SenderRateCase[]; checks: SenderRateCheck[] }> {
  const messages = messagesPerCase();
  const cases: SenderRateCase[] = [];
  // SENDER_RATE_BENCH_CASES=twilio:200,smpp:1000 runs only those (a profile of one case).
  const only = process.env['SENDER_RATE_BENCH_CASES']?.split(',');
  for (const sender of SENDERS) {
    for (const latencyMs of LATENCIES_MS) {
      if (only && !only.includes(`${sender.provider}:${latencyMs}`)) {
        continue;
      }
      const result = await runCase(sender, latencyMs, messages);
      cases.push(result);
      log(
        `  ${result.provider.padEnd(7)} latency ${String(latencyMs).padStart(5)} ms: ${result.sent}/${messages} sent, ` +
          `${result.otherOutcomes} not sent, ${result.segmentsPerSecond.toFixed(1)} segments/s (sender rated ${RATE}); posted in ${result.postedMs} ms, ` +
          `${result.cpuMsPerMessage.toFixed(2)} ms CPU per message ${result.met ? 'MET' : 'MISSED'}`,
      );
    }
  }
  const checks = cases.map((c) => ({
    target: `sender rated ${RATE} segments/s, ${c.provider}, provider latency ${c.latencyMs} ms`,
    required: `≥ ${REQUIRED} segments/s, every message sent`,
    measured: `${c.segmentsPerSecond.toFixed(1)} segments/s, ${c.sent}/${c.messages} sent`,
    met: c.met,
  }));

  return { cases, checks };
}

if (require.main === module) {
  runSenderRateBench((line) => process.stdout.write(`${line}\n`))
    .then(({ checks }) => {
      process.exitCode = checks.every((c) => c.met) ? 0 : 2;
    })
    .catch((error: unknown) => {
      process.stderr.write(`sender-rate bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    });
}
