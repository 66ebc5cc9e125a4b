import { MessageStatus } from '@sms/contracts';
import { dbValue } from '@sms/persistence';
import { unprocessable } from '@sms/platform';
import type { DataSource, SelectQueryBuilder } from 'typeorm';
import { SmsMessageEntity } from '../database/entities/sms-message.entity';
import { type MessageFields, toMessageFields } from '../messages/message.views';
import { readKeysetPage } from './keyset-page';
import { decodeCursor, encodeCursor, searchScopeDigest } from './page-cursor';
import { MAX_PAGE_SIZE } from './query-params';

export const MESSAGE_STATUSES: readonly string[] = Object.values(MessageStatus);

/** What an outbound search may be narrowed by; every filter given must match (AND). */
export interface MessageSearchFilters {
  /** Any of these statuses (OR). */
  readonly statuses?: readonly string[];
  /** E.164 recipient. */
  readonly to?: string;
  /** The sender shown as `from`: the one used, or the one asked for while none was used yet. */
  readonly from?: string;
  readonly clientReference?: string;
  readonly provider?: string;
  /** ISO 3166-1 alpha-2 of the recipient. */
  readonly country?: string;
  /** Created at or after (inclusive). */
  readonly createdAfter?: Date;
  /** Created before (exclusive). */
  readonly createdBefore?: Date;
}

export interface MessageSearchRequest {
  readonly accountId: string;
  readonly filters: MessageSearchFilters;
  /** 1..1000. */
  readonly limit: number;
  /** The `nextCursor` of the previous page of the same search, or absent for the first page. */
  readonly cursor?: string;
  /** Also read each message's body (the REST list leaves it out, as GET /v1/messages/:id does). */
  readonly includeBody?: boolean;
}

/** One message of a page: the GET /v1/messages/:id view without its events. */
export interface MessageSummary extends MessageFields {
  readonly direction: 'outbound';
  readonly body?: string;
}

export interface Page<T> {
  readonly data: T[];
  /** Opaque; pass it back with the same filters for the next page. Null on the last page. */
  readonly nextCursor: string | null;
}

const SUMMARY_COLUMNS: (keyof SmsMessageEntity)[] = [
  'id',
  'status',
  'toNumber',
  'requestedFrom',
  'sender',
  'country',
  'encoding',
  'segments',
  'messageClass',
  'provider',
  'providerMessageId',
  'cost',
  'currency',
  'errorCode',
  'errorMessage',
  'attempt',
  'nextRetryAt',
  'routeReason',
  'clientReference',
  'createdAt',
  'sentAt',
  'deliveredAt',
];

/**
 * Searches the ledger of one account, newest first, a page at a time. Keyset pagination on
 * (created_at, id): a page costs the same at any depth and rows arriving meanwhile never shift or repeat
 * rows across pages. Every query leads with `account_id`, which also leads every index it can use
 * (`ix_sms_messages_account_*`), so no search reads another account's rows.
 *
 * Independent of HTTP: the REST list and other API surfaces call it with typed filters.
 */
export class MessageSearch {
  constructor(private readonly dataSource: DataSource) {}

  async search(request: MessageSearchRequest): Promise<Page<MessageSummary>> {
    const { accountId, filters, limit } = request;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      throw unprocessable('INVALID_LIMIT', `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`, 'limit');
    }
    const unknown = filters.statuses?.find((status) => !MESSAGE_STATUSES.includes(status));
    if (unknown !== undefined) {
      throw unprocessable('INVALID_STATUS', `status must be among ${MESSAGE_STATUSES.join(', ')}`, 'status');
    }
    const scope = searchScopeDigest(scopeOf(accountId, filters));
    const after = request.cursor === undefined ? null : decodeCursor(request.cursor, scope);

    const query = this.dataSource
      .getRepository(SmsMessageEntity)
      .createQueryBuilder('m')
      .select([...SUMMARY_COLUMNS, ...(request.includeBody ? ['body' as const] : [])].map((column) => `m.${column}`))
      .where('m.accountId = :accountId', { accountId });
    this.applyFilters(query, filters);
    if (after) {
      // Rows strictly after the cursor's row in (created_at DESC, id DESC); the first bound keeps it a range scan.
      const at = dbValue(this.dataSource, after.at);
      query.andWhere('m.createdAt <= :afterAt AND (m.createdAt < :afterAt OR m.id < :afterId)', {
        afterAt: at,
        afterId: after.id,
      });
    }
    query
      .orderBy('m.createdAt', 'DESC')
      .addOrderBy('m.id', 'DESC')
      .limit(limit + 1);
    const rows = await readKeysetPage(this.dataSource, query, pageIndexOf(filters));

    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const nextCursor = rows.length > limit && last ? encodeCursor({ at: last.createdAt, id: last.id }, scope) : null;

    return { data: page.map((row) => toSummary(row, request.includeBody === true)), nextCursor };
  }

  private applyFilters(query: SelectQueryBuilder<SmsMessageEntity>, filters: MessageSearchFilters): void {
    const at = (date: Date): unknown => dbValue(this.dataSource, date);
    if (filters.statuses?.length) {
      query.andWhere('m.status IN (:...statuses)', { statuses: [...filters.statuses] });
    }
    if (filters.to !== undefined) {
      query.andWhere('m.toNumber = :to', { to: filters.to });
    }
    if (filters.from !== undefined) {
      query.andWhere('(m.sender = :from OR (m.sender IS NULL AND m.requestedFrom = :from))', { from: filters.from });
    }
    if (filters.clientReference !== undefined) {
      query.andWhere('m.clientReference = :clientReference', { clientReference: filters.clientReference });
    }
    if (filters.provider !== undefined) {
      query.andWhere('m.provider = :provider', { provider: filters.provider });
    }
    if (filters.country !== undefined) {
      query.andWhere('m.country = :country', { country: filters.country });
    }
    if (filters.createdAfter !== undefined) {
      query.andWhere('m.createdAt >= :createdAfter', { createdAfter: at(filters.createdAfter) });
    }
    if (filters.createdBefore !== undefined) {
      query.andWhere('m.createdAt < :createdBefore', { createdBefore: at(filters.createdBefore) });
    }
  }
}

/**
 * The index a page is read in: the most selective equality filter's, whose rows are already in page
 * order; otherwise the account's own, scanned in order and filtered (several statuses, provider, country,
 * from: their matches are common enough that the scan stops soon).
 */
function pageIndexOf(filters: MessageSearchFilters): string {
  if (filters.to !== undefined) {
    return 'ix_sms_messages_account_to';
  }
  if (filters.clientReference !== undefined) {
    return 'ix_sms_messages_account_ref';
  }
  if (filters.statuses?.length === 1) {
    return 'ix_sms_messages_account_status';
  }

  return 'ix_sms_messages_account_created';
}

/** What a cursor is bound to: the account and every filter, in a canonical form (status order does not matter). */
function scopeOf(accountId: string, filters: MessageSearchFilters): Record<string, unknown> {
  return {
    list: 'messages',
    accountId,
    statuses: filters.statuses?.length ? [...filters.statuses].sort() : null,
    to: filters.to,
    from: filters.from,
    clientReference: filters.clientReference,
    provider: filters.provider,
    country: filters.country,
    createdAfter: filters.createdAfter?.getTime(),
    createdBefore: filters.createdBefore?.getTime(),
  };
}

function toSummary(m: SmsMessageEntity, withBody: boolean): MessageSummary {
  return { ...toMessageFields(m), direction: 'outbound', ...(withBody ? { body: m.body } : {}) };
}
