/**
 * Sender rate against provider latency (issue #18 part 4): one sender rated 100 segments/s, the simulated
 * provider answering each send in 200 ms and in 1 s, over an HTTP API (Twilio) and SMPP. The embedded
 * gateway (with its simulator) runs in this process. The send stage is measured: the bench publishes the
 * dispatches as the router books them for such a number (slot i at start + i × 10 ms, on the sender's key,
 * over the run), and reads the rate from the send-worker's `sent` events: (sent − 1) / (last − first sent),
 * by each event's `occurredAt` (when the provider answered), after a warm-up of sends on the same schedule,
 * so the constant provider latency shifts both ends and only the pace of the sends counts. Going through
 * intake and the router instead would measure how much CPU they leave on a shared box (the e2e bench's job).
 *
 * Distributed (SENDER_RATE_BENCH_MODE=distributed, or both): the send-worker service and the simulator as
 * `npm run dev` starts them (scripts/distributed.ts), on the running MariaDB (a database of its own), Redis
 * and Kafka (a topic prefix of its own); the bench publishes the dispatches to Kafka and reads `sent` from
 * it. CPU is then the send-worker's and the simulator's, from /proc.
 *
 *   npm run bench -- --only=sender-rate
 *   node -r ./scripts/register.js bench/sender-rate.bench.ts (alone)
 *   SENDER_RATE_BENCH_MESSAGES=400 (measured per case, after SENDER_RATE_BENCH_WARM_UP=100), SENDER_RATE_BENCH_CASES=twilio:200,smpp:1000 (a subset),
 *   SENDER_RATE_BENCH_MODE=embedded|distributed|both (default embedded)
 */
import { randomUUID } from 'node:crypto';
import { TOPICS } from '@sms/contracts';
import { type SenderRateTarget, startSenderRateTarget, type SenderRateMode } from './lib/sender-rate-targets';

const RATE = 100;
/** Issue #18: the embedded mode at ≥ 95 %, the distributed mode at ≥ 90 % of the allowed rate. */
const REQUIRED: Record<SenderRateMode, number> = { embedded: 95, distributed: 90 };

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
  readonly mode: SenderRateMode;
  readonly provider: string;
  readonly latencyMs: number;
  readonly messages: number;
  readonly sent: number;
  /** Send results other than `sent` (retry, failed): each one is a miss. */
  readonly otherOutcomes: number;
  /** How long posting every message took (the router books from the first accepted one). */
  readonly postedMs: number;
  /**
   * CPU per message until the last send: embedded, this process (the whole gateway and the simulator);
   * distributed, the send-worker and the simulator processes.
   */
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

/**
 * Sends on the same schedule just before the measured ones, left out of the rate and the CPU: each case
 * starts fresh processes, and their first sends pay for JIT compilation and connection set-up, which is not
 * the steady pace of a running sender.
 */
const warmUpPerCase = (): number => {
  const value = Number(process.env['SENDER_RATE_BENCH_WARM_UP']);

  return Number.isInteger(value) && value >= 0 ? value : 100;
};

