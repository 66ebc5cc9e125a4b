import { dbValue, isMysql } from '@sms/persistence';
import type { DataSource } from 'typeorm';
import { OptOutRecentSenderEntity } from '../database/entities/opt-out-recent-sender.entity';

/** Pairs whose account was written recently are not written again while it stays the same. */
const MAX_REMEMBERED = 100_000;
/**
 * How long a remembered pair skips the write. Dispatches are keyed by sender, so one process sees every
 * dispatch of a sender; after a rebalance another process may have written a different account, and a
 * bounded memory keeps that from being masked for long.
 */
const REMEMBER_MS = 60_000;

/**
 * The (sender, recipient) → account index: which account last messaged a recipient from a pool number.
 * Pool numbers are shared by accounts, so an inbound STOP to a number is attributed through it. Written
 * from `sms.dispatch.v1`; the latest dispatch (by routing time) wins, also when two arrive out of order.
 */
export class RecentSenders {
  private readonly remembered = new Map<string, { readonly accountId: string; readonly at: number }>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: () => number = Date.now,
  ) {}

  async record(sender: string, recipient: string, accountId: string, routedAt: Date): Promise<void> {
    const pair = `${sender}|${recipient}`;
    const now = this.clock();
    const known = this.remembered.get(pair);
    if (known && known.accountId === accountId && now - known.at < REMEMBER_MS) {
      return;
    }
    const table = 'opt_out_recent_senders';
    const params = [sender, recipient, accountId, dbValue(this.dataSource, routedAt)];
    // An older dispatch arriving late must not take the pair back from a newer one.
    await this.dataSource.query(
      isMysql(this.dataSource)
        ? `INSERT INTO ${table} (sender, recipient, account_id, routed_at) VALUES (?, ?, ?, ?)
           ON DUPLICATE KEY UPDATE account_id = IF(VALUES(routed_at) >= routed_at, VALUES(account_id), account_id),
           routed_at = GREATEST(routed_at, VALUES(routed_at))`
        : `INSERT INTO ${table} (sender, recipient, account_id, routed_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (sender, recipient) DO UPDATE SET account_id = excluded.account_id, routed_at = excluded.routed_at
           WHERE excluded.routed_at >= ${table}.routed_at`,
      params,
    );
    if (this.remembered.size >= MAX_REMEMBERED) {
      this.remembered.clear();
    }
    this.remembered.set(pair, { accountId, at: now });
  }

  /** The account that last messaged `recipient` from `sender`, or null when none is known. */
  async accountOf(sender: string, recipient: string): Promise<string | null> {
    const row = await this.dataSource.getRepository(OptOutRecentSenderEntity).findOneBy({ sender, recipient });

    return row?.accountId ?? null;
  }
}
