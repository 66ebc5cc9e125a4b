import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AppConfig } from '@sms/platform';

/** Kept beside the generated API key, readable by the owner only. */
export const WEBHOOK_SECRETS_KEY_FILE = 'webhook-secrets-key';

/**
 * The embedded gateway's WEBHOOK_SECRETS_KEY: the configured one, else one generated on first start and kept
 * in the data folder, so secrets sealed before a restart still open after it. The key never goes into the
 * SQLite files, so a copy of them alone does not reveal any webhook secret.
 */
export function withWebhookSecretsKey(config: AppConfig): AppConfig {
  if (config.WEBHOOK_SECRETS_KEY) {
    return config;
  }
  const file = path.resolve(config.DATA_DIR, WEBHOOK_SECRETS_KEY_FILE);
  let key = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  if (key.length < 32) {
    key = randomBytes(32).toString('hex');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${key}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }

  return Object.assign(Object.create(Object.getPrototypeOf(config) as object) as AppConfig, config, {
    WEBHOOK_SECRETS_KEY: key,
  });
}
