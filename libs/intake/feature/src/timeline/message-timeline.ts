import type { CallbackLogReader, RawReceiptReader } from '@sms/contracts';
import type { DataSource } from 'typeorm';
import { MessageEventEntity } from '../database/entities/message-event.entity';
import { SmsMessageEntity } from '../database/entities/sms-message.entity';
import {
  attemptsOf,
  receiptIdsOf,
  routeOf,
  type TimelinePart,
  timelineMessageOf,
  toTimelineEvent,
  type TimelineView,
} from './timeline.views';

/** Most events a timeline reads: the same bound as GET /v1/messages/:id. */
const MAX_EVENTS = 500;
/** How long a part kept by another service may take: a person is waiting, and the rest stands without it. */
export const TIMELINE_PART_TIMEOUT_MS = 2_000;

export interface TimelineReaders {
  /** Null when no reader is reachable (a distributed intake without the service's URL). */
  readonly receipts: () => RawReceiptReader | null;
  readonly callbacks: () => CallbackLogReader | null;
}

/**
 * A message's timeline: the ledger's row, events and attempts (intake's own tables), plus the raw receipts
 * and the caller callbacks from the services that keep them, each read with a timeout; a part that fails
 * is named in `unavailable` instead of failing the whole answer.
 */
export class MessageTimeline {
  constructor(
    private readonly dataSource: DataSource,
    private readonly readers: TimelineReaders,
    private readonly partTimeoutMs = TIMELINE_PART_TIMEOUT_MS,
  ) {}

  /** The timeline, only if the message belongs to `accountId` (another account's is as absent as a missing one). */
  async find(id: string, accountId: string): Promise<TimelineView | null> {
    const message = await this.dataSource.getRepository(SmsMessageEntity).findOneBy({ id, accountId });
    if (!message) {
      return null;
    }
    const events = await this.dataSource
      .getRepository(MessageEventEntity)
      .find({ where: { messageId: id }, order: { id: 'ASC' }, take: MAX_EVENTS });
    const receiptIds = receiptIdsOf(events);
    const unavailable: TimelinePart[] = [];
    const [receipts, callbacks] = await Promise.all([
      receiptIds.length === 0
        ? []
        : this.part('receipts', unavailable, (reader) => reader.read(receiptIds), this.readers.receipts()),
      message.callbackUrl === null
        ? []
        : this.part('callbacks', unavailable, (reader) => reader.read(id), this.readers.callbacks()),
    ]);

    return {
      message: timelineMessageOf(message),
      events: events.map(toTimelineEvent),
      attempts: attemptsOf(events),
      route: routeOf(message),
      receipts: [...receipts].sort((a, b) => a.receivedAt.localeCompare(b.receivedAt) || a.id.localeCompare(b.id)),
      callbacks,
      unavailable,
    };
  }

  private async part<R, T>(
    name: TimelinePart,
    unavailable: TimelinePart[],
    read: (reader: R) => Promise<T[]>,
    reader: R | null,
  ): Promise<T[]> {
    if (reader === null) {
      unavailable.push(name);

      return [];
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        read(reader),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${name} timed out`)), this.partTimeoutMs);
        }),
      ]);
    } catch {
      unavailable.push(name);

      return [];
    } finally {
      clearTimeout(timer);
    }
  }
}
