import { dbValue } from '@sms/persistence';
import { unprocessable } from '@sms/platform';
import type { DataSource } from 'typeorm';
import { InboundMessageEntity } from '../database/entities/inbound-message.entity';
import type { Page } from '../search/message-search';
import { readKeysetPage } from '../search/keyset-page';
import { decodeCursor, encodeCursor, searchScopeDigest } from '../search/page-cursor';
import { MAX_PAGE_SIZE } from '../search/query-params';
import { KEYWORDS } from './inbound-keywords';
import { type InboundMessageView, toInboundView } from './inbound.views';

/** `none` selects messages that are no keyword. */
export const KEYWORD_FILTERS: readonly string[] = [...KEYWORDS, 'none'];

export interface InboundSearchFilters {
  /** The sender (the person texting in), E.164. */
  readonly from?: string;
  /** The number texted. */
  readonly to?: string;
  /** Any of these keywords (OR); `none` for ordinary messages. */
  readonly keywords?: readonly string[];
  readonly provider?: string;
  /** Received at or after (inclusive). */
  readonly receivedAfter?: Date;
  /** Received before (exclusive). */
  readonly receivedBefore?: Date;
}

export interface InboundSearchRequest {
  readonly accountId: string;
  readonly filters: InboundSearchFilters;
  readonly limit: number;
  readonly cursor?: string;
}

/**
 * Searches one account's inbound messages, newest first, keyset-paginated on (received_at, id) exactly
 * as MessageSearch pages the ledger; `account_id` leads every query and every index it uses.
 * Independent of HTTP, for every API surface.
 */
export class InboundSearch {
  constructor(private readonly dataSource: DataSource) {}

  async search(request: InboundSearchRequest): Promise<Page<InboundMessageView>> {
    const { accountId, filters, limit } = request;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      throw unprocessable('INVALID_LIMIT', `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`, 'limit');
    }
    if (filters.keywords?.some((keyword) => !KEYWORD_FILTERS.includes(keyword))) {
      throw unprocessable('INVALID_KEYWORD', `keyword must be among ${KEYWORD_FILTERS.join(', ')}`, 'keyword');
    }
    const scope = searchScopeDigest({
      list: 'inbound',
      accountId,
      from: filters.from,
      to: filters.to,
      keywords: filters.keywords?.length ? [...filters.keywords].sort() : null,
      provider: filters.provider,
      receivedAfter: filters.receivedAfter?.getTime(),
      receivedBefore: filters.receivedBefore?.getTime(),
    });
    const after = request.cursor === undefined ? null : decodeCursor(request.cursor, scope);
    const at = (date: Date): unknown => dbValue(this.dataSource, date);

    const query = this.dataSource
      .getRepository(InboundMessageEntity)
      .createQueryBuilder('i')
      .where('i.accountId = :accountId', { accountId });
    if (filters.from !== undefined) {
      query.andWhere('i.fromNumber = :from', { from: filters.from });
    }
    if (filters.to !== undefined) {
      query.andWhere('i.toNumber = :to', { to: filters.to });
    }
    if (filters.keywords?.length) {
      const words = filters.keywords.filter((keyword) => keyword !== 'none');
      const none = words.length < filters.keywords.length;
      const clauses = [...(words.length ? ['i.keyword IN (:...words)'] : []), ...(none ? ['i.keyword IS NULL'] : [])];
      query.andWhere(`(${clauses.join(' OR ')})`, { words });
    }
    if (filters.provider !== undefined) {
      query.andWhere('i.provider = :provider', { provider: filters.provider });
    }
    if (filters.receivedAfter !== undefined) {
      query.andWhere('i.receivedAt >= :receivedAfter', { receivedAfter: at(filters.receivedAfter) });
    }
    if (filters.receivedBefore !== undefined) {
      query.andWhere('i.receivedAt < :receivedBefore', { receivedBefore: at(filters.receivedBefore) });
    }
    if (after) {
      // Rows strictly after the cursor's row in (received_at DESC, id DESC); the first bound keeps it a range scan.
      query.andWhere('i.receivedAt <= :afterAt AND (i.receivedAt < :afterAt OR i.id < :afterId)', {
        afterAt: at(after.at),
        afterId: after.id,
      });
    }
    query
      .orderBy('i.receivedAt', 'DESC')
      .addOrderBy('i.id', 'DESC')
      .limit(limit + 1);
    const rows = await readKeysetPage(this.dataSource, query, pageIndexOf(filters));
    const page = rows.slice(0, limit);
    const last = page.at(-1);

    return {
      data: page.map(toInboundView),
      nextCursor: rows.length > limit && last ? encodeCursor({ at: last.receivedAt, id: last.id }, scope) : null,
    };
  }

  /** The message, only if it belongs to `accountId`: another account's is as absent as a missing one. */
  async find(id: string, accountId: string): Promise<InboundMessageView | null> {
    const row = await this.dataSource.getRepository(InboundMessageEntity).findOneBy({ id, accountId });

    return row ? toInboundView(row) : null;
  }
}

/** The index a page is read in (see readKeysetPage): the equality filter's, else the account's own. */
function pageIndexOf(filters: InboundSearchFilters): string {
  if (filters.from !== undefined) {
    return 'ix_inbound_messages_account_from';
  }
  if (filters.to !== undefined) {
    return 'ix_inbound_messages_account_to';
  }
  if (filters.keywords?.length === 1) {
    return 'ix_inbound_messages_account_keyword';
  }

  return 'ix_inbound_messages_account_received';
}
