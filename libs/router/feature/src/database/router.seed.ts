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
 * Countries routed through the SMPP bind (the simulated SMSC in embedded mode). Sweden only, so the seed's
 * Twilio routes stay as they were; +46 70-174 06 05..99 is Sweden's range for fiction.
 */
const SMPP_SEED_RATES: readonly [country: string, price: string][] = [['SE', '0.0350']];
const SMPP_SEED_NUMBERS: readonly [number: string, country: string, type: string][] = [
  ['+46701740605', 'SE', 'longcode'],
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
      id: 'smpp',
      kind: 'smpp',
      name: 'SMPP bind (simulated SMSC in embedded mode)',
      active: true,
      createdAt: now,
    });
    await manager.insert(
      PhoneNumberEntity,
      SMPP_SEED_NUMBERS.map(([number, country, type]) => ({
        number,
        providerId: 'smpp',
        country,
        type,
        active: true,
        createdAt: now,
      })),
    );
    await manager.insert(
      RouteRateEntity,
      SMPP_SEED_RATES.map(([country, price]) => ({ providerId: 'smpp', country, price, currency: 'USD' })),
    );
  });

  return true;
}
