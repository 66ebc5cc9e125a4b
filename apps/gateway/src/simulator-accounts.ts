import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AppConfig } from '@sms/platform';
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
  const overrides: Partial<AppConfig> = {
    ...(!config.TWILIO_BASE_URL && {
      TWILIO_ACCOUNT_SID: accounts.twilio.accountSid,
      TWILIO_AUTH_TOKEN: accounts.twilio.authToken,
    }),
    ...(!config.VONAGE_BASE_URL && {
      VONAGE_API_KEY: accounts.vonage.apiKey,
      VONAGE_API_SECRET: accounts.vonage.apiSecret,
      VONAGE_SIGNATURE_SECRET: accounts.vonage.signatureSecret,
      // The simulator signs with md5hash, Vonage's default; a configured method belongs to the real account.
      VONAGE_SIGNATURE_METHOD: 'md5hash',
    }),
    ...(!config.SINCH_BASE_URL && {
      SINCH_SERVICE_PLAN_ID: accounts.sinch.servicePlanId,
      SINCH_API_TOKEN: accounts.sinch.apiToken,
      SINCH_CALLBACK_SECRET: accounts.sinch.callbackSecret,
    }),
    ...(!config.AWS_SMS_ENDPOINT && {
      AWS_ACCESS_KEY_ID: accounts.aws.accessKeyId,
      AWS_SECRET_ACCESS_KEY: accounts.aws.secretAccessKey,
    }),
    ...(!config.SMPP_HOST && {
      SMPP_SYSTEM_ID: accounts.smpp.systemId,
      SMPP_PASSWORD: accounts.smpp.password,
    }),
  };

  return Object.assign(Object.create(Object.getPrototypeOf(config) as object) as AppConfig, config, overrides);
}
