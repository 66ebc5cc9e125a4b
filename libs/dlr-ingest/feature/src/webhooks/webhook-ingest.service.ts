import { metrics } from '@sms/metrics';
import { createHash } from 'node:crypto';
import { TOPICS, type WebhookStoredV1 } from '@sms/contracts';
import {
  enqueueOutbox,
  GroupCommitter,
  insertRows,
  inTransaction,
  isDuplicateKeyError,
  isMysql,
  type OutboxRow,
} from '@sms/persistence';
import type { RawWebhook } from '@sms/provider-port';
import type { ProviderRegistry } from '@sms/providers';
import { v7 as uuidv7 } from 'uuid';
import type { DataSource, EntitySchema } from 'typeorm';
import { WebhookState } from '../database/entities/inbound-webhook.entity';

export type WebhookKind = 'status' | 'inbound';

/** Headers worth keeping: signatures, idempotency tokens and content negotiation, nothing else. */
const KEPT_HEADERS =
  /^(content-type|user-agent|x-twilio-signature|i-twilio-idempotency-token|x-sinch-.*|x-amz-sns-.*|x-vonage-.*|x-idempotency-key|idempotency-key|authorization-present)$/i;

/**
 * Headers in which providers put a token that is the same on every retry of one callback (Twilio's
 * `I-Twilio-Idempotency-Token`, SNS's message id, a generic `Idempotency-Key`). Without one, the body
 * itself identifies a retry: the same receipt twice says nothing new.
 */
const IDEMPOTENCY_HEADERS = [
  'i-twilio-idempotency-token',
  'x-amz-sns-message-id',
  'idempotency-key',
  'x-idempotency-key',
];

export interface IngestResult {
  readonly id: string;
  readonly verified: boolean;
  /** A provider's retry of a payload already stored: acknowledged, stored as a copy, not published. */
  readonly duplicate: boolean;
  /** The request carried a signature (valid or not): tells an unsigned request (401) from a forged one (403). */
  readonly signed?: boolean;
}

const SIGNATURE_HEADER = /signature|^authorization$/i;

interface PendingWebhook {
  readonly id: string;
  readonly provider: string;
  readonly kind: WebhookKind;
  readonly webhook: RawWebhook;
  readonly headers: Record<string, string>;
  readonly verified: boolean;
  readonly dedupeKey: string;
  readonly receivedAt: Date;
}

const COLUMNS = [
  'id',
  'provider',
  'kind',
  'url',
  'method',
  'headers',
  'body',
  'content_type',
  'verified',
  'state',
  'dedupe_key',
  'duplicate_of',
  'received_at',
] as const;

