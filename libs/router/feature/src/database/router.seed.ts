import { inTransaction } from '@sms/persistence';
import type { DataSource } from 'typeorm';
import { CountryRuleEntity, type SenderIdPolicy } from './entities/country-rule.entity';
import {
  DEFAULT_SEGMENTS_PER_SECOND,
  type NumberCapability,
  PhoneNumberEntity,
  type SenderType,
} from './entities/phone-number.entity';
import { ProviderEntity } from './entities/provider.entity';
import { RouteRateEntity } from './entities/route-rate.entity';

/**
 * A starting pool so a fresh gateway routes to several countries, with more than one provider per
 * country so failover has somewhere to go. Only written into empty tables; operators change it
 * afterwards. Every sender number is valid under libphonenumber's max metadata, the rule intake applies
 * to `from` and `to`: a number in a fiction/drama range (Ofcom's 07700 900xxx) would be refused as a
 * sender, so the opt-out confirmations sent from it would be lost (router.seed.spec.ts checks them).
 *
 * Every provider the gateway knows gets a row; `seedRouterIfEmpty` marks active only those that have
 * an adapter in this process (when it is told which), so a fresh embedded gateway never routes to a
 * provider it cannot call.
 */
const SEED_PROVIDERS: readonly [id: string, name: string][] = [
  ['twilio', 'Twilio (simulated in embedded mode)'],
  ['vonage', 'Vonage (simulated in embedded mode)'],
  ['sinch', 'Sinch (simulated in embedded mode)'],
  ['aws', 'AWS End User Messaging SMS (simulated in embedded mode)'],
  ['smpp', 'SMPP bind (simulated SMSC in embedded mode)'],
];

/**
 * country → provider → price per segment (USD). Twilio stays the cheapest everywhere, so a gateway
 * with more adapters keeps its old default route and the others are the failover.
 */
const SEED_RATES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  US: { twilio: '0.0079', aws: '0.0081', sinch: '0.0085', vonage: '0.0090' },
  CA: { twilio: '0.0079', aws: '0.0081', vonage: '0.0095' },
  GB: { twilio: '0.0400', vonage: '0.0420', sinch: '0.0450', smpp: '0.0410' },
  IE: { twilio: '0.0700', vonage: '0.0720' },
  DE: { twilio: '0.0800', vonage: '0.0820', sinch: '0.0850' },
  FR: { twilio: '0.0750', sinch: '0.0760', smpp: '0.0770' },
  ES: { twilio: '0.0800', vonage: '0.0820' },
  IT: { twilio: '0.0850', sinch: '0.0870' },
  NL: { twilio: '0.0900', vonage: '0.0920' },
  AU: { twilio: '0.0500', aws: '0.0520' },
  IN: { twilio: '0.0080', aws: '0.0085' },
  BR: { twilio: '0.0300', sinch: '0.0310' },
  NG: { twilio: '0.1200', vonage: '0.1250' },
  JP: { twilio: '0.0750', aws: '0.0800' },
  // One provider only, so a message there exercises that adapter end to end (the adapters' e2e tests).
  SE: { vonage: '0.0650' },
  NO: { sinch: '0.0600' },
  FI: { aws: '0.0650' },
  DK: { smpp: '0.0350' },
};

