import type { RawWebhook, SmsProvider } from '@sms/provider-port';
import type { ProviderRegistry } from '@sms/providers';
import type { WebhookIngestService, WebhookKind } from './webhook-ingest.service';

/** An adapter that receives receipts and MO over its own connection (SMPP deliver_sm) instead of HTTP. */
interface PushingProvider extends SmsProvider {
  attachWebhookSink(sink: (kind: WebhookKind, webhook: RawWebhook) => Promise<void>): void;
  /** Opens the provider's connections so pushes can arrive (SMPP: transceiver binds). */
  startReceiving(): void;
}

function isPushingProvider(provider: SmsProvider): provider is PushingProvider {
  return typeof (provider as Partial<PushingProvider>).attachWebhookSink === 'function';
}

/**
 * The entry point for pushed receipts: every adapter that pushes (SMPP) hands each received PDU, already shaped
 * as a RawWebhook, to `ingest` exactly like an HTTP webhook (stored in `inbound_webhooks` with its provider
 * account id, verified by the adapter, published through the outbox). The adapter answers the SMSC only after
 * this resolves, so a PDU is acknowledged once it is stored. The provider then opens its connections: in the
 * distributed mode dlr-ingest holds receiving binds while the send-worker's binds only transmit. Returns the
 * provider ids wired.
 */
export function attachPushedWebhookSinks(providers: ProviderRegistry, ingest: WebhookIngestService): string[] {
  const wired: string[] = [];
  for (const id of providers.ids()) {
    const provider = providers.get(id);
    if (!isPushingProvider(provider)) {
      continue;
    }
    provider.attachWebhookSink(async (kind, webhook) => {
      const result = await ingest.ingest(id, kind, webhook);
      if (!result.verified) {
        throw new Error(`pushed ${kind} from ${id} failed verification (stored as ${result.id})`);
      }
    });
    provider.startReceiving();
    wired.push(id);
  }

  return wired;
}
