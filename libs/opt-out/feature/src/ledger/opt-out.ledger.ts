import type { Bus } from '@sms/bus';
import {
  DEFAULT_ACCOUNT_ID,
  EVERY_ACCOUNT,
  type OptOutChangedV1,
  optOutKey,
  type OptOutSource,
  PEER_ORIGIN_HEADER,
  TOPICS,
} from '@sms/contracts';
import { inTransaction, isDuplicateKeyError } from '@sms/persistence';
import type { DataSource, EntityManager } from 'typeorm';
import { In } from 'typeorm';
import { OptOutAuditEntity } from '../database/entities/opt-out-audit.entity';
import { OptOutEntity } from '../database/entities/opt-out.entity';

/** `*` in scope_key: every sender of the account. */
export const ACCOUNT_WIDE = '*';

export interface OptOutView {
  readonly number: string;
  /** `sender`: one sender; `account`: every sender (of the account, or of every account). */
  readonly scope: 'sender' | 'account';
  readonly sender: string | null;
  /** True for an entry that blocks every account (STOPALL, or a STOP no account could be found for). */
  readonly everyAccount: boolean;
  readonly reason: string;
  readonly source: string;
  readonly createdAt: string;
}

export interface AuditView {
  readonly number: string;
  readonly sender: string | null;
  readonly everyAccount: boolean;
  readonly action: 'opt_out' | 'opt_in';
  readonly source: string;
  readonly reason: string;
  readonly at: string;
}

export interface ChangeRequest {
  /** The account whose sends the entry blocks; {@link EVERY_ACCOUNT} for every account. */
  readonly accountId: string;
  readonly number: string;
  /** null: every sender. */
  readonly sender: string | null;
  readonly source: Exclude<OptOutSource, 'replay'>;
  readonly reason: string;
  /** The confirmation reply that must get through although the recipient just opted out. */
  readonly exemptMessageId?: string;
}

/** What an opt-in removes: entries of these accounts that block these senders (null: the every-sender entry). */
export interface OptInReach {
  readonly accountIds: readonly string[];
  /** Undefined: every entry of the number in those accounts. */
  readonly senders?: readonly (string | null)[];
}

export class OptOutLedger {
  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: Bus,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Records an opt-out. True when it is new (a change worth confirming), false when it already held. */
  async optOut(request: ChangeRequest): Promise<boolean> {
    const scopeKey = request.sender ?? ACCOUNT_WIDE;
    const { accountId } = request;
    const at = this.now();
    let created: boolean;
    try {
      created = await inTransaction(this.dataSource, async (manager) => {
        if (await manager.existsBy(OptOutEntity, { number: request.number, accountId, scopeKey })) {
          return false;
        }
        await manager.insert(OptOutEntity, {
          accountId,
          number: request.number,
          scopeKey,
          reason: request.reason.slice(0, 128),
          source: request.source,
          createdAt: at,
        });
        await this.audit(manager, request, accountId, scopeKey, 'opt_out', at);

        return true;
      });
    } catch (error) {
      // Two writers raced for the same entry; the unique key let exactly one of them record it.
      if (!isDuplicateKeyError(error)) {
        throw error;
      }
      created = false;
    }
    await this.publish([
      {
        accountId,
        number: request.number,
        sender: request.sender,
        optedOut: true,
        source: request.source,
        occurredAt: at.toISOString(),
        exemptMessageId: created ? (request.exemptMessageId ?? null) : null,
      },
    ]);

    return created;
  }

