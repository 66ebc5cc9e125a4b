import { DEFAULT_ACCOUNT_ID } from '@sms/contracts';
import { type KeyValueStore, NUMBER_OWNERS_TTL_MS, type NumberOwners, numberOwnersKey } from '@sms/counters';
import type { DataSource } from 'typeorm';
import { PeriodicPublisher } from '../publishing/periodic-publisher';
import { PhoneNumberEntity } from '../database/entities/phone-number.entity';

/** Republished this often as well, so a restarted or flushed Redis has it again within minutes. */
export const NUMBER_OWNERS_REFRESH_MS = 5 * 60 * 1000;

/**
 * Publishes which account owns each pool number (@sms/counters number-owners) for intake, which files
 * inbound messages under the number's account and does not own the router's tables. Numbers of the default
 * account are left out: the shared pool costs nothing to publish. Called at boot, after every operator
 * change and every few minutes.
 */
export class NumberOwnersPublisher extends PeriodicPublisher<NumberOwners> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly kv: KeyValueStore,
    private readonly namespace: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    super('number owners', NUMBER_OWNERS_REFRESH_MS);
  }

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
}
