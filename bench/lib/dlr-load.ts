/**
 * Child process of the DLR bench: posts distinct, correctly signed Twilio status receipts at a
 * constant arrival rate with the raw-socket generator (bench/lib/raw-http-load.ts: open model, latency
 * from each request's scheduled time, connections opened before the clock starts). The receipts of
 * `warmSidsFile`, when given, go first at the same rate and are not measured: the generator's and the
 * server's JIT and buffers are warm when the measured ones start. Reads its job from DLR_LOAD_JOB
 * (JSON), prints one JSON line.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { buildRequest, runRawLoad } from './raw-http-load';

interface Job {
  readonly origin: string;
  readonly path: string;
  readonly url: string;
  readonly token: string;
  readonly rate: number;
  readonly sidsFile: string;
  readonly warmSidsFile?: string;
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
  const read = (file: string | undefined): string[] =>
    file ? (JSON.parse(readFileSync(file, 'utf8')) as string[]) : [];
  const warm = read(job.warmSidsFile);
  const sids = [...warm, ...read(job.sidsFile)];
  const { hostname, port, host } = new URL(job.origin);
  const requests = sids.map((sid) => {
    const body = new URLSearchParams({ MessageSid: sid, MessageStatus: 'delivered', AccountSid: 'ACbench' }).toString();

    return buildRequest(
      'POST',
      job.path,
      host,
      { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sign(job.token, job.url, body) },
      body,
    );
  });
  const result = await runRawLoad({
    host: hostname,
    port: Number(port),
    requests,
    warmUp: warm.length,
    rate: job.rate,
    connections: job.connections,
    timeoutMs: job.timeoutMs,
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`dlr-load failed: ${String(error)}\n`);
  process.exit(1);
});
