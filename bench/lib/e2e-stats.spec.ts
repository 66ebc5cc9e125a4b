import {
  cpuPerMessage,
  cpuTicksFromStat,
  endToEndRate,
  kannelSentFromStatus,
  median,
  medianByKey,
  nothingInFlight,
  type ModeFigures,
  offsetsDelta,
  offsetsDeltaBy,
  peakRssMbFromStatus,
  promSamples,
  promSum,
  verdicts,
} from './e2e-stats';

describe('cpuTicksFromStat', () => {
  it('adds utime and stime, counting fields after the last parenthesis of the command name', () => {
    const stat = '4242 (node (worker) x) S 1 4242 4242 0 -1 4194304 1000 0 0 0 1500 250 0 0 20 0 11 0 99 0 0';
    expect(cpuTicksFromStat(stat)).toBe(1750);
  });

  it('is NaN for text that is not a stat line', () => {
    expect(cpuTicksFromStat('')).toBeNaN();
  });
});

describe('peakRssMbFromStatus', () => {
  it('reads VmHWM in MB', () => {
    expect(peakRssMbFromStatus('Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n')).toBe(200);
  });

  it('is NaN when the field is missing (a kernel thread, a gone process)', () => {
    expect(peakRssMbFromStatus('Name:\tkthreadd\n')).toBeNaN();
  });
});

describe('median', () => {
  it('takes the middle value or the mean of the two middle values, ignoring NaN', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([Number.NaN, 5])).toBe(5);
    expect(median([])).toBeNaN();
  });

  it('is per key across runs', () => {
    expect(medianByKey([{ a: 1, b: 10 }, { a: 3 }, { a: 2, b: 30 }])).toEqual({ a: 2, b: 20 });
  });
});

describe('Prometheus text', () => {
  const text = [
    '# HELP sms_http_requests_total HTTP requests answered',
    '# TYPE sms_http_requests_total counter',
    'sms_http_requests_total{service="intake",method="POST",route="/v1/messages",status_code="202"} 1200',
    'sms_http_requests_total{service="intake",method="GET",route="/metrics",status_code="200"} 4',
    'sms_http_requests_total_extra{service="x"} 99',
    'sms_sql_statements_total{driver="mysql",method="query"} 7',
    'sms_sql_statements_total{driver="mysql",method="execute"} 5',
    'sms_up 1',
  ].join('\n');

  it('parses labels and values of one metric only', () => {
    expect(promSamples(text, 'sms_http_requests_total')).toHaveLength(2);
    expect(promSamples(text, 'sms_up')).toEqual([{ labels: {}, value: 1 }]);
  });

  it('sums the samples a filter keeps', () => {
    expect(promSum(text, 'sms_sql_statements_total')).toBe(12);
    expect(promSum(text, 'sms_http_requests_total', (l) => l['route'] !== '/metrics')).toBe(1200);
    expect(promSum(text, 'sms_absent_total')).toBe(0);
  });
});

describe('offsetsDelta', () => {
  it('sums the advance of every key, counting new keys from 0 and never a step back', () => {
    expect(offsetsDelta({ 'a/0': 10, 'a/1': 5, 'b/0': 100 }, { 'a/0': 15, 'a/1': 5, 'b/0': 40, 'c/0': 7 })).toBe(12);
  });

  it('treats a committed offset of -1 (none yet) as 0', () => {
    expect(offsetsDelta({ 'g/a/0': -1 }, { 'g/a/0': 9 })).toBe(9);
  });
});

describe('offsetsDeltaBy', () => {
  it('groups the advance by what the key maps to', () => {
    const before = { 'p.a/0': 1, 'p.a/1': 1, 'p.b/0': 0 };
    const after = { 'p.a/0': 4, 'p.a/1': 3, 'p.b/0': 2, 'p.c/0': 0 };
    expect(offsetsDeltaBy(before, after, (k) => k.slice(2, k.indexOf('/')))).toEqual({ a: 5, b: 2, c: 0 });
  });
});