  /**
   * Removes the entries of `reach.accountIds` that block `reach.senders` (null stands for the every-sender
   * entry); `senders` undefined removes every entry of the number in those accounts. Returns how many
   * entries were removed.
   */
  async optIn(request: Omit<ChangeRequest, 'sender' | 'accountId'>, reach: OptInReach): Promise<number> {
    const at = this.now();
    const scopeKeys = reach.senders?.map((s) => s ?? ACCOUNT_WIDE);
    const removed = await inTransaction(this.dataSource, async (manager) => {
      const rows = await manager.find(OptOutEntity, {
        where: {
          number: request.number,
          accountId: In([...reach.accountIds]),
          ...(scopeKeys ? { scopeKey: In(scopeKeys) } : {}),
        },
        order: { id: 'ASC' },
      });
      if (rows.length === 0) {
        return [];
      }
      await manager.delete(
        OptOutEntity,
        rows.map((row) => row.id),
      );
      for (const row of rows) {
        await this.audit(manager, request, row.accountId, row.scopeKey, 'opt_in', at);
      }

      return rows;
    });
    // Nothing removed: the absent states are published anyway, healing a replica that missed a removal.
    const states =
      removed.length > 0
        ? removed.map((row) => ({ accountId: row.accountId, scopeKey: row.scopeKey }))
        : reach.accountIds.flatMap((accountId) => (scopeKeys ?? []).map((scopeKey) => ({ accountId, scopeKey })));
    await this.publish(
      states.map(({ accountId, scopeKey }): OptOutChangedV1 => ({
        accountId,
        number: request.number,
        sender: scopeKey === ACCOUNT_WIDE ? null : scopeKey,
        optedOut: false,
        source: request.source,
        occurredAt: at.toISOString(),
        // A replica that has not applied the removal yet must still let the confirmation through.
        exemptMessageId: removed.length > 0 ? (request.exemptMessageId ?? null) : null,
      })),
    );

    return removed.length;
  }

  /**
   * Lets one reply through to a number that opted out (the HELP answer carriers require) without
   * changing anything: the current entries are published again, naming that reply.
   */
  async exempt(number: string, reach: Required<OptInReach>, messageId: string): Promise<void> {
    const rows = await this.dataSource.getRepository(OptOutEntity).find({
      where: {
        number,
        accountId: In([...reach.accountIds]),
        scopeKey: In(reach.senders.map((s) => s ?? ACCOUNT_WIDE)),
      },
    });
    await this.publish(
      rows.map((row) => ({
        accountId: row.accountId,
        number,
        sender: row.scopeKey === ACCOUNT_WIDE ? null : row.scopeKey,
        optedOut: true,
        source: 'replay',
        occurredAt: this.now().toISOString(),
        exemptMessageId: messageId,
      })),
    );
  }

  /**
   * Applies an entry state another embedded region recorded (docs/regions.md, "Embedded mode"): the entry is
   * made to hold, or not, as that region says, audited with its name, and published here for this region's
   * replicas, marked with the region so that it is not sent back. States are absolute, so applying one twice
   * changes nothing. True when the ledger changed.
   */
  async applyFromPeer(change: OptOutChangedV1, region: string): Promise<boolean> {
    const accountId = change.accountId ?? DEFAULT_ACCOUNT_ID;
    const scopeKey = change.sender ?? ACCOUNT_WIDE;
    const at = this.now();
    const request = {
      number: change.number,
      source: change.source as ChangeRequest['source'],
      reason: `from region ${region}`,
    };
    const where = { number: change.number, accountId, scopeKey };
    let changed: boolean;
    try {
      changed = await inTransaction(this.dataSource, async (manager) => {
        const exists = await manager.existsBy(OptOutEntity, where);
        if (exists === change.optedOut) {
          return false;
        }
        if (change.optedOut) {
          await manager.insert(OptOutEntity, {
            ...where,
            reason: request.reason,
            source: request.source,
            createdAt: at,
          });
        } else {
          await manager.delete(OptOutEntity, where);
        }
        await this.audit(manager, request, accountId, scopeKey, change.optedOut ? 'opt_out' : 'opt_in', at);

        return true;
      });
    } catch (error) {
      // A local STOP recorded the same entry at the same moment: it holds, as the peer asked.
      if (!isDuplicateKeyError(error)) {
        throw error;
      }
      changed = false;
    }
    await this.publish([{ ...change, accountId, exemptMessageId: null }], { [PEER_ORIGIN_HEADER]: region });

    return changed;
  }

  /** The entries that block `accountId`: its own and every-account ones (the latest `limit` without `number`). */
  async list(accountId: string, number: string | null, limit: number): Promise<OptOutView[]> {
    const rows = await this.dataSource.getRepository(OptOutEntity).find({
      where: { accountId: In([accountId, EVERY_ACCOUNT]), ...(number ? { number } : {}) },
      order: { id: 'DESC' },
      take: limit,
    });

    return rows.map(toView);
  }

