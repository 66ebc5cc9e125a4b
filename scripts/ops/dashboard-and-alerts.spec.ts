import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { METRIC_NAMES } from '@sms/metrics';
import { parse, parseAllDocuments } from 'yaml';
import { consumerGroups } from './consumer-groups';

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

/**
 * Every replica of a per-process reader group, and two processes during a leader handover, export the same
 * partition of sms_consumer_lag: an expression must take the max per partition before adding partitions up.
 */
function lagSummedOverReplicas(expr: string): boolean {
  return (
    expr.includes('sms_consumer_lag') &&
    !expr.startsWith('absent(') &&
    !/max by \(group, topic, partition\) \(sms_consumer_lag[{)]/.test(expr)
  );
}

/** Each replica counts the same outbox table (only the dlr_spool series is per process): never sum those. */
function sharedBacklogSummed(expr: string): boolean {
  return /\b(sum|avg)\b(\s*by\s*\([^)]*\))?\s*\(sms_outbox_backlog(\)|\{outbox!=)/.test(expr);
}

interface Dashboard {
  readonly uid: string;
  readonly panels: { title: string; targets: { expr: string }[] }[];
}
interface Rules {
  readonly groups: {
    name: string;
    rules: {
      alert: string;
      expr: string;
      for?: string;
      labels: Record<string, string>;
      annotations: { summary: string };
    }[];
  }[];
}
interface RuleTests {
  readonly rule_files: string[];
  readonly tests: { name: string; alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
}
/** Availability rules read Prometheus' own `up` of the gateway's scrape job, not an sms_* metric. */
const UP = /\bup\{job="sms-gateway"/;

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
      ...(metricsIn(expr).length === 0 && !UP.test(expr) ? [`${where}: reads no sms_* metric`] : []),
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
    expect(byName.get('SmsConsumerLagHigh')).toMatch(/max by \(group, topic, partition\) \(sms_consumer_lag\)\) > \d+/);
    expect(byName.get('SmsProviderErrorRateHigh')).toMatch(/outcome!="sent"[\s\S]*> 0\.05/);
    expect(byName.get('SmsDlrProcessingLagHigh')).toContain('sms_dlr_processing_lag_seconds_bucket');
    expect(byName.get('SmsCallbackFailures')).toContain('sms_callback_failures_total');
    for (const rule of rules.groups.flatMap((group) => group.rules)) {
      expect(rule.for).toMatch(/^\d+m$/);
      expect(rule.annotations.summary.length).toBeGreaterThan(10);
    }
  });

  it('never add up lag or a shared backlog over replicas: max per partition or per table first', () => {
    const problems = [...panelExprs, ...alertExprs].flatMap(({ where, expr }) => [
      ...(lagSummedOverReplicas(expr) ? [`${where}: sms_consumer_lag not taken per partition first`] : []),
      ...(sharedBacklogSummed(expr) ? [`${where}: sums a shared backlog`] : []),
    ]);
    expect(problems).toEqual([]);
    // The expressions that paged at 6000 on 2,000 and charted three times an outbox.
    expect(lagSummedOverReplicas('sum by (group, topic) (sms_consumer_lag) > 5000')).toBe(true);
    expect(lagSummedOverReplicas('sum by (group) (sms_consumer_lag{topic="sms.dlr.raw.v1"}) > 2000')).toBe(true);
    expect(sharedBacklogSummed('sum by (outbox) (sms_outbox_backlog)')).toBe(true);
    expect(sharedBacklogSummed('sum(sms_outbox_backlog{outbox!="x"})')).toBe(true);
  });

  it('have a promtool unit test that fires every alert', () => {
    const tests = parse(readFileSync(path.join(ROOT, 'deploy/prometheus/alerts.test.yml'), 'utf8')) as RuleTests;
    expect(tests.rule_files).toEqual(['alerts.yml']);
    const fired = new Set(
      tests.tests.flatMap((test) =>
        (test.alert_rule_test ?? []).filter((t) => t.exp_alerts.length > 0).map((t) => t.alertname),
      ),
    );
    const alerts = [...new Set(alertExprs.map(({ where }) => where))];
    expect(alerts.filter((alert) => !fired.has(alert))).toEqual([]);
    // The case that used to page at "6000 records behind" on 2,000 records read by three replicas.
    const quiet = tests.tests.find((test) => test.name.startsWith('three replicas'));
    expect(quiet?.alert_rule_test).toContainEqual({
      eval_time: '15m',
      alertname: 'SmsConsumerLagHigh',
      exp_alerts: [],
    });
  });

  it('page when no replica of a Deployment answers, and label every target with its service in both scrape configs', () => {
    const deployments = readdirSync(path.join(ROOT, 'k8s/base/services'))
      .flatMap((file) =>
        parseAllDocuments(readFileSync(path.join(ROOT, 'k8s/base/services', file), 'utf8')).map(
          (doc) => doc.toJSON() as { kind: string; metadata: { name: string } },
        ),
      )
      .filter((doc) => doc.kind === 'Deployment')
      .map((doc) => doc.metadata.name)
      .sort();
    const rulesNamed = (alert: string) =>
      rules.groups.flatMap((group) => group.rules).filter((rule) => rule.alert === alert);
    const serviceDown = rulesNamed('SmsServiceDown');
    expect(serviceDown.map((rule) => rule.labels['service']).sort()).toEqual(deployments);
    for (const rule of serviceDown) {
      expect(rule.expr).toBe(`absent(up{job="sms-gateway", service="${rule.labels['service']}"} == 1)`);
    }

    const compose = parse(readFileSync(path.join(ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: { job_name: string; static_configs: { labels: { service: string } }[] }[];
    };
    expect(compose.scrape_configs.map((config) => config.job_name)).toEqual(['sms-gateway']);
    const labelled = compose.scrape_configs[0]?.static_configs.map((config) => config.labels.service).sort();
    expect(labelled).toEqual(deployments);
    const kubernetes = parse(readFileSync(path.join(ROOT, 'deploy/prometheus/prometheus-kubernetes.yml'), 'utf8')) as {
      scrape_configs: { job_name: string; relabel_configs: { source_labels: string[]; target_label?: string }[] }[];
    };
    expect(kubernetes.scrape_configs.map((config) => config.job_name)).toEqual(['sms-gateway']);
    expect(kubernetes.scrape_configs[0]?.relabel_configs).toContainEqual({
      source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'],
      target_label: 'service',
    });
  });

  it('page when nobody exports the lag of a consumer group, for every group the code subscribes', () => {
    const silent = rules.groups
      .flatMap((group) => group.rules)
      .filter((rule) => rule.alert === 'SmsConsumerGroupSilent');
    for (const rule of silent) {
      expect(rule.expr).toBe(`absent(sms_consumer_lag{group="${rule.labels['group']}"})`);
    }
    const labels = consumerGroups().map((group) => group.label);
    expect(labels).toContain('router-health');
    expect(silent.map((rule) => rule.labels['group']).sort()).toEqual([...labels].sort());
  });
});
