import { Logger } from '@nestjs/common';
import { AwsSmsProvider, DEFAULT_SNS_CERT_URL_ALLOW, parseAwsConfig } from '@sms/provider-aws';
import { type SmsProvider } from '@sms/provider-port';
import { parseSinchConfig, SinchSmsProvider } from '@sms/provider-sinch';
import { parseSmppConfig, SmppSmsProvider } from '@sms/provider-smpp';
import { parseTwilioConfig, TwilioSmsProvider } from '@sms/provider-twilio';
import { parseVonageConfig, VonageSmsProvider } from '@sms/provider-vonage';
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

export function createProviderRegistry(config: AppConfig): ProviderRegistry {
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
  const vonageBase = config.VONAGE_BASE_URL || (config.SIMULATOR_ENABLED ? `${simulatorBase}/vonage` : '');
  registry.register(
    'vonage',
    new VonageSmsProvider(
      parseVonageConfig({
        VONAGE_API_KEY: config.VONAGE_API_KEY,
        VONAGE_API_SECRET: config.VONAGE_API_SECRET,
        VONAGE_SIGNATURE_SECRET: config.VONAGE_SIGNATURE_SECRET,
        VONAGE_SIGNATURE_METHOD: config.VONAGE_SIGNATURE_METHOD,
        VONAGE_BASE_URL: vonageBase || undefined,
      }),
    ),
  );
  const sinchBase = config.SINCH_BASE_URL || (config.SIMULATOR_ENABLED ? `${simulatorBase}/sinch` : '');
  registry.register(
    'sinch',
    new SinchSmsProvider(
      parseSinchConfig({
        SINCH_SERVICE_PLAN_ID: config.SINCH_SERVICE_PLAN_ID,
        SINCH_API_TOKEN: config.SINCH_API_TOKEN,
        SINCH_CALLBACK_SECRET: config.SINCH_CALLBACK_SECRET,
        SINCH_BASE_URL: sinchBase || undefined,
      }),
    ),
  );
  registry.register('aws', createAwsProvider(config, simulatorBase));

  const smpp = createSmppProvider(config);
  if (smpp) {
    registry.register('smpp', smpp);
  }

  return registry;
}

/**
 * AWS End User Messaging SMS (or SNS Publish). With the simulator enabled and no endpoint configured, the
 * adapter talks to the in-process simulator and also accepts SNS certificates served by it; a real deployment
 * keeps the AWS-only certificate allow-list.
 */
function createAwsProvider(config: AppConfig, simulatorBase: string): AwsSmsProvider {
  const useSimulator = config.SIMULATOR_ENABLED && !config.AWS_SMS_ENDPOINT;
  const simulatorAws = `${simulatorBase}/aws`;
  const allow =
    config.AWS_SNS_CERT_URL_ALLOW ||
    (useSimulator ? `${DEFAULT_SNS_CERT_URL_ALLOW}|^${escapeRegex(simulatorAws)}/` : DEFAULT_SNS_CERT_URL_ALLOW);

  return new AwsSmsProvider(
    parseAwsConfig({
      AWS_REGION: config.AWS_REGION,
      AWS_ACCESS_KEY_ID: config.AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: config.AWS_SECRET_ACCESS_KEY,
      AWS_SMS_ENDPOINT: config.AWS_SMS_ENDPOINT || (useSimulator ? simulatorAws : undefined),
      AWS_SMS_MODE: config.AWS_SMS_MODE,
      AWS_CONFIGURATION_SET: config.AWS_CONFIGURATION_SET,
      AWS_ORIGINATION_IDENTITY: config.AWS_ORIGINATION_IDENTITY,
      AWS_SNS_CERT_URL_ALLOW: allow,
      AWS_SNS_TOPIC_ARNS: config.AWS_SNS_TOPIC_ARNS,
    }),
  );
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The SMPP adapter, when an SMSC is configured (SMPP_HOST) or simulated in-process. It binds lazily on the first
 * send, so processes that only parse receipts (dlr-ingest, dlr-processor) never open a connection.
 */
export function createSmppProvider(config: AppConfig): SmppSmsProvider | null {
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
      SMPP_SMSC_FAMILY: config.SMPP_SMSC_FAMILY,
      SMPP_RECEIPT_ERROR_CLASSES: config.SMPP_RECEIPT_ERROR_CLASSES,
    }),
    { log: (level, message) => logger[level === 'info' ? 'log' : level](message) },
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
