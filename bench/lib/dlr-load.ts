/**
 * Child process of the DLR bench: posts distinct, correctly signed Twilio status receipts at a
 * constant arrival rate (open model: request i is due at t0 + i/rate and its latency counts from then,
 * so a slow server cannot hide its queue). Reads its job from DLR_LOAD_JOB (JSON), prints one JSON line.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';

interface Job {
  readonly origin: string;
  readonly path: string;
  readonly url: string;
  readonly token: string;
  readonly rate: number;
  readonly sidsFile: string;
  readonly connections: number;
  readonly timeoutMs: number;
}

function sign(token: string, url: string, body: string): string {
  const params = [...new URLSearchParams(body).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

  return createHmac('sha1', token)
    .update(url + params.map(([k, v]) => k + v).join(''))
    .digest('base64');
}

async function main(): Promise<void> {
  const job = JSON.parse(process.env['DLR_LOAD_JOB'] ?? '{}') as Job;
  const sids = JSON.parse(readFileSync(job.sidsFile, 'utf8')) as string[];
  const requests = sids.map((sid) => {
    const body = new URLSearchParams({ MessageSid: sid, MessageStatus: 'delivered', AccountSid: 'ACbench' }).toString();

    return { body, signature: sign(job.token, job.url, body) };
  });
  const pool = new Pool(job.origin, { connections: job.connections, pipelining: 1 });
  const latencies = new Float64Array(requests.length);
  let ok = 0;
  const errors: Record<string, number> = {};
  const t0 = performance.now() + 50;
  const interval = 1000 / job.rate;
  const pending: Promise<void>[] = [];
  const send = (i: number, due: number): void => {
    const request = requests[i] as { body: string; signature: string };
    pending.push(
      pool
        .request({
          path: job.path,
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': request.signature },
          body: request.body,
          headersTimeout: job.timeoutMs,
          bodyTimeout: job.timeoutMs,
        })
        .then(async (response) => {
          await response.body.dump();
          latencies[i] = performance.now() - due;
          if (response.statusCode >= 200 && response.statusCode < 300) {
            ok++;
          } else {
            errors[String(response.statusCode)] = (errors[String(response.statusCode)] ?? 0) + 1;
          }
        })
        .catch((error: unknown) => {
          latencies[i] = performance.now() - due;
          const code = (error as { code?: string }).code ?? 'error';
          errors[code] = (errors[code] ?? 0) + 1;
        }),
    );
  };
  // Ticks: send everything due, then yield to the event loop (so responses are read and timed) until the
  // next request is due. A tight loop that never yields would hold every response back and inflate latency.
  let next = 0;
  while (next < requests.length) {
    const now = performance.now();
    while (next < requests.length && t0 + next * interval <= now) {
      send(next, t0 + next * interval);
      next++;
    }
    const wait = t0 + next * interval - performance.now();
    await new Promise((resolve) => (wait >= 1 ? setTimeout(resolve, wait) : setImmediate(resolve)));
  }
  const sentAllAt = performance.now();
  await Promise.all(pending);
  const endedAt = Date.now();
  const sorted = Float64Array.from(latencies).sort();
  const q = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
  await pool.close();
  process.stdout.write(
    `${JSON.stringify({
      sent: requests.length,
      ok,
      errors,
      offeredRate: job.rate,
      achievedRate: requests.length / ((sentAllAt - t0) / 1000),
      p50: q(0.5),
      p99: q(0.99),
      max: sorted[sorted.length - 1],
      endedAt,
    })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`dlr-load failed: ${String(error)}\n`);
  process.exit(1);
});
