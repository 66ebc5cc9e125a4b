import { Logger } from '@nestjs/common';
import { type SmsProvider } from '@sms/provider-port';
import { type PartGroupStore, parseSmppConfig, SmppSmsProvider } from '@sms/provider-smpp';
import { parseTwilioConfig, TwilioSmsProvider } from '@sms/provider-twilio';
import type { AppConfig } from '@sms/platform';

/** Where the in-process simulator serves each provider's API in the embedded mode. */
export const SIMULATOR_PREFIX = '/sim';

/** Thrown for a provider account id that has no adapter configured in this process. */
export class UnknownProviderError extends Error {
  override readonly name = 'UnknownProviderError';
}

/**
 * Adapters keyed by provider account id (`sms_providers.id`, also the webhook path segment). Built
 * once at boot from validated config; adapters hold no per-request state, so one instance serves
 * every concurrent send. A missing or invalid credential fails the boot, listing every bad key.
 */
export class ProviderRegistry {
  private readonly providers = new Map<string, SmsProvider>();

  register(accountId: string, provider: SmsProvider): void {
    this.providers.set(accountId, provider);
  }

  get(accountId: string): SmsProvider {
    const provider = this.providers.get(accountId);
    if (!provider) {
      throw new UnknownProviderError(`no adapter configured for provider '${accountId}'`);
    }

    return provider;
  }

  has(accountId: string): boolean {
    return this.providers.has(accountId);
  }

  ids(): string[] {
    return [...this.providers.keys()];
  }
}

export function createProviderRegistry(config: AppConfig, shared: PartGroupStore | null = null): ProviderRegistry {
  const registry = new ProviderRegistry();
  const simulatorBase = `http://127.0.0.1:${config.PORT}${SIMULATOR_PREFIX}`;
  const twilioBase = config.TWILIO_BASE_URL || (config.SIMULATOR_ENABLED ? `${simulatorBase}/twilio` : '');
  registry.register(
    'twilio',
    new TwilioSmsProvider(
      parseTwilioConfig({
        TWILIO_ACCOUNT_SID: config.TWILIO_ACCOUNT_SID,
        TWILIO_AUTH_TOKEN: config.TWILIO_AUTH_TOKEN,
        TWILIO_BASE_URL: twilioBase || undefined,
      }),
    ),
  );

  const smpp = createSmppProvider(config, shared);
  if (smpp) {
    registry.register('smpp', smpp);
  }

  return registry;
}

/**
 * The SMPP adapter, when an SMSC is configured (SMPP_HOST) or simulated in-process. It binds lazily on the first
 * send, so processes that only parse receipts (dlr-ingest, dlr-processor) never open a connection.
 */
export function createSmppProvider(config: AppConfig, shared: PartGroupStore | null = null): SmppSmsProvider | null {
  if (!config.SMPP_HOST && !config.SIMULATOR_ENABLED) {
    return null;
  }
  const logger = new Logger('smpp');

  return new SmppSmsProvider(
    parseSmppConfig({
      SMPP_HOST: config.SMPP_HOST || '127.0.0.1',
      SMPP_PORT: String(config.SMPP_HOST ? config.SMPP_PORT : config.SMPP_SIM_PORT || config.SMPP_PORT),
      SMPP_SYSTEM_ID: config.SMPP_SYSTEM_ID,
      SMPP_PASSWORD: config.SMPP_PASSWORD,
      SMPP_BINDS: String(config.SMPP_BINDS),
      SMPP_WINDOW: String(config.SMPP_WINDOW),
      SMPP_ENQUIRE_LINK_MS: String(config.SMPP_ENQUIRE_LINK_MS),
      SMPP_DLR_ID_BASE: config.SMPP_DLR_ID_BASE,
    }),
    { log: (level, message) => logger[level === 'info' ? 'log' : level](message) },
    shared,
  );
}

/** Adapters holding connections (SMPP binds) expose `close`; the registry closes them on shutdown. */
export async function closeProviders(registry: ProviderRegistry): Promise<void> {
  await Promise.all(
    registry.ids().map(async (id) => {
      const provider = registry.get(id);
      if (provider instanceof SmppSmsProvider) {
        await provider.close();
      }
    }),
  );
}