export const SEED_NUMBERS: readonly [
  number: string,
  provider: string,
  country: string,
  type: SenderType,
  caps?: string,
][] = [
  ['+12025550142', 'twilio', 'US', 'longcode'],
  ['+12025550143', 'twilio', 'US', 'longcode'],
  ['+18885550100', 'twilio', 'US', 'tollfree'],
  ['55501', 'twilio', 'US', 'shortcode'],
  ['+447400900999', 'twilio', 'GB', 'longcode'],
  ['+447400900998', 'twilio', 'GB', 'longcode'],
  ['+4915510000001', 'twilio', 'DE', 'longcode'],
  ['ACME', 'twilio', 'GB', 'alphanumeric'],
  ['+12025550150', 'twilio', 'US', 'longcode', 'sms,two_way,masking'],
  ['+12025550151', 'twilio', 'US', 'longcode', 'sms,two_way,masking'],
  ['+447400900990', 'twilio', 'GB', 'longcode', 'sms,two_way,masking'],
  ['+447400900991', 'twilio', 'GB', 'longcode', 'sms,two_way,masking'],
  // The masking service's default pool (MASK_POOL_NUMBERS): never picked for ordinary traffic.
  ['+12025550160', 'twilio', 'US', 'longcode', 'sms,two_way,masking'],
  ['+12025550161', 'twilio', 'US', 'longcode', 'sms,two_way,masking'],
  ['+12025550162', 'twilio', 'US', 'longcode', 'sms,two_way,masking'],
  ['+12025550165', 'vonage', 'US', 'longcode'],
  ['+447400900900', 'vonage', 'GB', 'longcode'],
  ['+447400900901', 'vonage', 'GB', 'longcode'],
  ['+4915510000010', 'vonage', 'DE', 'longcode'],
  ['+12025550170', 'sinch', 'US', 'longcode'],
  ['+447400900800', 'sinch', 'GB', 'longcode'],
  ['+33612345601', 'sinch', 'FR', 'longcode'],
  ['+12025550180', 'aws', 'US', 'longcode'],
  ['+18885550180', 'aws', 'US', 'tollfree'],
  ['+61491570110', 'aws', 'AU', 'longcode'],
  ['+447400900700', 'smpp', 'GB', 'longcode'],
  ['+33612345602', 'smpp', 'FR', 'longcode'],
  // Sweden's range for fiction (070-17 406 xx); Norway, Finland and Denmark from test-safe ranges.
  ['+46701740650', 'vonage', 'SE', 'longcode'],
  ['+4791234567', 'sinch', 'NO', 'longcode'],
  ['+358401234567', 'aws', 'FI', 'longcode'],
  ['+358401234568', 'aws', 'FI', 'longcode'],
  ['+4520123450', 'smpp', 'DK', 'longcode'],
];

const SEED_SEGMENTS_PER_SECOND = 50;

const SEED_RULES: readonly [
  country: string,
  types: SenderType[],
  senderIds: SenderIdPolicy,
  localNumberRequired: boolean,
  blocked: boolean,
][] = [
  // US/CA A2P: local long codes, toll-free or short codes only; no alphanumeric sender IDs.
  ['US', ['longcode', 'tollfree', 'shortcode'], 'forbidden', true, false],
  ['CA', ['longcode', 'tollfree', 'shortcode'], 'forbidden', true, false],
  // India: only registered (DLT) sender IDs.
  ['IN', [], 'registration', false, false],
  // Embargoed destination: refused outright.
  ['KP', [], 'forbidden', false, true],
];

export interface SeedOptions {
  readonly now?: Date;
  /** Whether this process can call the provider; providers it cannot are seeded inactive. */
  readonly canSendThrough?: (providerId: string) => boolean;
}

export async function seedRouterIfEmpty(dataSource: DataSource, options: SeedOptions = {}): Promise<boolean> {
  const now = options.now ?? new Date();
  const canSend = options.canSendThrough ?? (() => true);
  const providers = dataSource.getRepository(ProviderEntity);
  if ((await providers.count()) > 0) {
    return false;
  }
  await inTransaction(dataSource, async (manager) => {
    await manager.insert(
      ProviderEntity,
      SEED_PROVIDERS.map(([id, name]) => ({ id, kind: id, name, active: canSend(id), createdAt: now })),
    );
    await manager.insert(
      PhoneNumberEntity,
      SEED_NUMBERS.map(([number, providerId, country, type, caps]) => ({
        number,
        providerId,
        country,
        type,
        capabilities: (caps ?? 'sms').split(',') as NumberCapability[],
        monthlyCost: type === 'shortcode' ? '1000.00' : '1.15',
        // Simulated numbers have no carrier behind them: a demo burst should not queue for minutes
        // behind a 1/s long code. Real pools get their carrier's figure (or the type's default).
        segmentsPerSecond: Math.max(DEFAULT_SEGMENTS_PER_SECOND[type], SEED_SEGMENTS_PER_SECOND),
        active: true,
        createdAt: now,
      })),
    );
    await manager.insert(
      RouteRateEntity,
      Object.entries(SEED_RATES).flatMap(([country, prices]) =>
        Object.entries(prices).map(([providerId, price]) => ({
          providerId,
          country,
          prefix: '',
          price,
          currency: 'USD',
        })),
      ),
    );
    await manager.insert(
      CountryRuleEntity,
      SEED_RULES.map(([country, allowedSenderTypes, senderIdPolicy, localNumberRequired, blocked]) => ({
        country,
        allowedSenderTypes,
        senderIdPolicy,
        localNumberRequired,
        blocked,
        updatedAt: now,
      })),
    );
  });

  return true;
}
