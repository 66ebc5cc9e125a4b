import { Logger } from '@nestjs/common';
import { DEFAULT_ACCOUNT_ID } from '@sms/contracts';
import { type KeyValueStore, NUMBER_OWNERS_TTL_MS, type NumberOwners, numberOwnersKey } from '@sms/counters';
import type { DataSource } from 'typeorm';
import { PhoneNumberEntity } from '../database/entities/phone-number.entity';

/** Republished this often as well, so a restarted or flushed Redis has it again within minutes. */
export const NUMBER_OWNERS_REFRESH_MS = 5 * 60 * 1000;

/**
 * Publishes which account owns each pool number (@sms/counters number-owners) for intake, which files
 * inbound messages under the number's account and does not own the router's tables. Numbers of the default
 * account are left out: the shared pool costs nothing to publish. Called at boot, after every operator
 * change and every few minutes.
 */
export class NumberOwnersPublisher {
  private readonly logger = new Logger('router-number-owners');
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly kv: KeyValueStore,
    private readonly namespace: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async publish(): Promise<NumberOwners> {
    const rows = await this.dataSource
      .getRepository(PhoneNumberEntity)
      .createQueryBuilder('n')
      .select(['n.number', 'n.accountId'])
      .where('n.accountId <> :shared', { shared: DEFAULT_ACCOUNT_ID })
      .getMany();
    const directory: NumberOwners = {
      owners: Object.fromEntries(rows.map((row) => [row.number, row.accountId])),
      publishedAt: this.now().toISOString(),
    };
    await this.kv.set(numberOwnersKey(this.namespace), JSON.stringify(directory), NUMBER_OWNERS_TTL_MS);

    return directory;
  }

  /** Publishes and never throws: a failed publish is logged and made good by the next periodic one. */
  async refresh(): Promise<void> {
    await this.publish().then(
      () => undefined,
      (error: unknown) => this.logger.warn(`number owners publish failed: ${String(error)}`),
    );
  }

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), NUMBER_OWNERS_REFRESH_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }
}