describe('cpuPerMessage', () => {
  it('subtracts the idle use over the window for the net figure', () => {
    // 2 % of a core over 10 s is 200 ms of idle work.
    expect(cpuPerMessage(1200, 2, 10_000, 500)).toEqual({ gross: 2.4, net: 2 });
  });

  it('never goes below zero, and is NaN without messages', () => {
    expect(cpuPerMessage(100, 5, 10_000, 100).net).toBe(0);
    expect(cpuPerMessage(100, 0, 10_000, 0).gross).toBeNaN();
  });
});

describe('endToEndRate', () => {
  it('is messages over the seconds from the first send to the last final', () => {
    expect(endToEndRate(1000, 5_000, 15_000)).toBe(100);
    expect(endToEndRate(10, 5_000, 5_000)).toBeNaN();
  });
});

describe('verdicts', () => {
  const base: ModeFigures = {
    mode: 'distributed',
    sustainedRate: 60,
    halfRateP99: 30,
    cpuMsPerMessage: { intake: 0.5, router: 0.3, kafka: 0.4, simulator: 5, generator: 1 },
    idlePct: { intake: 0.4, router: 0.6 },
    peakRssMb: { intake: 150, router: 120 },
    services: ['intake', 'router'],
  };

  it('sums distributed CPU without the simulator and generator, and misses 1,000/s when it was not offered', () => {
    const checks = verdicts(base, 6000);
    expect(checks[0]).toMatchObject({ measured: '1.20 ms', met: true });
    expect(checks[1]).toMatchObject({ met: false });
    expect(checks[1]?.measured).toMatch(/not offered/);
    expect(checks[2]).toMatchObject({ measured: 'worst router 0.60 %', met: false });
    expect(checks[3]).toMatchObject({ measured: 'worst intake 150 MB', met: true });
  });

  it('passes 1,000/s only at p99 ≤ 25 ms', () => {
    expect(verdicts({ ...base, thousandP99: 25 }, 6000)[1]?.met).toBe(true);
    expect(verdicts({ ...base, thousandP99: 26 }, 6000)[1]?.met).toBe(false);
  });

  it('holds the embedded rate to half of Kannel and its p99 at half rate to 25 ms', () => {
    const embedded: ModeFigures = { ...base, mode: 'embedded', sustainedRate: 3000, halfRateP99: 20 };
    expect(
      verdicts(embedded, 6000)
        .slice(0, 2)
        .map((c) => c.met),
    ).toEqual([true, true]);
    expect(verdicts({ ...embedded, sustainedRate: 2999 }, 6000)[0]?.met).toBe(false);
    expect(verdicts(embedded, Number.NaN)[0]?.met).toBeNull();
  });

  it('gives no idle or RSS verdict when a service was not measured', () => {
    const checks = verdicts({ ...base, idlePct: { intake: 0.1 }, peakRssMb: {} }, 6000);
    expect(checks[2]?.met).toBeNull();
    expect(checks[3]?.met).toBeNull();
  });
});

describe('kannelSentFromStatus', () => {
  it("reads bearerbox's sent count from status.txt", () => {
    const status = 'Status: running\n\nSMS: received 0 (0 queued), sent 13234 (2 queued), store size 0\nSMS: inbound';
    expect(kannelSentFromStatus(status)).toBe(13234);
    expect(kannelSentFromStatus('Status: shutting down')).toBe(0);
  });
});

describe('nothingInFlight', () => {
  it('is true once no message is queued or sending, whatever waits for a receipt or ended unknown', () => {
    expect(nothingInFlight({ delivered: 290, unknown: 8, sent: 2 })).toBe(true);
    expect(nothingInFlight({})).toBe(true);
    expect(nothingInFlight({ delivered: 290, queued: 1 })).toBe(false);
    expect(nothingInFlight({ delivered: 290, sending: 3 })).toBe(false);
  });
});
