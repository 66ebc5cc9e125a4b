import type { KafkaBus } from '@sms/bus';

export interface WatchedGroup {
  /** How the bench names it in its report. */
  readonly label: string;
  readonly groupId: string;
  readonly topics: readonly string[];
}

export interface GroupLag {
  /** The most records the group had not committed yet, summed over its partitions, in any sample. */
  readonly max: number;
  /** Sampled at `markEnd()`: the backlog left when the burst's last answer came. */
  readonly atEnd: number | null;
}

/**
 * Samples consumer-group lag from the broker (high watermark minus committed offset, as the services'
 * `sms_consumer_lag` gauge and KEDA see it) every `intervalMs` while a burst runs; docs/performance.md's
 * "Bench hygiene" asks for the lag beside the CPU. A sample costs two small admin requests per group and topic.
 */
export class LagSampler {
  /** Samples the broker could not answer (the lag client has no retries: a busy broker may time it out). */
  failedSamples = 0;
  private readonly max = new Map<string, number>();
  private readonly atEnd = new Map<string, number>();
  private running = true;
  private readonly loop: Promise<void>;
  private endSample: Promise<void> = Promise.resolve();

  constructor(
    private readonly bus: KafkaBus,
    private readonly groups: readonly WatchedGroup[],
    intervalMs = 1_000,
  ) {
    this.loop = this.sampleEvery(intervalMs);
  }

  /** The burst's last answer arrived: sample now, as its end-of-burst figure. */
  markEnd(): void {
    this.endSample = this.sample(true);
  }

  async stop(): Promise<Record<string, GroupLag>> {
    this.running = false;
    await Promise.all([this.loop, this.endSample]);

    return Object.fromEntries(
      this.groups.map(({ label }) => [label, { max: this.max.get(label) ?? 0, atEnd: this.atEnd.get(label) ?? null }]),
    );
  }

  private async sampleEvery(intervalMs: number): Promise<void> {
    while (this.running) {
      await this.sample(false);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }

  private async sample(atEnd: boolean): Promise<void> {
    await Promise.all(
      this.groups.map(async (group) => {
        let total: number;
        try {
          total = (await this.bus.lagOf([group])).reduce((sum, lag) => sum + lag.lag, 0);
        } catch {
          this.failedSamples++;

          return;
        }
        this.max.set(group.label, Math.max(this.max.get(group.label) ?? 0, total));
        if (atEnd) {
          this.atEnd.set(group.label, total);
        }
      }),
    );
  }
}