async function runCase(
  target: SenderRateTarget,
  sender: SenderCase,
  latencyMs: number,
  messages: number,
  warmUp: number,
): Promise<SenderRateCase> {
  const total = warmUp + messages;
  // Receipts come after the run: the sender's pace is measured, not the receipt pipeline beside it
  // (the end-to-end bench measures that), which shares the box's cores with the sends.
  await target.setKnobs(sender.provider, { latencyMs, dlrDelayMs: 600_000 });

  const ids = new Set<string>();
  const slotOf = new Map<string, number>();
  const lateness: number[] = [];
  const sentAt: number[] = [];
  let otherOutcomes = 0;
  let cpuAfterWarmUp = 0;
  const bus = target.bus;
  await bus.subscribe({
    groupId: `bench-sender-rate-${sender.provider}-${latencyMs}`,
    topics: [TOPICS.sendResult],
    concurrency: 16,
    handler: async ({ value }) => {
      const event = value as { messageId?: string; kind?: string; source?: string; occurredAt?: string };
      if (event.source !== 'send-worker' || !event.messageId || !ids.has(event.messageId)) {
        return;
      }
      if (event.kind === 'sent') {
        // When the provider answered, by the send-worker's clock (the same machine): a reader that falls
        // behind on a busy box must not make the sender look slower or faster than it sent.
        sentAt.push(Date.parse(event.occurredAt ?? '') || Date.now());
        if (sentAt.length === warmUp) {
          cpuAfterWarmUp = target.cpuMs();
        }
        if (process.env['SENDER_RATE_BENCH_DEBUG']) {
          lateness.push(Date.now() - (slotOf.get(event.messageId) ?? 0) - latencyMs);
        }
      } else {
        otherOutcomes++;
      }
    },
  });

  // The router's booking for a number rated RATE segments/s, one-segment messages: slot i at start + i/RATE.
  cpuAfterWarmUp = target.cpuMs();
  const postStarted = performance.now();
  const start = Date.now() + 200;
  const dispatches = Array.from({ length: total }, (_, n) => {
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
  for (let n = 0; n < total;) {
    const due = Math.min(total, Math.floor(((Date.now() + 100 - start) * RATE) / 1_000) + 1);
    if (due > n) {
      await bus.publish(dispatches.slice(n, due));
      n = due;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const postedMs = performance.now() - postStarted;
  const deadline = Date.now() + (total / RATE) * 3_000 + latencyMs + 30_000;
  while (sentAt.length + otherOutcomes < total && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const cpuMs = target.cpuMs() - cpuAfterWarmUp;
  if (lateness.length > 0) {
    const q = (f: number): number => [...lateness].sort((a, b) => a - b)[Math.floor(f * (lateness.length - 1))] ?? 0;
    process.stdout.write(
      `  late past slot + latency: p10 ${q(0.1)} p50 ${q(0.5)} p90 ${q(0.9)} max ${q(1)} ms; every 40th: ${lateness.filter((_, i) => i % 40 === 0).join(' ')}\n`,
    );
  }
  const measured = [...sentAt].sort((a, b) => a - b).slice(warmUp);
  const span = ((measured.at(-1) ?? 0) - (measured[0] ?? 0)) / 1_000;
  const segmentsPerSecond = measured.length > 1 && span > 0 ? (measured.length - 1) / span : 0;

  const required = REQUIRED[target.mode];

  return {
    mode: target.mode,
    provider: sender.provider,
    latencyMs,
    messages,
    sent: Math.max(0, sentAt.length - warmUp),
    otherOutcomes,
    postedMs: Math.round(postedMs),
    cpuMsPerMessage: cpuMs / messages,
    segmentsPerSecond,
    met: sentAt.length === total && segmentsPerSecond >= required,
  };
}

const modes = (): SenderRateMode[] => {
  const mode = process.env['SENDER_RATE_BENCH_MODE'] ?? 'embedded';
  if (mode === 'both') {
    return ['embedded', 'distributed'];
  }
  if (mode !== 'embedded' && mode !== 'distributed') {
    throw new Error(`SENDER_RATE_BENCH_MODE must be embedded, distributed or both, got '${mode}'`);
  }

  return [mode];
};

/** Every case, one fresh embedded gateway each; the verdict per case against ≥ 95 segments/s. */
export async function runSenderRateBench(
  log: (line: string) => void,
): Promise<{ cases: SenderRateCase[]; checks: SenderRateCheck[] }> {
  const messages = messagesPerCase();
  const warmUp = warmUpPerCase();
  const cases: SenderRateCase[] = [];
  // SENDER_RATE_BENCH_CASES=twilio:200,smpp:1000 runs only those (a profile of one case).
  const only = process.env['SENDER_RATE_BENCH_CASES']?.split(',');
  for (const mode of modes()) {
    for (const sender of SENDERS) {
      for (const latencyMs of LATENCIES_MS) {
        if (only && !only.includes(`${sender.provider}:${latencyMs}`)) {
          continue;
        }
        // Embedded: a fresh gateway per case. Distributed: one topology per case too, so no case inherits
        // another's send-worker state (SMPP binds, pacers) or consumer lag.
        const target = await startSenderRateTarget(mode);
        try {
          const result = await runCase(target, sender, latencyMs, messages, warmUp);
          cases.push(result);
          log(
            `  ${mode.padEnd(11)} ${result.provider.padEnd(7)} latency ${String(latencyMs).padStart(5)} ms: ${result.sent}/${messages} sent, ` +
              `${result.otherOutcomes} not sent, ${result.segmentsPerSecond.toFixed(1)} segments/s (sender rated ${RATE}); posted in ${result.postedMs} ms, ` +
              `${result.cpuMsPerMessage.toFixed(2)} ms CPU per message ${result.met ? 'MET' : 'MISSED'}`,
          );
        } finally {
          await target.stop();
        }
      }
    }
  }
  const checks = cases.map((c) => ({
    target: `sender rated ${RATE} segments/s, ${c.mode}, ${c.provider}, provider latency ${c.latencyMs} ms`,
    required: `≥ ${REQUIRED[c.mode]} segments/s, every message sent`,
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