/** The key under which a provider's retries of one callback collide. */
export function dedupeKeyOf(provider: string, kind: WebhookKind, webhook: RawWebhook): string {
  const lower = Object.fromEntries(Object.entries(webhook.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const token = IDEMPOTENCY_HEADERS.map((name) => lower[name]).find((value) => value !== undefined && value !== '');

  return createHash('sha256')
    .update(`${provider}\u0000${kind}\u0000${token !== undefined ? `token:${token}` : `body:${webhook.body}`}`)
    .digest('hex');
}

/**
 * Stores a provider webhook raw, with its verification result, and (when verified and new) queues its
 * publication in the same transaction. Parsing happens later in dlr-processor, so this path stays a
 * couple of inserts and answers the provider within milliseconds. Concurrent webhooks share one
 * transaction (group commit): a receipt storm costs one fsync per batch, not per receipt.
 */
export class WebhookIngestService {
  private readonly committer: GroupCommitter<PendingWebhook, IngestResult>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: EntitySchema<OutboxRow>,
    private readonly providers: ProviderRegistry,
    private readonly onCommitted: () => void,
    private readonly now: () => Date = () => new Date(),
  ) {
    // Concurrent batches (MySQL group-commits them) may both see a key as new: the unique key on
    // dedupe_key then fails the later one, which is simply run again and now sees the committed key.
    // No locking read: gap locks on absent keys would make storms deadlock.
    this.committer = new GroupCommitter((batch) => this.storeRetryingDuplicates(batch), {
      maxBatch: 500,
      maxConcurrent: isMysql(dataSource) ? 3 : 1,
    });
  }

  knows(provider: string): boolean {
    return this.providers.has(provider);
  }

  async ingest(provider: string, kind: WebhookKind, webhook: RawWebhook): Promise<IngestResult> {
    const adapter = this.providers.get(provider);
    // Some checks need the network first (AWS: the SNS signing certificate, fetched once and cached).
    await adapter.prepareWebhook?.(webhook);
    const verified = adapter.verifyWebhook(webhook);
    const headers = Object.fromEntries(Object.entries(webhook.headers).filter(([name]) => KEPT_HEADERS.test(name)));
    const result = await this.committer.submit({
      id: uuidv7(),
      provider,
      kind,
      webhook,
      headers,
      verified,
      dedupeKey: dedupeKeyOf(provider, kind, webhook),
      receivedAt: this.now(),
    });
    metrics.dlrReceived.inc({ provider, kind, verified: String(verified) });
    if (result.verified && !result.duplicate) {
      this.onCommitted();
      // A subscription handshake (AWS SNS SubscriptionConfirmation) is answered once the request is stored.
      await adapter.acknowledgeWebhook?.(webhook);
    }

    if (verified) {
      return result;
    }
    const signed =
      adapter.carriesSignature?.(webhook) ?? Object.keys(webhook.headers).some((name) => SIGNATURE_HEADER.test(name));

    return { ...result, signed };
  }

  /** Resolves when every webhook handed over so far is committed. */
  drain(): Promise<void> {
    return this.committer.drain();
  }

  private async storeRetryingDuplicates(batch: readonly PendingWebhook[]): Promise<IngestResult[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.store(batch);
      } catch (error) {
        // The duplicate-key error comes only after the other transaction committed: a re-run sees its row.
        if (!isDuplicateKeyError(error) || attempt >= 3) {
          throw error;
        }
      }
    }
  }

  private store(batch: readonly PendingWebhook[]): Promise<IngestResult[]> {
    return inTransaction(this.dataSource, async (manager) => {
      const keys = [...new Set(batch.filter((w) => w.verified).map((w) => w.dedupeKey))];
      const firstOf = new Map<string, string>();
      if (keys.length > 0) {
        const known: { id: string; dedupe_key: string }[] = await manager.query(
          `SELECT id, dedupe_key FROM inbound_webhooks WHERE dedupe_key IN (${keys.map(() => '?').join(',')})`,
          keys,
        );
        known.forEach((row) => firstOf.set(row.dedupe_key, row.id));
      }
      const rows: unknown[][] = [];
      const events: WebhookStoredV1[] = [];
      const results: IngestResult[] = [];
      for (const w of batch) {
        const original = w.verified ? firstOf.get(w.dedupeKey) : undefined;
        const state = !w.verified
          ? WebhookState.Rejected
          : original !== undefined
            ? WebhookState.Duplicate
            : WebhookState.Accepted;
        if (state === WebhookState.Accepted) {
          firstOf.set(w.dedupeKey, w.id);
          events.push({
            webhookId: w.id,
            provider: w.provider,
            kind: w.kind,
            url: w.webhook.url,
            method: w.webhook.method,
            headers: w.headers,
            body: w.webhook.body,
            contentType: w.webhook.contentType,
            receivedAt: w.receivedAt.toISOString(),
          });
        }
        rows.push([
          w.id,
          w.provider,
          w.kind,
          w.webhook.url.slice(0, 2048),
          w.webhook.method.slice(0, 16),
          JSON.stringify(w.headers),
          w.webhook.body,
          w.webhook.contentType.slice(0, 255),
          w.verified,
          state,
          state === WebhookState.Accepted ? w.dedupeKey : null,
          original ?? null,
          w.receivedAt,
        ]);
        results.push({ id: w.id, verified: w.verified, duplicate: state === WebhookState.Duplicate });
      }
      await insertRows(manager, 'inbound_webhooks', COLUMNS, rows);
      await enqueueOutbox(
        manager,
        this.outbox,
        events.map((event) => ({
          topic: event.kind === 'status' ? TOPICS.dlrRaw : TOPICS.inboundRaw,
          key: event.webhookId,
          value: event,
        })),
        this.now(),
      );

      return results;
    });
  }
}
