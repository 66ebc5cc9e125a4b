import { metrics } from '@sms/metrics';
import { currentTraceHeaders, inSpan, spanContextOf, TRACEPARENT_HEADER } from '@sms/tracing';
import { Logger } from '@nestjs/common';
import { NonRetriableError, type Bus, type ConsumedRecord } from '@sms/bus';
import {
  decodeEvent,
  type InboundReceivedV1,
  StatusChangedV1,
  StatusEventKind,
  TOPICS,
  WebhookStoredV1,
} from '@sms/contracts';
import { isDuplicateKeyError } from '@sms/persistence';
import type { ProviderRegistry } from '@sms/providers';
import { In, type DataSource } from 'typeorm';
import { ParkedReceiptEntity } from '../database/entities/parked-receipt.entity';
import { ProviderMessageRefEntity } from '../database/entities/provider-message-ref.entity';
import { kindOf, normaliseProviderMessageId, receiptEvent, receiptEventId } from './receipt-events';

/**
 * Turns stored raw webhooks into canonical events. Receipts are correlated to our message by
 * (provider, provider message id), learned from `sent` events on `sms.status.v1`; a receipt that
 * overtakes its send result is parked and released when the id becomes known. Both sides write
 * first and look for the other second, so at least one of them always sees the pair.
 */
export class ReceiptProcessor {
  private readonly logger = new Logger('dlr-processor');

  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: Bus,
    private readonly providers: ProviderRegistry,
    private readonly now: () => Date = () => new Date(),
  ) {}

  handle = async (record: ConsumedRecord): Promise<void> => {
    switch (record.topic) {
      case TOPICS.status:
        await this.learnProviderId(decodeEvent(StatusChangedV1, record.value));
        break;
      case TOPICS.dlrRaw:
        await this.processReceipt(decodeEvent(WebhookStoredV1, record.value));
        break;
      case TOPICS.inboundRaw:
        await this.processInbound(decodeEvent(WebhookStoredV1, record.value));
        break;
      default:
        throw new NonRetriableError(`dlr-processor does not consume ${record.topic}`);
    }
  };

  private async learnProviderId(event: StatusChangedV1): Promise<void> {
    if (event.kind !== StatusEventKind.Sent || !event.provider || !event.providerMessageId) {
      return;
    }
    const ref = { provider: event.provider, providerMessageId: normaliseProviderMessageId(event.providerMessageId) };
    try {
      await this.dataSource.getRepository(ProviderMessageRefEntity).insert({
        ...ref,
        messageId: event.messageId,
        // This handler runs in the sent event's consumer span: the message's own trace.
        traceParent: currentTraceHeaders()[TRACEPARENT_HEADER] ?? null,
        createdAt: this.now(),
      });
    } catch (error) {
      if (!isDuplicateKeyError(error)) {
        throw error;
      }
    }
    await this.releaseParked(ref.provider, ref.providerMessageId, event.messageId);
  }

  private async processReceipt(stored: WebhookStoredV1): Promise<void> {
    if (!this.providers.has(stored.provider)) {
      throw new NonRetriableError(`no parser for provider '${stored.provider}'`);
    }
    const reports = this.providers.get(stored.provider).parseDeliveryReports(stored);
    if (reports.length === 0) {
      metrics.dlrProcessed.inc({ provider: stored.provider, result: 'unreadable' });
      this.logger.warn(`webhook ${stored.webhookId} from ${stored.provider} held no readable receipt`);
    }
    for (const [index, report] of reports.entries()) {
      const kind = kindOf(report.status);
      if (kind === null) {
        continue;
      }
      const providerMessageId = normaliseProviderMessageId(report.providerMessageId);
      const event = receiptEvent(
        stored.provider,
        report,
        kind,
        receiptEventId(stored.webhookId, index),
        stored.receivedAt,
      );
      const ref = await this.refOf(stored.provider, providerMessageId);
      if (ref) {
        // The receipt has its own trace (the provider's webhook); a span link joins it to the message's.
        const linked = spanContextOf(ref.traceParent);
        await inSpan(
          'dlr correlate',
          {
            attributes: { 'sms.provider': stored.provider, 'sms.message_id': ref.messageId },
            links: linked ? [{ context: linked }] : [],
          },
          () => this.publish({ ...event, messageId: ref.messageId }),
        );
        metrics.dlrProcessed.inc({ provider: stored.provider, result: 'correlated' });
        metrics.dlrProcessingLag.observe(
          { provider: stored.provider },
          Math.max(0, this.now().getTime() - Date.parse(stored.receivedAt)) / 1000,
        );
        continue;
      }
      metrics.dlrProcessed.inc({ provider: stored.provider, result: 'parked' });
      await this.dataSource.getRepository(ParkedReceiptEntity).insert({
        provider: stored.provider,
        providerMessageId,
        event: JSON.stringify(event),
        parkedAt: this.now(),
      });
      const lateMessageId = await this.messageIdOf(stored.provider, providerMessageId);
      if (lateMessageId) {
        await this.releaseParked(stored.provider, providerMessageId, lateMessageId);
      }
    }
  }

  private async processInbound(stored: WebhookStoredV1): Promise<void> {
    if (!this.providers.has(stored.provider)) {
      throw new NonRetriableError(`no parser for provider '${stored.provider}'`);
    }
    const inbound = this.providers.get(stored.provider).parseInbound(stored);
    if (!inbound) {
      this.logger.warn(`webhook ${stored.webhookId} from ${stored.provider} is not an inbound message`);

      return;
    }
    const event: InboundReceivedV1 = {
      webhookId: stored.webhookId,
      provider: stored.provider,
      providerMessageId: inbound.providerMessageId,
      from: inbound.from,
      to: inbound.to,
      body: inbound.body,
      receivedAt: (inbound.receivedAt ?? new Date(stored.receivedAt)).toISOString(),
    };
    await this.bus.publish([{ topic: TOPICS.inbound, key: inbound.from, value: event }]);
  }

  /** Publishes every receipt parked for this provider id, then forgets them. */
  async releaseParked(provider: string, providerMessageId: string, messageId: string): Promise<number> {
    const repository = this.dataSource.getRepository(ParkedReceiptEntity);
    const parked = await repository.find({ where: { provider, providerMessageId }, order: { id: 'ASC' } });
    if (parked.length === 0) {
      return 0;
    }
    await this.bus.publish(
      parked.map((row) => ({
        topic: TOPICS.status,
        key: messageId,
        value: { ...(JSON.parse(row.event) as Omit<StatusChangedV1, 'messageId'>), messageId },
      })),
    );
    await repository.delete({ id: In(parked.map((row) => row.id)) });

    return parked.length;
  }

  private async messageIdOf(provider: string, providerMessageId: string): Promise<string | null> {
    return (await this.refOf(provider, providerMessageId))?.messageId ?? null;
  }

  private refOf(provider: string, providerMessageId: string): Promise<ProviderMessageRefEntity | null> {
    return this.dataSource.getRepository(ProviderMessageRefEntity).findOneBy({ provider, providerMessageId });
  }

  private async publish(event: StatusChangedV1): Promise<void> {
    await this.bus.publish([{ topic: TOPICS.status, key: event.messageId, value: event }]);
  }
}