  /**
   * Whether an entry other than the exact one `request` names already blocks what it would block (an
   * every-account entry, or an every-sender entry of the account, covering a narrower request).
   */
  async coveredByAnother(request: Pick<ChangeRequest, 'accountId' | 'number' | 'sender'>): Promise<boolean> {
    const accounts = request.accountId === EVERY_ACCOUNT ? [EVERY_ACCOUNT] : [request.accountId, EVERY_ACCOUNT];
    const scopes = request.sender === null ? [ACCOUNT_WIDE] : [request.sender, ACCOUNT_WIDE];
    const rows = await this.dataSource.getRepository(OptOutEntity).find({
      select: { accountId: true, scopeKey: true },
      where: { number: request.number, accountId: In(accounts), scopeKey: In(scopes) },
    });
    const exact = (row: OptOutEntity) =>
      row.accountId === request.accountId && row.scopeKey === (request.sender ?? ACCOUNT_WIDE);

    return rows.length > 0 && !rows.some(exact);
  }

  /** The account's own entry (an every-account entry is not the account's to report as its own). */
  async find(accountId: string, number: string, sender: string | null): Promise<OptOutView | null> {
    const row = await this.dataSource
      .getRepository(OptOutEntity)
      .findOneBy({ accountId, number, scopeKey: sender ?? ACCOUNT_WIDE });

    return row ? toView(row) : null;
  }

  /** The audit trail of `number` as `accountId` may see it: its own changes and every-account ones. */
  async history(accountId: string, number: string, limit: number): Promise<AuditView[]> {
    const rows = await this.dataSource
      .getRepository(OptOutAuditEntity)
      .find({ where: { number, accountId: In([accountId, EVERY_ACCOUNT]) }, order: { id: 'ASC' }, take: limit });

    return rows.map((row) => ({
      number: row.number,
      sender: row.scopeKey === ACCOUNT_WIDE ? null : row.scopeKey,
      everyAccount: row.accountId === EVERY_ACCOUNT,
      action: row.action === 'opt_in' ? 'opt_in' : 'opt_out',
      source: row.source,
      reason: row.reason,
      at: row.createdAt.toISOString(),
    }));
  }

  /**
   * Publishes every current entry again. The embedded bus starts empty after a restart, and a Kafka
   * topic auto-created without compaction may have aged entries out: replicas must still see them all.
   */
  async republishAll(batchSize = 1000): Promise<number> {
    const repository = this.dataSource.getRepository(OptOutEntity);
    let lastId = '0';
    let total = 0;
    for (;;) {
      const rows = await repository
        .createQueryBuilder('o')
        .where('o.id > :lastId', { lastId })
        .orderBy('o.id', 'ASC')
        .take(batchSize)
        .getMany();
      if (rows.length === 0) {
        return total;
      }
      await this.publish(
        rows.map((row) => ({
          accountId: row.accountId,
          number: row.number,
          sender: row.scopeKey === ACCOUNT_WIDE ? null : row.scopeKey,
          optedOut: true,
          source: 'replay',
          occurredAt: row.createdAt.toISOString(),
          exemptMessageId: null,
        })),
      );
      total += rows.length;
      lastId = String(rows[rows.length - 1]?.id);
    }
  }

  private async audit(
    manager: EntityManager,
    request: Omit<ChangeRequest, 'sender' | 'accountId'>,
    accountId: string,
    scopeKey: string,
    action: 'opt_out' | 'opt_in',
    at: Date,
  ): Promise<void> {
    await manager.insert(OptOutAuditEntity, {
      accountId,
      number: request.number,
      scopeKey,
      action,
      source: request.source,
      reason: request.reason.slice(0, 128),
      createdAt: at,
    });
  }

  private async publish(states: readonly OptOutChangedV1[], headers?: Record<string, string>): Promise<void> {
    if (states.length === 0) {
      return;
    }
    await this.bus.publish(
      states.map((state) => ({
        topic: TOPICS.optout,
        key: optOutKey(state.number, state.sender, state.accountId),
        value: state,
        ...(headers ? { headers } : {}),
      })),
    );
  }
}

function toView(row: OptOutEntity): OptOutView {
  const accountWide = row.scopeKey === ACCOUNT_WIDE;

  return {
    number: row.number,
    scope: accountWide ? 'account' : 'sender',
    sender: accountWide ? null : row.scopeKey,
    everyAccount: row.accountId === EVERY_ACCOUNT,
    reason: row.reason,
    source: row.source,
    createdAt: row.createdAt.toISOString(),
  };
}
