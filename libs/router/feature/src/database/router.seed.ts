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
 * Simulated Vonage, Sinch and AWS accounts, each the only provider for one country so a message to that
 * country exercises its adapter end to end (Vonage: Sweden, Sinch: Norway, AWS: Finland, SMPP: Denmark); Twilio keeps every
 * other route. Swedish numbers come from the range PTS reserves for fiction (070-17 406 xx).
 */
const SEED_EXTRA_PROVIDERS: readonly {
  id: string;
  name: string;
  numbers: readonly [number: string, country: string, type: string][];
  rates: readonly [country: string, price: string][];
}[] = [
  {
    id: 'vonage',
    name: 'Vonage (simulated in embedded mode)',
    numbers: [['+46701740650', 'SE', 'longcode']],
    rates: [['SE', '0.0650']],
  },
  {
    id: 'sinch',
    name: 'Sinch (simulated in embedded mode)',
    numbers: [['+4791234567', 'NO', 'longcode']],
    rates: [['NO', '0.0600']],
  },
  {
    id: 'aws',
    name: 'AWS End User Messaging SMS (simulated in embedded mode)',
    numbers: [
      ['+358401234567', 'FI', 'longcode'],
      ['+358401234568', 'FI', 'longcode'],
    ],
    rates: [['FI', '0.0650']],
  },
  {
    id: 'smpp',
    name: 'SMPP bind (the simulated SMSC in embedded mode)',
    numbers: [['+4520123450', 'DK', 'longcode']],
    rates: [['DK', '0.0350']],
  },
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
    for (const provider of SEED_EXTRA_PROVIDERS) {
      await manager.insert(ProviderEntity, {
        id: provider.id,
        kind: provider.id,
        name: provider.name,
        active: true,
        createdAt: now,
      });
      await manager.insert(
        PhoneNumberEntity,
        provider.numbers.map(([number, country, type]) => ({
          number,
          providerId: provider.id,
          country,
          type,
          active: true,
          createdAt: now,
        })),
      );
      await manager.insert(
        RouteRateEntity,
        provider.rates.map(([country, price]) => ({ providerId: provider.id, country, price, currency: 'USD' })),
      );
    }
  });

  return true;
}
