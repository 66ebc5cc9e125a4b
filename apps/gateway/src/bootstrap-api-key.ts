import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ALL_SCOPES, type ApiKeyService, generateApiKey } from '@sms/auth';
import type { AppConfig } from '@sms/platform';

/**
 * The embedded gateway's key: `SMS_GATEWAY_API_KEY` when set, otherwise one generated on first start
 * and kept in the data folder (readable by the owner only) so it survives restarts. It belongs to the
 * default account (which AuthModule makes sure exists) and holds every scope, `operator` included, so
 * the one printed key can also create accounts and their keys.
 */
export async function ensureBootstrapApiKey(
  config: AppConfig,
  keys: ApiKeyService,
): Promise<{ key: string; source: string }> {
  if (config.auth.bootstrapApiKey) {
    await keys.ensure('bootstrap (SMS_GATEWAY_API_KEY)', config.auth.bootstrapApiKey, ALL_SCOPES);

    return { key: config.auth.bootstrapApiKey, source: 'SMS_GATEWAY_API_KEY' };
  }
  const file = path.resolve(config.database.dataDir, 'gateway-api-key');
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    await keys.ensure('bootstrap (generated)', key, ALL_SCOPES);

    return { key, source: file };
  }
  const key = generateApiKey();
  await keys.ensure('bootstrap (generated)', key, ALL_SCOPES);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);

  return { key, source: file };
}
