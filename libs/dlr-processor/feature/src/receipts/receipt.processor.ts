import { Logger } from '@nestjs/common';
import { metrics } from '@sms/metrics';
import { currentTraceHeaders, inSpan, spanContextOf, TRACEPARENT_HEADER } from '@sms/tracing';
import { NonRetriableError, type Bus, type ConsumedRecord } from '@sms/bus';
import {
  decodeEvent,
  type InboundReceivedV1,
  StatusChangedV1,
  StatusEventKind,
  STATUS_SOURCE_HEADER,
  StatusEventSource,
  statusRecords,
  TOPICS,
  WebhookStoredV1,
} from '@sms/contracts';
import { type DeliveryReport, ErrorClass, type SmsProvider } from '@sms/provider-port';
import type { ProviderRegistry } from '@sms/providers';
import type { DataSource } from 'typeorm';
import { ParkedReceiptEntity } from '../database/entities/parked-receipt.entity';
import { ParkedReceiptStore } from './parked-receipt.store';
import { type PartRef, PartRollup } from './part-rollup';
import { type ParkedRow, RefStore } from './ref-store';
import {
  copyOf,
  kindOf,
  normaliseProviderMessageId,
  readingOf,
  receiptEvent,
  receiptEventId,
  sendRouteOf,
  withSendRoute,
} from './receipt-events';

type ReceiptEvent = Omit<StatusChangedV1, 'messageId'>;

/**
 * A failure another route could fix: the provider classified it transient (network, congestion,
 * handset temporarily unreachable). Permanent, opted-out and configuration failures are final. Long
 * messages never fall back: some parts may have been delivered.
 */
const isFixableFailure = (event: ReceiptEvent): boolean =>
  (event.kind === StatusEventKind.Undelivered || event.kind === StatusEventKind.Failed) &&
  event.errorClass === String(ErrorClass.Transient);

/**
 * Turns stored raw webhooks into canonical events. Receipts are correlated to our message by
 * (provider, normalised provider message id), learned from `sent` events on `sms.send.result.v1`; a receipt
 * that overtakes its send result is parked and released when the id becomes known. Both sides write
 * first and look for the other second, so at least one of them always sees the pair. A receipt that
 * never matches stays parked and is listed to operators; nothing is dropped.
 */
