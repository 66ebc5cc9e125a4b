import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type AppConfig, type ProviderKind, withSettings } from '@sms/platform';
import { generateSimulatorAccounts, isSimulatorAccounts, type SimulatorAccounts } from '@sms/simulator';

/** Kept beside the generated API key, readable by the owner only. */
export const SIMULATOR_ACCOUNTS_FILE = 'simulator-accounts.json';

/**
 * The in-process simulator's accounts: generated on first start and kept in the data folder, so a restart
 * verifies the receipts the simulator signed before it (and still queued to be posted) with the same
 * secrets. A file that does not hold a whole set is replaced.
 */
export function ensureSimulatorAccounts(dataDir: string): SimulatorAccounts {
  const file = path.resolve(dataDir, SIMULATOR_ACCOUNTS_FILE);
  if (existsSync(file)) {
    try {
      const stored: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (isSimulatorAccounts(stored)) {
        return stored;
      }
    } catch {
      // unreadable: replaced below
    }
  }
  const accounts = generateSimulatorAccounts();
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(accounts, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);

  return accounts;
}

/**
 * The configuration the gateway's modules see: each provider the in-process simulator stands in for (no
 * base URL / endpoint / SMSC host of its own configured) uses the simulator's generated account, so the
 * adapters sign requests and verify webhooks with what the simulator holds, and a configured real secret
 * never reaches the simulator. A provider aimed elsewhere keeps its configured credentials.
 */
export function withSimulatorAccounts(config: AppConfig, accounts: SimulatorAccounts): AppConfig {
  const { providers } = config;
  const simulated = (kind: ProviderKind): boolean => providers.simulated.includes(kind);
  const smpp = providers.smpp && simulated('smpp') ? { ...providers.smpp, ...accounts.smpp } : providers.smpp;

  return withSettings(config, {
    providers: Object.freeze({
      ...providers,
      twilio: simulated('twilio') ? { ...providers.twilio, ...accounts.twilio } : providers.twilio,
      vonage: simulated('vonage')
        ? {
            ...providers.vonage,
            apiKey: accounts.vonage.apiKey,
            apiSecret: accounts.vonage.apiSecret,
            signatureSecret: accounts.vonage.signatureSecret,
            // The simulator signs with md5hash, Vonage's default; a configured method belongs to the real account.
            signatureMethod: 'md5hash' as const,
          }
        : providers.vonage,
      sinch: simulated('sinch') ? { ...providers.sinch, ...accounts.sinch } : providers.sinch,
      aws: simulated('aws')
        ? {
            ...providers.aws,
            accessKeyId: accounts.aws.accessKeyId,
            secretAccessKey: accounts.aws.secretAccessKey,
          }
        : providers.aws,
      smpp,
    }),
  });
}
