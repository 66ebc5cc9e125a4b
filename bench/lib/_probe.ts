import { readFileSync } from 'node:fs';
import { runConstantRate } from './constant-rate';
import { CpuSampler } from './processes';
async function main() {
  const info = JSON.parse(readFileSync('/tmp/benchx/info.json', 'utf8'));
  for (const rate of (process.env.RATES ?? '50,200,500').split(',').map(Number)) {
    const s = new CpuSampler(() => info.pids);
    const r = await runConstantRate({ origin: info.url, path: '/v1/messages', headers: { 'content-type': 'application/json', authorization: `Bearer ${info.key}` }, body: '{"to":"+447400123456","body":"Your code is 123456"}', rate, durationS: Number(process.env.DUR ?? 4), warmUpS: 1 },
      { onWindow: (p) => (p === 'start' ? s.begin() : console.log(JSON.stringify(Object.fromEntries(Object.entries(s.end()!.perProcess).map(([k, v]) => [k, Math.round(v)]))))) });
    console.log(rate, JSON.stringify({ a: r.achievedRate, e: r.errorBreakdown, p50: r.p50, p99: r.p99 }));
  }
}
main();
