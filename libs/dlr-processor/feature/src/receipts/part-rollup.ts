import { type StatusChangedV1, StatusEventKind } from '@sms/contracts';
import { affectedRows, dbValue, isDuplicateKeyError } from '@sms/persistence';
import type { DataSource } from 'typeorm';
import { ReceiptPartEntity } from '../database/entities/receipt-part.entity';
import { uuidFrom } from './receipt-events';
import type { SendRoute } from './send-route';

export interface PartRef {
  readonly messageId: string;
  readonly partIndex: number;
  readonly partCount: number;
  /** W3C `traceparent` of the message's trace when it was sent (receipt spans link to it). */
  readonly traceParent?: string | null;
  /** The send the ref was learned from; null on refs stored before it was kept. */
  readonly route?: SendRoute | null;
}

/** Forward-only order of a part's receipts; failures and delivered are final. */
const PART_RANK: Record<string, number> = {
  [StatusEventKind.Sending]: 1,
  [StatusEventKind.Sent]: 2,
  [StatusEventKind.Delivered]: 3,
  [StatusEventKind.Undelivered]: 3,
  [StatusEventKind.Failed]: 3,
};

const FAILURES: readonly string[] = [StatusEventKind.Undelivered, StatusEventKind.Failed];
const isFailure = (kind: string): boolean => FAILURES.includes(kind);

/**
 * Long messages whose provider reports each part (Vonage, SMPP): every part's receipt is kept, and
 * the message rolls up to `delivered` when all parts are delivered, or `undelivered` as soon as one
 * part finally fails. Each part's receipt is published as its own event (`sent` while parts are still
 * out, carrying "part i/n" in its detail), so GET /v1/messages/:id shows every part.
 *
 * Concurrency: two parts' receipts may be processed at once. Each writes its part first and reads all
 * parts second, so at least one sees the complete set; the roll-up event id is derived from the
 * message and outcome, so two publishers of the same roll-up produce one ledger change.
 */
export class PartRollup {
  constructor(
    private readonly dataSource: DataSource,
    private readonly publish: (events: StatusChangedV1[]) => Promise<void>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async apply(ref: PartRef, event: Omit<StatusChangedV1, 'messageId'>): Promise<void> {
    await this.record(ref, event);
    const label = `part ${ref.partIndex + 1}/${ref.partCount}`;
    const partEvent: StatusChangedV1 = {
      ...event,
      messageId: ref.messageId,
      // One delivered part does not deliver the message: report it as progress (`sent`) with its detail.
      kind: isFailure(event.kind)
        ? StatusEventKind.Undelivered
        : event.kind === StatusEventKind.Delivered
          ? StatusEventKind.Sent
          : event.kind,
      detail: `${label} ${event.kind}: ${event.detail ?? ''}`.slice(0, 512),
      // A part's receipt prices that part only; the ledger's charge is the whole message's, so it keeps the
      // send result's price rather than take one part's for the total.
      cost: null,
      currency: null,
      costEstimated: null,
    };
    const events = [partEvent];
    const parts = await this.dataSource.getRepository(ReceiptPartEntity).findBy({ messageId: ref.messageId });
    const delivered = parts.filter((part) => part.status === String(StatusEventKind.Delivered)).length;
    if (!isFailure(event.kind) && !parts.some((part) => isFailure(part.status)) && delivered >= ref.partCount) {
      events.push({
        ...event,
        eventId: uuidFrom(`${ref.messageId}:rollup:delivered`),
        messageId: ref.messageId,
        kind: StatusEventKind.Delivered,
        providerMessageId: null,
        errorCode: null,
        errorClass: null,
        cost: null,
        currency: null,
        costEstimated: null,
        detail: `all ${ref.partCount} parts delivered`,
      });
    }
    await this.publish(events);
  }

  private async record(ref: PartRef, event: Omit<StatusChangedV1, 'messageId'>): Promise<void> {
    const rank = PART_RANK[event.kind] ?? 0;
    const providerStatus = (event.detail ?? '').slice(0, 64);
    try {
      await this.dataSource.getRepository(ReceiptPartEntity).insert({
        messageId: ref.messageId,
        partIndex: ref.partIndex,
        partCount: ref.partCount,
        status: event.kind,
        statusRank: rank,
        providerStatus,
        updatedAt: this.now(),
      });
    } catch (error) {
      if (!isDuplicateKeyError(error)) {
        throw error;
      }
      await affectedRows(
        this.dataSource.manager,
        'UPDATE receipt_parts SET status = ?, status_rank = ?, provider_status = ?, updated_at = ? WHERE message_id = ? AND part_index = ? AND status_rank < ?',
        [event.kind, rank, providerStatus, dbValue(this.dataSource, this.now()), ref.messageId, ref.partIndex, rank],
      );
    }
  }
}
