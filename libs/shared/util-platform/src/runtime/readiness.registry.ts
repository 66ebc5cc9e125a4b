import { Injectable } from '@nestjs/common';

type Check = () => Promise<boolean>;

export interface ReadinessCheckOptions {
  /**
   * True (the default): the process cannot serve its traffic without this dependency, so /readyz answers
   * 503 while it is down and the orchestrator sends the traffic elsewhere. False: shown in /readyz and
   * listed under `degraded` while down, but the process stays ready (intake's API keeps accepting into its
   * outbox while Kafka is away; consumers wait the outage out on their own).
   */
  readonly required?: boolean;
}

export interface ReadinessReport {
  readonly ready: boolean;
  /** Every check by name, required or not. */
  readonly checks: Record<string, boolean>;
  /** Checks that are down but not required for readiness. */
  readonly degraded: string[];
}

/** What `/readyz` asks: each module registers the dependencies it uses, saying which it cannot serve without. */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, { readonly check: Check; readonly required: boolean }>();

  register(name: string, check: Check, options: ReadinessCheckOptions = {}): void {
    this.checks.set(name, { check, required: options.required ?? true });
  }

  async evaluate(timeoutMs = 1500): Promise<Record<string, boolean>> {
    return (await this.report(timeoutMs)).checks;
  }

  async report(timeoutMs = 1500): Promise<ReadinessReport> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, { check, required }]) => {
        const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref());

        return { name, required, up: await Promise.race([check().catch(() => false), timeout]) };
      }),
    );

    return {
      ready: entries.every(({ required, up }) => up || !required),
      checks: Object.fromEntries(entries.map(({ name, up }) => [name, up])),
      degraded: entries.filter(({ required, up }) => !up && !required).map(({ name }) => name),
    };
  }
}
