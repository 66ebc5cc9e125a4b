import type { OnApplicationBootstrap } from '@nestjs/common';
import type { Bus } from '@sms/bus';
import { maskDirectoryKey, type MaskDirectoryChangedV1, PRIVACY_CONSUMER_GROUPS, TOPICS } from '@sms/contracts';
import {
  affectedRows,
  dbValue,
  erasureCommandHandler,
  type ErasureIdentity,
  type ErasureTarget,
  inTransaction,
  replaceNumberIn,
  type SliceEraser,
} from '@sms/persistence';
import type { DataSource } from 'typeorm';
import { NumberMaskEntity } from '../database/entities/number-mask.entity';

/**
 * Masking's part of an erasure (docs/privacy.md): the person's sessions (`number_masks.party_a|party_b`) keep
 * their rows with the token in place of the number and are closed (a session cannot forward to a token), and
 * the person's assignments (`mask_assignments`, the participant's hold on a pool number) go. The directory on
 * the compacted `sms.mask.v1` gets, under each closed session's keys, an inactive state that names the token
 * instead of the number, so once compacted the topic keeps no value with the number (its record keys still
 * do: docs/privacy.md, Kafka).
 */
export class MaskingEraser implements SliceEraser {
  readonly slice = 'masking' as const;

  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: Bus,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async erase(target: ErasureTarget): Promise<Record<string, number>> {
    const at = this.now();
    const { report, sessions } = await inTransaction(this.dataSource, async (manager) => {
      const found = await manager
        .getRepository(NumberMaskEntity)
        .createQueryBuilder('m')
        .where('m.partyA IN (:...n) OR m.partyB IN (:...n)', { n: [target.number, target.token] })
        .getMany();
      const closed = await affectedRows(
        manager,
        "UPDATE `number_masks` SET `status` = 'closed', `closed_at` = ? WHERE (`party_a` = ? OR `party_b` = ?) AND `status` = 'active'",
        [dbValue(this.dataSource, at), target.number, target.number],
      );
      // Both sides' holds on their pool numbers end with the session, as a close does.
      let assignments = await affectedRows(manager, 'DELETE FROM `mask_assignments` WHERE `participant` = ?', [
        target.number,
      ]);
      for (const mask of found.filter((m) => m.status === 'active')) {
        assignments += await affectedRows(manager, 'DELETE FROM `mask_assignments` WHERE `mask_id` = ?', [mask.id]);
      }
      const partyA = await replaceNumberIn(manager, 'number_masks', 'party_a', target);
      const partyB = await replaceNumberIn(manager, 'number_masks', 'party_b', target);

      // Sessions erased before are published again too: a retry after a failed publish still writes them.
      return {
        report: { number_masks: partyA + partyB, 'number_masks:closed': closed, mask_assignments: assignments },
        sessions: found,
      };
    });
    await this.bus.publish(sessions.flatMap((mask) => directoryStates(mask, target, at)));

    return report;
  }
}

/** Inactive states of both sides of a session, under their keys, with the erased number as the token. */
function directoryStates(mask: NumberMaskEntity, target: ErasureTarget, at: Date) {
  const erased = (number: string): string => (number === target.number ? target.token : number);
  // A session erased before holds the token: its directory key was made with the number.
  const keyed = (number: string): string => (number === target.token ? target.number : number);
  const side = (participant: string, poolNumber: string, destination: string, sender: string) => {
    const state: MaskDirectoryChangedV1 = {
      kind: 'assignment',
      poolNumber,
      participant: erased(participant),
      active: false,
      maskId: mask.id,
      destination: erased(destination),
      sender,
      expiresAt: mask.expiresAt.toISOString(),
      accountId: mask.accountId,
      occurredAt: at.toISOString(),
    };

    return {
      topic: TOPICS.mask,
      key: maskDirectoryKey({ kind: 'assignment', poolNumber, participant: keyed(participant) }),
      value: state,
    };
  };

  return [
    side(mask.partyA, mask.maskedA, mask.partyB, mask.maskedB),
    side(mask.partyB, mask.maskedB, mask.partyA, mask.maskedA),
  ];
}

/** The masking service's `sms.privacy.v1` group. */
export class MaskingErasureSubscriber implements OnApplicationBootstrap {
  constructor(
    private readonly bus: Bus,
    private readonly identity: ErasureIdentity,
    private readonly dataSource: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.bus.subscribe({
      groupId: PRIVACY_CONSUMER_GROUPS.masking,
      topics: [TOPICS.privacy],
      handler: erasureCommandHandler({
        ...this.identity,
        erasers: [new MaskingEraser(this.dataSource, this.bus)],
        publish: (records) => this.bus.publish(records),
      }),
    });
  }
}
