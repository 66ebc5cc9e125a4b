import type { OnApplicationBootstrap } from '@nestjs/common';
import type { Bus } from '@sms/bus';
import { type OptOutChangedV1, optOutKey, PRIVACY_CONSUMER_GROUPS, TOPICS } from '@sms/contracts';
import {
  affectedRows,
  erasureCommandHandler,
  type ErasureIdentity,
  type ErasureTarget,
  inTransaction,
  replaceNumberIn,
  type SliceEraser,
} from '@sms/persistence';
import type { DataSource } from 'typeorm';
import { OptOutEntity } from '../database/entities/opt-out.entity';
import { ACCOUNT_WIDE } from '../ledger/opt-out.ledger';

/**
 * The opt-out ledger's part of an erasure (docs/privacy.md). An erased person who opted out stays opted out:
 * `opt_outs` rows keep their scope with the token in place of the number, and the replicas that check sends
 * (intake, send-worker) match a recipient's token as well as the number. The audit keeps its rows, with the
 * token. `opt_out_recent_senders` (who last texted the person) goes. On the compacted `sms.optout.v1`, each
 * entry's state is written again naming the token, under its own key (so a replica rebuilt from the topic
 * knows it) and under the number's key (so compaction drops the value that named the number).
 */
export class OptOutEraser implements SliceEraser {
  readonly slice = 'opt-out' as const;

  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: Bus,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async erase(target: ErasureTarget): Promise<Record<string, number>> {
    const at = this.now();
    const { report, entries } = await inTransaction(this.dataSource, async (manager) => {
      const rows = await manager.getRepository(OptOutEntity).findBy({ number: target.number });
      // An entry the person already has under the token (erased before, opted out again since) is kept once.
      let merged = 0;
      for (const row of rows) {
        const twin = await manager
          .getRepository(OptOutEntity)
          .findOneBy({ number: target.token, accountId: row.accountId, scopeKey: row.scopeKey });
        if (twin) {
          await manager.getRepository(OptOutEntity).delete({ id: row.id });
          merged++;
        }
      }
      const optOuts = (await replaceNumberIn(manager, 'opt_outs', 'number', target)) + merged;
      const audit = await replaceNumberIn(manager, 'opt_out_audit', 'number', target);
      const recent = await affectedRows(manager, 'DELETE FROM `opt_out_recent_senders` WHERE `recipient` = ?', [
        target.number,
      ]);

      // Entries erased before are published again too: a retry after a failed publish still writes them.
      const entries = await manager.getRepository(OptOutEntity).findBy({ number: target.token });

      return { report: { opt_outs: optOuts, opt_out_audit: audit, opt_out_recent_senders: recent }, entries };
    });
    await this.bus.publish(
      entries.flatMap((row) => {
        const sender = row.scopeKey === ACCOUNT_WIDE ? null : row.scopeKey;
        const state: OptOutChangedV1 = {
          accountId: row.accountId,
          number: target.token,
          sender,
          optedOut: true,
          source: 'erasure',
          occurredAt: at.toISOString(),
        };

        return [
          { topic: TOPICS.optout, key: optOutKey(target.token, sender, row.accountId), value: state },
          { topic: TOPICS.optout, key: optOutKey(target.number, sender, row.accountId), value: state },
        ];
      }),
    );

    return report;
  }
}

/** The opt-out service's `sms.privacy.v1` group. */
export class OptOutErasureSubscriber implements OnApplicationBootstrap {
  constructor(
    private readonly bus: Bus,
    private readonly identity: ErasureIdentity,
    private readonly dataSource: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.bus.subscribe({
      groupId: PRIVACY_CONSUMER_GROUPS.optOut,
      topics: [TOPICS.privacy],
      handler: erasureCommandHandler({
        ...this.identity,
        erasers: [new OptOutEraser(this.dataSource, this.bus)],
        publish: (records) => this.bus.publish(records),
      }),
    });
  }
}
