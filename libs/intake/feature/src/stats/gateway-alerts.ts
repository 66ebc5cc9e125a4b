import type { GaugeSample } from '@sms/metrics';

export interface FiringAlert {
  /** The name of the matching rule in deploy/prometheus/alerts.yml. */
  readonly name: string;
  readonly severity: 'page' | 'ticket';
  readonly summary: string;
  /** When this process first saw the condition hold, since it last did not. */
  readonly since: string;
}

type Gauges = ReadonlyMap<string, readonly GaugeSample[]>;

interface Condition {
  readonly name: string;
  readonly severity: 'page' | 'ticket';
  /** One entry per firing series: a key that tells series apart and its summary. */
  readonly firing: (gauges: Gauges) => { key: string; summary: string }[];
}

const label = (sample: GaugeSample, name: string): string => String(sample.labels[name] ?? '');

/** Sums `samples` by the labels named, taking the max per partition first (a lag exported twice in a handover). */
function sumOfMaxPerPartition(samples: readonly GaugeSample[], by: readonly string[]): Map<string, number> {
  const perPartition = new Map<string, number>();
  for (const sample of samples) {
    const key = [...by.map((name) => label(sample, name)), label(sample, 'partition')].join('\u0000');
    perPartition.set(key, Math.max(perPartition.get(key) ?? 0, sample.value));
  }
  const sums = new Map<string, number>();
  for (const [key, value] of perPartition) {
    const group = key.split('\u0000').slice(0, by.length).join('\u0000');
    sums.set(group, (sums.get(group) ?? 0) + value);
  }

  return sums;
}

/**
 * The alert conditions a process can evaluate from its own gauges, with the thresholds of
 * deploy/prometheus/alerts.yml (without their `for:` delays: this is the state now). SmsNoRoute reads the
 * queued-without-route gauge where Prometheus reads the counter's increase.
 */
export const ALERT_CONDITIONS: readonly Condition[] = [
  {
    name: 'SmsConsumerLagHigh',
    severity: 'page',
    firing: (gauges) =>
      [...sumOfMaxPerPartition(gauges.get('sms_consumer_lag') ?? [], ['group', 'topic'])]
        .filter(([, lag]) => lag > 5000)
        .map(([key, lag]) => {
          const [group, topic] = key.split('\u0000');

          return { key, summary: `Consumer group ${group} is ${lag} records behind on ${topic}` };
        }),
  },
  {
    name: 'SmsBusPartitionPaused',
    severity: 'page',
    firing: (gauges) =>
      (gauges.get('sms_bus_partitions_paused') ?? [])
        .filter((sample) => sample.value > 0)
        .map((sample) => ({
          key: label(sample, 'topic'),
          summary: `${sample.value} partitions of ${label(sample, 'topic')} paused on an infrastructure error`,
        })),
  },
  {
    name: 'SmsOutboxBacklogHigh',
    severity: 'page',
    firing: (gauges) =>
      (gauges.get('sms_outbox_backlog') ?? [])
        .filter((sample) => sample.value > 1000)
        .map((sample) => ({
          key: label(sample, 'outbox'),
          summary: `Outbox ${label(sample, 'outbox')} holds ${sample.value} unpublished records`,
        })),
  },
  {
    name: 'SmsRetryBacklogDue',
    severity: 'ticket',
    firing: (gauges) =>
      (gauges.get('sms_retry_due') ?? [])
        .filter((sample) => sample.value > 500)
        .map((sample) => ({
          key: '',
          summary: `${sample.value} messages are past their retry time and not republished`,
        })),
  },
  {
    name: 'SmsNoRoute',
    severity: 'ticket',
    firing: (gauges) =>
      (gauges.get('sms_queued_no_route') ?? [])
        .filter((sample) => sample.value > 0)
        .map((sample) => ({
          key: label(sample, 'country'),
          summary: `${sample.value} messages to ${label(sample, 'country')} wait for a provider`,
        })),
  },
  {
    name: 'SmsProviderUnhealthy',
    severity: 'ticket',
    firing: (gauges) =>
      (gauges.get('sms_provider_health') ?? [])
        .filter((sample) => sample.value === 0)
        .map((sample) => ({
          key: label(sample, 'provider'),
          summary: `The router skips provider ${label(sample, 'provider')}`,
        })),
  },
];

export const ALERT_GAUGES: readonly string[] = [
  'sms_consumer_lag',
  'sms_bus_partitions_paused',
  'sms_outbox_backlog',
  'sms_retry_due',
  'sms_queued_no_route',
  'sms_provider_health',
];

/** How long one evaluation is reused: the polls behind it count database rows and ask Kafka for offsets. */
const EVALUATION_TTL_MS = 15_000;

/**
 * The alerts firing now, as this process sees them; evaluated at most once per {@link EVALUATION_TTL_MS}
 * however many consoles ask, and remembering since when each has held.
 */
export class GatewayAlerts {
  private readonly firingSince = new Map<string, number>();
  private last: { at: number; alerts: Promise<FiringAlert[]> } | null = null;

  constructor(
    private readonly read: (names: readonly string[]) => Promise<Gauges>,
    private readonly now: () => number = Date.now,
  ) {}

  firing(): Promise<FiringAlert[]> {
    const now = this.now();
    if (this.last === null || now - this.last.at >= EVALUATION_TTL_MS) {
      // A failed evaluation (a poll's database down) shows no alerts until the next one, not an error page.
      this.last = { at: now, alerts: this.evaluate(now).catch(() => []) };
    }

    return this.last.alerts;
  }

  private async evaluate(now: number): Promise<FiringAlert[]> {
    const gauges = await this.read(ALERT_GAUGES);
    const alerts: FiringAlert[] = [];
    const seen = new Set<string>();
    for (const condition of ALERT_CONDITIONS) {
      for (const { key, summary } of condition.firing(gauges)) {
        const id = `${condition.name}\u0000${key}`;
        seen.add(id);
        const since = this.firingSince.get(id) ?? now;
        this.firingSince.set(id, since);
        alerts.push({
          name: condition.name,
          severity: condition.severity,
          summary,
          since: new Date(since).toISOString(),
        });
      }
    }
    for (const id of [...this.firingSince.keys()]) {
      if (!seen.has(id)) {
        this.firingSince.delete(id);
      }
    }

    return alerts;
  }
}
