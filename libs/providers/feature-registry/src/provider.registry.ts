import { Logger } from '@nestjs/common';
import { AwsSmsProvider } from '@sms/provider-aws';
import { type SmsProvider } from '@sms/provider-port';
import { SinchSmsProvider } from '@sms/provider-sinch';
import { SmppSmsProvider } from '@sms/provider-smpp';
import { TwilioSmsProvider } from '@sms/provider-twilio';
import { VonageSmsProvider } from '@sms/provider-vonage';
import type { ProvidersConfig } from '@sms/platform';

export { SIMULATOR_PREFIX } from '@sms/platform';

/** Thrown for a provider account id that has no adapter configured in this process. */
export class UnknownProviderError extends Error {
  override readonly name = 'UnknownProviderError';
}

/**
 * Adapters keyed by provider account id (`sms_providers.id`, also the webhook path segment). Built
 * once at boot from the validated provider slices; adapters hold no per-request state, so one instance
 * serves every concurrent send.
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

/** One adapter per provider slice of the configuration (`config.providers`, validated at boot). */
export function createProviderRegistry(providers: ProvidersConfig): ProviderRegistry {
  const registry = new ProviderRegistry();
  registry.register('twilio', new TwilioSmsProvider(providers.twilio));
  registry.register('vonage', new VonageSmsProvider(providers.vonage));
  registry.register('sinch', new SinchSmsProvider(providers.sinch));
  registry.register('aws', new AwsSmsProvider(providers.aws));
  const smpp = createSmppProvider(providers);
  if (smpp) {
    registry.register('smpp', smpp);
  }

  return registry;
}

/**
 * The SMPP adapter, when an SMSC is configured (SMPP_HOST) or simulated in-process. It binds lazily on the first
 * send, so processes that only parse receipts (dlr-ingest, dlr-processor) never open a connection.
 */
export function createSmppProvider(providers: ProvidersConfig): SmppSmsProvider | null {
  if (!providers.smpp) {
    return null;
  }
  const logger = new Logger('smpp');

  return new SmppSmsProvider(providers.smpp, {
    log: (level, message) => logger[level === 'info' ? 'log' : level](message),
  });
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
