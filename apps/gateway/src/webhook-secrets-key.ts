import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type AppConfig, withSettings } from '@sms/platform';

/** Kept beside the generated API key, readable by the owner only. */
export const WEBHOOK_SECRETS_KEY_FILE = 'webhook-secrets-key';
export const PRIVACY_SALT_FILE = 'privacy-salt';

/**
 * The embedded gateway's WEBHOOK_SECRETS_KEY: the configured one, else one generated on first start and kept
 * in the data folder, so secrets sealed before a restart still open after it. The key never goes into the
 * SQLite files, so a copy of them alone does not reveal any webhook secret.
 */
export const withWebhookSecretsKey = (config: AppConfig): AppConfig =>
  config.intake.webhooks.secretsKey
    ? config
    : withSettings(config, {
        intake: Object.freeze({
          ...config.intake,
          webhooks: Object.freeze({
            ...config.intake.webhooks,
            secretsKey: generatedSecret(config, WEBHOOK_SECRETS_KEY_FILE),
          }),
        }),
      });

/**
 * The embedded gateway's PRIVACY_SALT, kept the same way: the same salt after a restart, so an erased person's
 * opt-out still matches; outside the SQLite files, so a copy of them cannot test numbers against the tokens.
 * Generated rather than derived from another secret: rotating that secret must not change the erasure tokens.
 */
export const withPrivacySalt = (config: AppConfig): AppConfig =>
  config.privacy.salt
    ? config
    : withSettings(config, { privacy: Object.freeze({ salt: generatedSecret(config, PRIVACY_SALT_FILE) }) });

/** The secret kept in `fileName` of the data folder, generated there on first use. */
function generatedSecret(config: AppConfig, fileName: string): string {
  const file = path.resolve(config.database.dataDir, fileName);
  let key = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  if (key.length < 32) {
    key = randomBytes(32).toString('hex');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${key}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }

  return key;
}
