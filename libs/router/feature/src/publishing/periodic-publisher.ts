import { Logger } from '@nestjs/common';

/**
 * A table the router publishes into the KeyValueStore for services that do not own its tables (intake's
 * price book and number owners): published at boot, after every operator change, and again every
 * `intervalMs` so a restarted or flushed Redis has it again within minutes.
 */
export abstract class PeriodicPublisher<T> {
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | null = null;

  protected constructor(
    private readonly what: string,
    private readonly intervalMs: number,
  ) {
    this.logger = new Logger(`router-${what.replace(/ /g, '-')}`);
  }

  abstract publish(): Promise<T>;

  /**
   * Publishes and never throws: the operator's change is committed whether or not Redis answers, and a
   * failed publish is logged and made good by the next periodic one.
   */
  async refresh(): Promise<void> {
    await this.publish().then(
      () => undefined,
      (error: unknown) => this.logger.warn(`${this.what} publish failed: ${String(error)}`),
    );
  }

  /** Publishes now and then periodically. */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }
}
