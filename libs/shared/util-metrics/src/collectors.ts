import { collectDefaultMetrics } from 'prom-client';
import { metrics, metricsRegistry } from './metric-definitions';

/**
 * Gauges that are read when Prometheus scrapes (a backlog count, consumer lag) rather than kept
 * up to date by every write. Each source registers a poll; scrape runs them all with a deadline so
 * one slow database cannot stall /metrics.
 */
export type GaugePoll = () => Promise<void>;

const polls = new Map<string, GaugePoll>();
const POLL_TIMEOUT_MS = 2_000;
/**
 * How often the event-loop lag histogram samples the loop (prom-client's default is 10 ms). Its timer is
 * the one thing that wakes an idle service after the first scrape, so it sets the idle CPU of every
 * process; a stall still shows in full, as the delay of the next sample, at any period.
 */
export const EVENT_LOOP_SAMPLE_MS = 100;
let defaultsCollected = false;

export function registerGaugePoll(name: string, poll: GaugePoll): void {
  polls.set(name, poll);
}

export function unregisterGaugePoll(name: string): void {
  polls.delete(name);
}

async function runPolls(): Promise<void> {
  await Promise.all(
    [...polls].map(async ([name, poll]) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), POLL_TIMEOUT_MS);
      });
      try {
        await Promise.race([poll(), timeout]);
        metrics.metricsPollFailed.set({ poll: name }, 0);
      } catch {
        metrics.metricsPollFailed.set({ poll: name }, 1);
      } finally {
        clearTimeout(timer);
      }
    }),
  );
}

/** The Prometheus text exposition of every metric, after running the scrape-time polls. */
export async function renderMetrics(): Promise<{ readonly contentType: string; readonly body: string }> {
  if (!defaultsCollected) {
    defaultsCollected = true;
    collectDefaultMetrics({
      register: metricsRegistry,
      prefix: 'sms_',
      eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS,
    });
  }
  await runPolls();

  return { contentType: metricsRegistry.contentType, body: await metricsRegistry.metrics() };
}

/** One series of a gauge: its labels and value. */
export interface GaugeSample {
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
}

/**
 * The current series of the named gauges of this process, after the scrape-time polls ran (for the
 * gateway's own evaluation of alert conditions, GET /v1/stats/overview). Unknown names answer no series.
 */
export async function readGauges(names: readonly string[]): Promise<Map<string, GaugeSample[]>> {
  await runPolls();
  const found = new Map<string, GaugeSample[]>();
  for (const name of names) {
    const metric = metricsRegistry.getSingleMetric(name);
    const samples = metric ? (await metric.get()).values : [];
    found.set(
      name,
      samples.map((sample) => ({
        labels: { ...sample.labels } as Record<string, string | number>,
        value: sample.value,
      })),
    );
  }

  return found;
}
