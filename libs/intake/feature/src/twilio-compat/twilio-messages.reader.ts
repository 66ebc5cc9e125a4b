import { dbValue } from '@sms/persistence';
import type { DataSource, Repository } from 'typeorm';
import { SmsMessageEntity } from '../database/entities/sms-message.entity';

/** What the Twilio Message resource shows of one message. */
export interface TwilioMessageRecord {
  readonly id: string;
  readonly accountId: string;
  readonly status: string;
  readonly to: string;
  /** The sender used, or the one asked for until it is sent. */
  readonly from: string | null;
  readonly body: string;
  readonly segments: number;
  readonly cost: string | null;
  readonly currency: string | null;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly sentAt: Date | null;
}

/** Where a page ends: the last message shown, in the list's order (newest first). */
export interface ListCursor {
  readonly createdAt: Date;
  readonly id: string;
}

export interface MessageListQuery {
  readonly accountId: string;
  /** Exact E.164 recipient, or null for any. */
  readonly to: string | null;
  /** Exact sender, or null for any. */
  readonly from: string | null;
  readonly pageSize: number;
  /** Messages after this one in the list's order; null for the first page. */
  readonly after: ListCursor | null;
}

export interface MessageListPage {
  readonly records: readonly TwilioMessageRecord[];
  /** The cursor of the next page, null on the last. */
  readonly next: ListCursor | null;
}

/**
 * The list query behind `GET …/Messages.json`: one account's messages, newest first, keyset-paged.
 * Deliberately narrow so that the general message search (`GET /v1/messages`) can take its place: an
 * adapter from that service to this interface is all the Twilio routes need.
 */
export interface TwilioMessageLister {
  list(query: MessageListQuery): Promise<MessageListPage>;
}

export interface TwilioMessageFinder {
  /** The message, only if it belongs to `accountId` (another account's is as absent as a missing one). */
  find(id: string, accountId: string): Promise<TwilioMessageRecord | null>;
}

/** Both, read from the ledger (intake's `sms_messages`). */
export class LedgerTwilioMessages implements TwilioMessageLister, TwilioMessageFinder {
  private readonly repository: Repository<SmsMessageEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.repository = dataSource.getRepository(SmsMessageEntity);
  }

  async find(id: string, accountId: string): Promise<TwilioMessageRecord | null> {
    const message = await this.repository.findOneBy({ id, accountId });

    return message ? recordOf(message) : null;
  }

  /** Served by ix_sms_messages_account_created (account, created_at, id): a page reads pageSize + 1 rows. */
  async list(query: MessageListQuery): Promise<MessageListPage> {
    const select = this.repository
      .createQueryBuilder('m')
      .where('m.accountId = :accountId', { accountId: query.accountId });
    if (query.to !== null) {
      select.andWhere('m.toNumber = :to', { to: query.to });
    }
    if (query.from !== null) {
      select.andWhere('COALESCE(m.sender, m.requestedFrom) = :from', { from: query.from });
    }
    if (query.after !== null) {
      select.andWhere('(m.createdAt < :at OR (m.createdAt = :at AND m.id < :id))', {
        at: dbValue(this.dataSource, query.after.createdAt),
        id: query.after.id,
      });
    }
    const rows = await select
      .orderBy('m.createdAt', 'DESC')
      .addOrderBy('m.id', 'DESC')
      .limit(query.pageSize + 1)
      .getMany();
    const records = rows.slice(0, query.pageSize).map(recordOf);
    const last = records[records.length - 1];

    return {
      records,
      next: rows.length > query.pageSize && last ? { createdAt: last.createdAt, id: last.id } : null,
    };
  }
}

const recordOf = (m: SmsMessageEntity): TwilioMessageRecord => ({
  id: m.id,
  accountId: m.accountId,
  status: m.status,
  to: m.toNumber,
  from: m.sender ?? m.requestedFrom,
  body: m.body,
  segments: m.segments,
  cost: m.cost,
  currency: m.currency,
  errorCode: m.errorCode,
  errorMessage: m.errorMessage,
  createdAt: m.createdAt,
  updatedAt: m.updatedAt,
  sentAt: m.sentAt,
});
