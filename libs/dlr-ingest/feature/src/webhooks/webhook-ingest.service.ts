import { metrics } from '@sms/metrics';
import { TOPICS, type WebhookStoredV1 } from '@sms/contracts';
import { enqueueOutbox, type OutboxRow, inTransaction } from '@sms/persistence';
import type { RawWebhook } from '@sms/provider-port';
import type { ProviderRegistry } from '@sms/providers';
import { v7 as uuidv7 } from 'uuid';
import type { DataSource, EntitySchema } from 'typeorm';
import { InboundWebhookEntity } from '../database/entities/inbound-webhook.entity';

export type WebhookKind = 'status' | 'inbound';

/** Headers worth keeping: signatures, idempotency tokens and content negotiation, nothing else. */
const KEPT_HEADERS =
  /^(content-type|user-agent|x-twilio-signature|i-twilio-idempotency-token|x-sinch-.*|x-amz-sns-.*|authorization-present)$/i;

export interface IngestResult {
  readonly id: string;
  readonly verified: boolean;
}

/**
 * Stores a provider webhook raw, with its verification result, and (when verified) queues its
 * publication in the same transaction. Parsing happens later in dlr-processor, so this path stays
 * a single insert and answers the provider within milliseconds.
 */
export class WebhookIngestService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: EntitySchema<OutboxRow>,
    private readonly providers: ProviderRegistry,
    private readonly onCommitted: () => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  knows(provider: string): boolean {
    return this.providers.has(provider);
  }

  async ingest(provider: string, kind: WebhookKind, webhook: RawWebhook): Promise<IngestResult> {
    const adapter = this.providers.get(provider);
    // Some checks need the network first (AWS: the SNS signing certificate, fetched once and cached).
    await adapter.prepareWebhook?.(webhook);
    const verified = adapter.verifyWebhook(webhook);
    const id = uuidv7();
    const receivedAt = this.now();
    const headers = Object.fromEntries(Object.entries(webhook.headers).filter(([name]) => KEPT_HEADERS.test(name)));
    await inTransaction(this.dataSource, async (manager) => {
      await manager.insert(InboundWebhookEntity, {
        id,
        provider,
        kind,
        url: webhook.url.slice(0, 2048),
        method: webhook.method,
        headers: JSON.stringify(headers),
        body: webhook.body,
        contentType: webhook.contentType.slice(0, 255),
        verified,
        receivedAt,
      });
      if (verified) {
        const event: WebhookStoredV1 = {
          webhookId: id,
          provider,
          kind,
          url: webhook.url,
          method: webhook.method,
          headers,
          body: webhook.body,
          contentType: webhook.contentType,
          receivedAt: receivedAt.toISOString(),
        };
        await enqueueOutbox(
          manager,
          this.outbox,
          [{ topic: kind === 'status' ? TOPICS.dlrRaw : TOPICS.inboundRaw, key: id, value: event }],
          receivedAt,
        );
      }
    });
    metrics.dlrReceived.inc({ provider, kind, verified: String(verified) });
    if (verified) {
      this.onCommitted();
      // A subscription handshake (AWS SNS SubscriptionConfirmation) is answered once the request is stored.
      await adapter.acknowledgeWebhook?.(webhook);
    }

    return { id, verified };
  }
}
