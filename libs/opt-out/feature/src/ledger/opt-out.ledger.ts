import type { Bus } from '@sms/bus';
import { type OptOutChangedV1, optOutKey, type OptOutSource, TOPICS } from '@sms/contracts';
import { inTransaction, isDuplicateKeyError } from '@sms/persistence';
import type { DataSource, EntityManager } from 'typeorm';
import { In } from 'typeorm';
import { OptOutAuditEntity } from '../database/entities/opt-out-audit.entity';
import { OptOutEntity } from '../database/entities/opt-out.entity';

/** `*` in scope_key: every sender of the account. */
export const ACCOUNT_WIDE = '*';

export interface OptOutView {
  readonly number: string;
  readonly scope: 'sender' | 'account';
  readonly sender: string | null;
  readonly reason: string;
  readonly source: string;
  readonly createdAt: string;
}

export interface AuditView {
  readonly number: string;
  readonly sender: string | null;
  readonly action: 'opt_out' | 'opt_in';
  readonly source: string;
  readonly reason: string;
  readonly at: string;
}

export interface ChangeRequest {
  readonly number: string;
  /** null: account-wide. */
  readonly sender: string | null;
  readonly source: Exclude<OptOutSource, 'replay'>;
  readonly reason: string;
  /** The confirmation reply that must get through although the recipient just opted out. */
  readonly exemptMessageId?: string;
}

/**
 * The opt-out ledger: the only writer of `opt_outs` and `opt_out_audit`, and the publisher of
 * `sms.optout.v1`. Each change commits first and is published after, so a replica never learns an
 * opt-out that was rolled back; a crash in between is healed by the redelivery (which republishes the
 * committed state) and by the full republish at start ({@link republishAll}).
 */
export class OptOutLedger {
  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: Bus,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Records an opt-out. True when it is new (a change worth confirming), false when it already held. */
  async optOut(request: ChangeRequest): Promise<boolean> {
    const scopeKey = request.sender ?? ACCOUNT_WIDE;
    const at = this.now();
    let created: boolean;
    try {
      created = await inTransaction(this.dataSource, async (manager) => {
        if (await manager.existsBy(OptOutEntity, { number: request.number, scopeKey })) {
          return false;
        }
        await manager.insert(OptOutEntity, {
          number: request.number,
          scopeKey,
          reason: request.reason.slice(0, 128),
          source: request.source,
          createdAt: at,
        });
        await this.audit(manager, request, scopeKey, 'opt_out', at);

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
   * Removes the entries that block `senders` (null stands for account-wide); `senders` undefined removes
   * every entry of the number. Returns how many entries were removed.
   */
  async optIn(request: Omit<ChangeRequest, 'sender'>, senders?: readonly (string | null)[]): Promise<number> {
    const at = this.now();
    const scopeKeys = senders?.map((s) => s ?? ACCOUNT_WIDE);
    const removed = await inTransaction(this.dataSource, async (manager) => {
      const rows = await manager.find(OptOutEntity, {
        where: { number: request.number, ...(scopeKeys ? { scopeKey: In(scopeKeys) } : {}) },
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
        await this.audit(manager, request, row.scopeKey, 'opt_in', at);
      }

      return rows;
    });
    const states = (removed.length > 0 ? removed.map((row) => row.scopeKey) : (scopeKeys ?? [])).map(
      (scopeKey): OptOutChangedV1 => ({
        number: request.number,
        sender: scopeKey === ACCOUNT_WIDE ? null : scopeKey,
        optedOut: false,
        source: request.source,
        occurredAt: at.toISOString(),
        // A replica that has not applied the removal yet must still let the confirmation through.
        exemptMessageId: removed.length > 0 ? (request.exemptMessageId ?? null) : null,
      }),
    );
    await this.publish(states);

    return removed.length;
  }

  /**
   * Lets one reply through to a number that opted out (the HELP answer carriers require) without
   * changing anything: the current entries are published again, naming that reply.
   */
  async exempt(number: string, senders: readonly (string | null)[], messageId: string): Promise<void> {
    const rows = await this.dataSource.getRepository(OptOutEntity).find({
      where: { number, scopeKey: In(senders.map((s) => s ?? ACCOUNT_WIDE)) },
    });
    await this.publish(
      rows.map((row) => ({
        number,
        sender: row.scopeKey === ACCOUNT_WIDE ? null : row.scopeKey,
        optedOut: true,
        source: 'replay',
        occurredAt: this.now().toISOString(),
        exemptMessageId: messageId,
      })),
    );
  }

  async list(number: string | null, limit: number): Promise<OptOutView[]> {
    const rows = await this.dataSource.getRepository(OptOutEntity).find({
      where: number ? { number } : {},
      order: { id: 'DESC' },
      take: limit,
    });

    return rows.map(toView);
  }

  async find(number: string, sender: string | null): Promise<OptOutView | null> {
    const row = await this.dataSource
      .getRepository(OptOutEntity)
      .findOneBy({ number, scopeKey: sender ?? ACCOUNT_WIDE });

    return row ? toView(row) : null;
  }

  async history(number: string, limit: number): Promise<AuditView[]> {
    const rows = await this.dataSource
      .getRepository(OptOutAuditEntity)
      .find({ where: { number }, order: { id: 'ASC' }, take: limit });

    return rows.map((row) => ({
      number: row.number,
      sender: row.scopeKey === ACCOUNT_WIDE ? null : row.scopeKey,
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
    request: Omit<ChangeRequest, 'sender'>,
    scopeKey: string,
    action: 'opt_out' | 'opt_in',
    at: Date,
  ): Promise<void> {
    await manager.insert(OptOutAuditEntity, {
      number: request.number,
      scopeKey,
      action,
      source: request.source,
      reason: request.reason.slice(0, 128),
      createdAt: at,
    });
  }

  private async publish(states: readonly OptOutChangedV1[]): Promise<void> {
    if (states.length === 0) {
      return;
    }
    await this.bus.publish(
      states.map((state) => ({ topic: TOPICS.optout, key: optOutKey(state.number, state.sender), value: state })),
    );
  }
}

function toView(row: OptOutEntity): OptOutView {
  const accountWide = row.scopeKey === ACCOUNT_WIDE;

  return {
    number: row.number,
    scope: accountWide ? 'account' : 'sender',
    sender: accountWide ? null : row.scopeKey,
    reason: row.reason,
    source: row.source,
    createdAt: row.createdAt.toISOString(),
  };
}