export class ReceiptProcessor {
  private readonly logger = new Logger('dlr-processor');
  private readonly rollup: PartRollup;
  private readonly refStore: RefStore;
  private readonly parked: ParkedReceiptStore;

  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: Bus,
    private readonly providers: ProviderRegistry,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.rollup = new PartRollup(dataSource, (events) => this.publish(events), now);
    this.refStore = new RefStore(dataSource, now);
    this.parked = new ParkedReceiptStore(dataSource, now);
  }

  handle = async (record: ConsumedRecord): Promise<void> => {
    switch (record.topic) {
      case TOPICS.sendResult:
      case TOPICS.status: // only while upgrading (KAFKA_LEGACY_STATUS_READS, ADR 0027)
        // Most status events teach nothing (only send results do): skip them before paying for validation.
        if (teachesProviderId(record.value)) {
          await this.learnProviderId(decodeEvent(StatusChangedV1, record.value));
        }
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

  private adapterOf(provider: string): SmsProvider | undefined {
    return this.providers.has(provider) ? this.providers.get(provider) : undefined;
  }

  private async learnProviderId(event: StatusChangedV1): Promise<void> {
    // Receipts re-published as `sent` carry nothing new; only send results teach ids (and parts).
    if (
      event.kind !== StatusEventKind.Sent ||
      event.source === StatusEventSource.Dlr ||
      !event.provider ||
      !event.providerMessageId
    ) {
      return;
    }
    const adapter = this.adapterOf(event.provider);
    const parts = event.partIds && event.partIds.length > 1 ? event.partIds : [event.providerMessageId];
    const route = sendRouteOf(event);
    const refs = new Map<string, PartRef>();
    parts.forEach((id, index) => {
      const normalised = normaliseProviderMessageId(id, adapter);
      refs.set(normalised, { messageId: event.messageId, partIndex: index, partCount: parts.length, route });
    });
    // The message-level id stands for part 1 when the adapter's parts list does not contain it.
    const main = normaliseProviderMessageId(event.providerMessageId, adapter);
    if (!refs.has(main)) {
      refs.set(main, { messageId: event.messageId, partIndex: 0, partCount: parts.length, route });
    }
    // This handler runs in the sent event's consumer span: the message's own trace.
    const traceParent = currentTraceHeaders()[TRACEPARENT_HEADER] ?? null;
    const learned = [...refs].map(([providerMessageId, ref]) => ({
      provider: event.provider as string,
      providerMessageId,
      ...ref,
      traceParent,
    }));
    const parked = await this.refStore.learn(learned);
    for (const [index, ref] of learned.entries()) {
      await this.applyParked(ref.provider, ref, parked[index] ?? []);
    }
  }

  /** The provider's parser, held to its "never throws" promise: a throwing parser reads nothing. */
  private parse(adapter: SmsProvider, stored: WebhookStoredV1): DeliveryReport[] {
    try {
      const reports = adapter.parseDeliveryReports(stored);

      return Array.isArray(reports) ? reports : [];
    } catch (error) {
      this.logger.error(
        `parser of ${stored.provider} threw on webhook ${stored.webhookId}: ${error instanceof Error ? error.name : 'error'}`,
      );

      return [];
    }
  }

  private async processReceipt(stored: WebhookStoredV1): Promise<void> {
    const adapter = this.adapterOf(stored.provider);
    const reports = adapter ? this.parse(adapter, stored) : [];
    const readable = reports.filter(
      (report) => typeof report?.providerMessageId === 'string' && report.providerMessageId.trim() !== '',
    );
    if (readable.length === 0) {
      metrics.dlrProcessed.inc({ provider: stored.provider, result: 'unreadable' });
      // Kept and listed, not dropped: a parser fix plus a replay of this webhook id recovers it.
      this.logger.warn(`webhook ${stored.webhookId} from ${stored.provider} held no readable receipt`);
      const known = await this.dataSource
        .getRepository(ParkedReceiptEntity)
        .existsBy({ webhookId: stored.webhookId, reason: 'unreadable' });
      if (!known) {
        await this.parkUnreadable(stored);
      }

      return;
    }
    if (stored.replay) {
      // A fixed parser read what an older one could not: the receipt is no longer unreadable.
      await this.dataSource
        .getRepository(ParkedReceiptEntity)
        .delete({ webhookId: stored.webhookId, reason: 'unreadable' });
    }
    for (const [index, report] of readable.entries()) {
      const kind = kindOf(report.status);
      if (kind === null) {
        continue;
      }
      const providerMessageId = normaliseProviderMessageId(report.providerMessageId, adapter);
      const event = receiptEvent(
        stored.provider,
        report,
        kind,
        receiptEventId(stored.webhookId, index, readingOf(report, providerMessageId)),
        stored.receivedAt,
        stored.webhookId,
      );
      const ref = await this.refOf(stored.provider, providerMessageId);
      if (ref) {
        await this.correlate(stored.provider, ref, event);
        metrics.dlrProcessed.inc({ provider: stored.provider, result: 'correlated' });
        metrics.dlrProcessingLag.observe(
          { provider: stored.provider },
          Math.max(0, this.now().getTime() - Date.parse(stored.receivedAt)) / 1000,
        );
        continue;
      }
      metrics.dlrProcessed.inc({ provider: stored.provider, result: 'parked' });
      // A replay of a webhook still unmatched finds its first parking: listed and applied once, not per replay.
      await this.parked.parkUnmatched({
        provider: stored.provider,
        providerMessageId,
        event: JSON.stringify(event),
        webhookId: stored.webhookId,
      });
      const late = await this.refOf(stored.provider, providerMessageId);
      if (late) {
        await this.releaseParked(stored.provider, providerMessageId, late);
      }
    }
  }

  private async parkUnreadable(stored: WebhookStoredV1): Promise<void> {
    await this.dataSource.getRepository(ParkedReceiptEntity).insert({
      provider: stored.provider,
      providerMessageId: '',
      event: '{}',
      reason: 'unreadable',
      webhookId: stored.webhookId,
      parkedAt: this.now(),
    });
  }

  /**
   * Applies a receipt to its message in a `dlr correlate` span. The receipt has its own trace (the provider's
   * webhook); a span link joins it to the message's, whether it matched at once or waited parked.
   */
  private correlate(provider: string, ref: PartRef, event: ReceiptEvent): Promise<void> {
    const linked = spanContextOf(ref.traceParent);

    return inSpan(
      'dlr correlate',
      {
        attributes: { 'sms.provider': provider, 'sms.message_id': ref.messageId },
        links: linked ? [{ context: linked }] : [],
      },
      () => this.applyCorrelated(ref, event),
    );
  }

  /** A receipt whose message is known: published as is, or through the per-part roll-up. */
  private async applyCorrelated(ref: PartRef, receipt: ReceiptEvent): Promise<void> {
    const event = withSendRoute(receipt, ref.route);
    if (ref.partCount <= 1) {
      const correlated = copyOf(event) as StatusChangedV1;
      correlated.messageId = ref.messageId;
      if (isFixableFailure(event)) {
        correlated.fallbackEligible = true;
      }
      await this.publish([correlated]);

      return;
    }
    await this.rollup.apply(ref, event);
  }

  private async processInbound(stored: WebhookStoredV1): Promise<void> {
    const adapter = this.adapterOf(stored.provider);
    if (!adapter) {
      throw new NonRetriableError(`no parser for provider '${stored.provider}'`);
    }
    let inbound: ReturnType<SmsProvider['parseInbound']> = null;
    try {
      inbound = adapter.parseInbound(stored);
    } catch {
      inbound = null;
    }
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

  /** Applies every receipt parked for this provider id, then forgets them. */
  async releaseParked(provider: string, providerMessageId: string, ref: PartRef): Promise<number> {
    return this.applyParked(provider, ref, await this.parked.unmatched(provider, providerMessageId));
  }

  /** Applies parked receipts (oldest first) to their now known message, then forgets them. */
  private async applyParked(provider: string, ref: PartRef, parked: readonly ParkedRow[]): Promise<number> {
    if (parked.length === 0) {
      return 0;
    }
    // A sent event releasing them runs in the message's trace: its traceparent is the one to link to.
    const traced = { ...ref, traceParent: ref.traceParent ?? currentTraceHeaders()[TRACEPARENT_HEADER] ?? null };
    for (const row of parked) {
      await this.correlate(provider, traced, JSON.parse(row.event) as ReceiptEvent);
    }
    await this.parked.forget(parked.map((row) => row.id));

    return parked.length;
  }

  private refOf(provider: string, providerMessageId: string): Promise<PartRef | null> {
    return this.refStore.find(provider, providerMessageId);
  }

  private async publish(events: readonly StatusChangedV1[]): Promise<void> {
    if (events.length === 0) {
      return;
    }
    await this.bus.publish(events.flatMap((event) => statusRecords(event)));
  }
}

/**
 * Status records dlr-processor's group passes over unparsed: the receipts it published itself teach no
 * provider id (learnProviderId ignores them too). They are on `sms.status.v1`, which it reads only while
 * upgrading (ADR 0027), and in a storm they are most of that topic.
 */
export const isOwnReceiptEvent = (headers: Readonly<Record<string, string>>): boolean =>
  headers[STATUS_SOURCE_HEADER] === StatusEventSource.Dlr;

/** A send result (not a receipt re-published as `sent`), the only status event that teaches a provider id. */
function teachesProviderId(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) {
    return true; // let decodeEvent reject it as it always did
  }
  const event = value as { kind?: unknown; source?: unknown };

  return event.kind === StatusEventKind.Sent && event.source !== StatusEventSource.Dlr;
}
