import { inTransaction } from '@sms/persistence';
import type { DataSource } from 'typeorm';
import { PhoneNumberEntity } from './entities/phone-number.entity';
import { ProviderEntity } from './entities/provider.entity';
import { RouteRateEntity } from './entities/route-rate.entity';

/**
 * A starting pool so a fresh gateway routes to several countries through the simulated Twilio
 * account. Only written into empty tables; operators change it afterwards. Sender numbers use
 * ranges reserved for fiction/drama where a country has one.
 */
const SEED_RATES: readonly [country: string, price: string][] = [
  ['US', '0.0079'],
  ['CA', '0.0079'],
  ['GB', '0.0400'],
  ['IE', '0.0700'],
  ['DE', '0.0800'],
  ['FR', '0.0750'],
  ['ES', '0.0800'],
  ['IT', '0.0850'],
  ['NL', '0.0900'],
  ['AU', '0.0500'],
  ['IN', '0.0080'],
  ['BR', '0.0300'],
  ['NG', '0.1200'],
  ['JP', '0.0750'],
];

const SEED_NUMBERS: readonly [number: string, country: string, type: string][] = [
  ['+12025550142', 'US', 'longcode'],
  ['+12025550143', 'US', 'longcode'],
  ['+447700900999', 'GB', 'longcode'],
  ['+447700900998', 'GB', 'longcode'],
  ['+4915510000001', 'DE', 'longcode'],
  ['ACME', 'GB', 'alphanumeric'],
];

/**
 * The simulated AWS End User Messaging account serves Sweden only, so some traffic exercises a second
 * provider out of the box. Swedish numbers come from the range PTS reserves for fiction (070-17 406 xx).
 */
const SEED_AWS_RATES: readonly [country: string, price: string][] = [['SE', '0.0650']];

const SEED_AWS_NUMBERS: readonly [number: string, country: string, type: string][] = [
  ['+46701740605', 'SE', 'longcode'],
  ['+46701740606', 'SE', 'longcode'],
];

export async function seedRouterIfEmpty(dataSource: DataSource, now: Date = new Date()): Promise<boolean> {
  const providers = dataSource.getRepository(ProviderEntity);
  if ((await providers.count()) > 0) {
    return false;
  }
  await inTransaction(dataSource, async (manager) => {
    await manager.insert(ProviderEntity, {
      id: 'twilio',
      kind: 'twilio',
      name: 'Twilio (simulated in embedded mode)',
      active: true,
      createdAt: now,
    });
    await manager.insert(
      PhoneNumberEntity,
      SEED_NUMBERS.map(([number, country, type]) => ({
        number,
        providerId: 'twilio',
        country,
        type,
        active: true,
        createdAt: now,
      })),
    );
    await manager.insert(
      RouteRateEntity,
      SEED_RATES.map(([country, price]) => ({ providerId: 'twilio', country, price, currency: 'USD' })),
    );
    await manager.insert(ProviderEntity, {
      id: 'aws',
      kind: 'aws',
      name: 'AWS End User Messaging SMS (simulated in embedded mode)',
      active: true,
      createdAt: now,
    });
    await manager.insert(
      PhoneNumberEntity,
      SEED_AWS_NUMBERS.map(([number, country, type]) => ({
        number,
        providerId: 'aws',
        country,
        type,
        active: true,
        createdAt: now,
      })),
    );
    await manager.insert(
      RouteRateEntity,
      SEED_AWS_RATES.map(([country, price]) => ({ providerId: 'aws', country, price, currency: 'USD' })),
    );
  });

  return true;
}
