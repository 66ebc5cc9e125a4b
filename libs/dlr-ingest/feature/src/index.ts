export * from './dlr-ingest.module';
export { WebhookState } from './database/entities/inbound-webhook.entity';
export { WebhookIngestService, dedupeKeyOf } from './webhooks/webhook-ingest.service';
export { flatHeaders } from './webhooks/request-headers';
export { webhookRoutes, type WebhookRoutesOptions } from './webhooks/webhook-routes';
export { WebhookReplayService } from './replay/webhook-replay.service';
export { RawWebhookPurger } from './retention/raw-webhook.purger';
export { WebhookPublisher } from './webhooks/webhook-publisher';
