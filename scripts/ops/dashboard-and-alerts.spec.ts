import { readFileSync } from 'node:fs';
import path from 'node:path';
import { METRIC_NAMES } from '@sms/metrics';
import { parse } from 'yaml';

const ROOT = path.join(__dirname, '..', '..');
const HISTOGRAM_SUFFIX = /_(bucket|sum|count)$/;

/** Every `sms_*` metric a PromQL expression reads (label values such as topic names are skipped). */
function metricsIn(expr: string): string[] {
  const withoutStrings = expr.replace(/"[^"]*"/g, '""');

  return [...withoutStrings.matchAll(/\bsms_[a-z0-9_]+\b/g)].map((match) => match[0]);
}

const known = (name: string): boolean =>
  METRIC_NAMES.includes(name) ||
  (HISTOGRAM_SUFFIX.test(name) && METRIC_NAMES.includes(name.replace(HISTOGRAM_SUFFIX, '')));

/** Parentheses, brackets and braces balance: catches the commonest broken-query edit without a PromQL parser. */
function balanced(expr: string): boolean {
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  const stack: string[] = [];
  for (const char of expr.replace(/"[^"]*"/g, '""')) {
    if ('([{'.includes(char)) {
      stack.push(char);
    } else if (char in pairs && stack.pop() !== pairs[char]) {
      return false;
    }
  }

  return stack.length === 0;
}

interface Dashboard {
  readonly uid: string;
  readonly panels: { title: string; targets: { expr: string }[] }[];
}
interface Rules {
  readonly groups: {
    name: string;
    rules: { alert: string; expr: string; for?: string; annotations: { summary: string } }[];
  }[];
}

describe('Grafana dashboard and Prometheus alert rules', () => {
  const dashboard = JSON.parse(
    readFileSync(path.join(ROOT, 'deploy/grafana/dashboards/sms-gateway.json'), 'utf8'),
  ) as Dashboard;
  const rules = parse(readFileSync(path.join(ROOT, 'deploy/prometheus/alerts.yml'), 'utf8')) as Rules;
  const panelExprs = dashboard.panels.flatMap((panel) =>
    panel.targets.map((target) => ({ where: panel.title, expr: target.expr })),
  );
  const alertExprs = rules.groups.flatMap((group) =>
    group.rules.map((rule) => ({ where: rule.alert, expr: rule.expr })),
  );

  it('parse, and every query reads only metrics the metrics library defines', () => {
    expect(dashboard.uid).toBe('sms-gateway-overview');
    const problems = [...panelExprs, ...alertExprs].flatMap(({ where, expr }) => [
      ...metricsIn(expr)
        .filter((name) => !known(name))
        .map((name) => `${where}: unknown metric ${name}`),
      ...(balanced(expr) ? [] : [`${where}: unbalanced expression`]),
      ...(metricsIn(expr).length === 0 ? [`${where}: reads no sms_* metric`] : []),
    ]);
    expect(problems).toEqual([]);
  });

  it('the metric check is not vacuous', () => {
    expect(metricsIn('sum(rate(sms_nope_total{topic="sms.dlr.raw.v1"}[5m]))')).toEqual(['sms_nope_total']);
    expect(known('sms_nope_total')).toBe(false);
    expect(known('sms_provider_send_duration_seconds_bucket')).toBe(true);
    expect(balanced('sum(rate(x[5m])')).toBe(false);
  });

  it('chart every metric of the library on the dashboard', () => {
    const charted = new Set(
      panelExprs.flatMap(({ expr }) => metricsIn(expr).map((name) => name.replace(HISTOGRAM_SUFFIX, ''))),
    );
    expect(METRIC_NAMES.filter((name) => !charted.has(name))).toEqual([]);
  });

  it('cover throughput, delivery per provider and country, latency, lag, backlog and cost on the dashboard', () => {
    const all = panelExprs.map(({ expr }) => expr).join('\n');
    expect(all).toMatch(/sum by \(provider\) \(increase\(sms_messages_total\{status="delivered"\}/);
    expect(all).toMatch(/sum by \(country\) \(increase\(sms_messages_total\{status="delivered"\}/);
    for (const metric of [
      'sms_http_request_duration_seconds_bucket',
      'sms_consumer_lag',
      'sms_outbox_backlog',
      'sms_message_cost_total',
    ]) {
      expect(all).toContain(metric);
    }
  });

  it('alert on queue depth, provider error rate over 5%, DLR lag and callback failures', () => {
    const byName = new Map(alertExprs.map(({ where, expr }) => [where, expr]));
    expect(byName.get('SmsConsumerLagHigh')).toMatch(/sms_consumer_lag\) > \d+/);
    expect(byName.get('SmsProviderErrorRateHigh')).toMatch(/outcome!="sent"[\s\S]*> 0\.05/);
    expect(byName.get('SmsDlrProcessingLagHigh')).toContain('sms_dlr_processing_lag_seconds_bucket');
    expect(byName.get('SmsCallbackFailures')).toContain('sms_callback_failures_total');
    for (const rule of rules.groups.flatMap((group) => group.rules)) {
      expect(rule.for).toMatch(/^\d+m$/);
      expect(rule.annotations.summary.length).toBeGreaterThan(10);
    }
  });
});
