export * from './dlr-ingest.module';
export { WebhookState } from './database/entities/inbound-webhook.entity';
export { WebhookIngestService, dedupeKeyOf } from './webhooks/webhook-ingest.service';
export { flatHeaders } from './webhooks/request-headers';
export { WebhooksController } from './webhooks/webhooks.controller';
export { WebhookReplayService } from './replay/webhook-replay.service';
export { RawWebhookPurger } from './retention/raw-webhook.purger';
export { WebhookPublisher } from './webhooks/webhook-publisher';
