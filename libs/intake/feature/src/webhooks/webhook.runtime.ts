import { Logger } from '@nestjs/common';
import {
  type AppConfig,
  OutboundPoster,
  type WebhookSettings,
  type OutboundPolicy,
  outboundPolicyOf,
} from '@sms/platform';
import type { DataSource } from 'typeorm';
import { AccountWebhooks } from './account-webhooks';
import type { InboundAccountResolver } from './inbound-account';
import { WebhookDirectory } from './webhook-directory';
import { WebhookSecretBox } from './webhook-secrets';
import { WebhookDispatcher } from './webhook.dispatcher';
import { WebhookStore } from './webhook.store';

/** Everything account webhooks run on in one intake process. */
export interface WebhookRuntime {
  readonly store: WebhookStore;
  readonly directory: WebhookDirectory;
  readonly dispatcher: WebhookDispatcher;
  readonly events: AccountWebhooks;
  readonly policy: OutboundPolicy;
  readonly poster: OutboundPoster;
}

/** The runtime, or null when WEBHOOK_SECRETS_KEY is not configured (the routes then answer 503). */
export const WEBHOOK_RUNTIME = Symbol('WEBHOOK_RUNTIME');

export function createWebhookRuntime(
  dataSource: DataSource,
  config: AppConfig,
  settings: WebhookSettings,
  inboundAccountOf: InboundAccountResolver,
): WebhookRuntime | null {
  const logger = new Logger('webhooks');
  if (!settings.secretsKey) {
    logger.warn('WEBHOOK_SECRETS_KEY is not set: account webhooks are off (their routes answer 503)');

    return null;
  }
  const box = new WebhookSecretBox(settings.secretsKey);
  const policy = outboundPolicyOf(config);
  const poster = new OutboundPoster(policy);
  const store = new WebhookStore(dataSource, box, settings.retryHours * 3_600_000);
  const directory = new WebhookDirectory(dataSource, (error) =>
    logger.error(`subscription refresh failed: ${String(error)}`),
  );
  const dispatcher = new WebhookDispatcher(dataSource, poster, box, {
    onError: (error) => logger.error(`delivery pass failed: ${String(error)}`),
  });
  const events = new AccountWebhooks(directory, store, inboundAccountOf, () => dispatcher.wake());

  return { store, directory, dispatcher, events, policy, poster };
}
