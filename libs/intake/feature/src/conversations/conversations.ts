import { dbValue } from '@sms/persistence';
import type { DataSource } from 'typeorm';
import type { Page } from '../search/message-search';
import { decodeCursor, encodeCursor, searchScopeDigest } from '../search/page-cursor';
import { asDate, type ConversationView, type ThreadMessageView } from './conversation.views';

/** Longest pair key a cursor holds: two numbers of at most 32 characters and the separator. */
const MAX_PAIR_KEY = 65;

interface ConversationRow {
  our_number: string;
  their_number: string;
  last_at: Date | string;
  inbound: number | string;
}

interface OutboundCountRow {
  their_number: string;
  our_number: string | null;
  outbound: number | string;
}

interface ThreadRow {
  id: string;
  body: string;
  status: string;
  at: Date | string;
}

/** The pair's place in the keyset: `our|their` (a number never holds `|`). */
const pairKey = (our: string, their: string): string => `${our}|${their}`;

/**
 * Threads per pair of numbers, from the account's inbound messages (a thread starts when someone texts one
 * of the account's numbers) and its outbound messages between the same two numbers. `account_id` leads every
 * query and every index used; pages are keyset-paginated like the other lists.
 */
export class Conversations {
  constructor(
    private readonly dataSource: DataSource,
    private readonly isMasked: (ourNumber: string) => boolean,
  ) {}

  async list(accountId: string, limit: number, cursor?: string): Promise<Page<ConversationView>> {
    const scope = searchScopeDigest({ list: 'conversations', accountId });
    const after = cursor === undefined ? null : decodeCursor(cursor, scope, MAX_PAIR_KEY);
    const at = (date: Date): unknown => dbValue(this.dataSource, date);
    // Newest thread first: (last_at DESC, pair key DESC); the cursor's pair key breaks a tie of times, compared
    // by the database in the same expression and collation it orders by.
    const key = concat(this.dataSource, 'to_number', 'from_number');
    const afterClause = after ? `HAVING MAX(received_at) < ? OR (MAX(received_at) = ? AND ${key} < ?)` : '';
    const rows = await this.dataSource.query<ConversationRow[]>(
      `SELECT to_number AS our_number, from_number AS their_number, MAX(received_at) AS last_at, COUNT(*) AS inbound
         FROM inbound_messages WHERE account_id = ?
        GROUP BY to_number, from_number ${afterClause}
        ORDER BY last_at DESC, ${key} DESC LIMIT ${limit + 1}`,
      [accountId, ...(after ? [at(after.at), at(after.at), after.id] : [])],
    );
    const page = rows.slice(0, limit);
    const outbound = await this.outboundCounts(accountId, page);
    const data = page.map((row) => ({
      ourNumber: row.our_number,
      theirNumber: row.their_number,
      lastAt: asDate(row.last_at).toISOString(),
      inbound: Number(row.inbound),
      outbound: outbound.get(pairKey(row.our_number, row.their_number)) ?? 0,
      masked: this.isMasked(row.our_number),
    }));
    const last = data.at(-1);

    return {
      data,
      nextCursor:
        rows.length > limit && last
          ? encodeCursor({ at: new Date(last.lastAt), id: pairKey(last.ourNumber, last.theirNumber) }, scope)
          : null,
    };
  }

  /** Both directions of one thread, newest first, keyset-paginated on (time, id). */
  async thread(
    accountId: string,
    ourNumber: string,
    theirNumber: string,
    limit: number,
    cursor?: string,
  ): Promise<Page<ThreadMessageView>> {
    const scope = searchScopeDigest({ list: 'thread', accountId, ourNumber, theirNumber });
    const after = cursor === undefined ? null : decodeCursor(cursor, scope);
    const at = (date: Date): unknown => dbValue(this.dataSource, date);
    const bound = (time: string): { sql: string; params: unknown[] } =>
      after
        ? { sql: ` AND ${time} <= ? AND (${time} < ? OR id < ?)`, params: [at(after.at), at(after.at), after.id] }
        : { sql: '', params: [] };
    const inboundBound = bound('received_at');
    const outboundBound = bound('created_at');
    const [inbound, outbound] = await Promise.all([
      this.dataSource.query<ThreadRow[]>(
        `SELECT id, body, 'received' AS status, received_at AS at FROM inbound_messages
          WHERE account_id = ? AND from_number = ? AND to_number = ?${inboundBound.sql}
          ORDER BY received_at DESC, id DESC LIMIT ${limit + 1}`,
        [accountId, theirNumber, ourNumber, ...inboundBound.params],
      ),
      this.dataSource.query<ThreadRow[]>(
        `SELECT id, body, status, created_at AS at FROM sms_messages
          WHERE account_id = ? AND to_number = ? AND (sender = ? OR (sender IS NULL AND requested_from = ?))${outboundBound.sql}
          ORDER BY created_at DESC, id DESC LIMIT ${limit + 1}`,
        [accountId, theirNumber, ourNumber, ourNumber, ...outboundBound.params],
      ),
    ]);
    const merged = [
      ...inbound.map((row) => ({ direction: 'inbound' as const, row })),
      ...outbound.map((row) => ({ direction: 'outbound' as const, row })),
    ]
      .map(({ direction, row }) => ({
        direction,
        id: row.id,
        body: row.body,
        status: row.status,
        time: asDate(row.at),
      }))
      .sort((a, b) => b.time.getTime() - a.time.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    const page = merged.slice(0, limit);
    const last = page.at(-1);

    return {
      data: page.map(({ time, ...rest }) => ({ ...rest, at: time.toISOString() })),
      nextCursor: merged.length > limit && last ? encodeCursor({ at: last.time, id: last.id }, scope) : null,
    };
  }

  /** Outbound messages per pair of the page, in one query by `ix_sms_messages_account_to`. */
  private async outboundCounts(accountId: string, page: readonly ConversationRow[]): Promise<Map<string, number>> {
    const theirs = [...new Set(page.map((row) => row.their_number))];
    if (theirs.length === 0) {
      return new Map();
    }
    const rows = await this.dataSource.query<OutboundCountRow[]>(
      `SELECT to_number AS their_number, COALESCE(sender, requested_from) AS our_number, COUNT(*) AS outbound
         FROM sms_messages WHERE account_id = ? AND to_number IN (${theirs.map(() => '?').join(',')})
        GROUP BY to_number, COALESCE(sender, requested_from)`,
      [accountId, ...theirs],
    );

    return new Map(
      rows
        .filter((row) => row.our_number !== null)
        .map((row) => [pairKey(row.our_number as string, row.their_number), Number(row.outbound)]),
    );
  }
}

/** `a || '|' || b` in the dialect of the data source. */
function concat(dataSource: DataSource, a: string, b: string): string {
  return dataSource.options.type === 'better-sqlite3' || dataSource.options.type === 'sqlite'
    ? `(${a} || '|' || ${b})`
    : `CONCAT(${a}, '|', ${b})`;
}
