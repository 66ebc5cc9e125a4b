import type { MaskDirectoryChangedV1 } from '@sms/contracts';
import { affectedRows, dbValue, inTransaction, isDuplicateKeyError } from '@sms/persistence';
import { unprocessable } from '@sms/platform';
import { randomUUID } from 'node:crypto';
import { In, LessThanOrEqual, type DataSource } from 'typeorm';
import type { MaskListQuery } from './mask-list-query';
import { MaskAssignmentEntity } from '../database/entities/mask-assignment.entity';
import { MaskPoolNumberEntity } from '../database/entities/mask-pool-number.entity';
import { NumberMaskEntity } from '../database/entities/number-mask.entity';
import type { MaskRequest } from './mask-request';

export interface MaskView {
  readonly id: string;
  readonly contextId: string | null;
  readonly partyA: { readonly number: string; readonly maskedNumber: string };
  readonly partyB: { readonly number: string; readonly maskedNumber: string };
  readonly expiresAt: string;
  readonly status: 'active' | 'closed';
  readonly createdAt: string;
  readonly closedAt: string | null;
}

/** Where an inbound message to a pool number goes. */
export type InboundRoute =
  | {
      readonly kind: 'forward';
      readonly maskId: string;
      readonly accountId: string;
      readonly to: string;
      readonly from: string;
    }
  | { readonly kind: 'closed'; readonly maskId: string }
  | { readonly kind: 'stranger' }
  | { readonly kind: 'not-masked' };

/** Creations that lost a race for a number re-read the pool and try again this many times. */
const MAX_CREATE_ATTEMPTS = 5;

export type DirectoryPublisher = (changes: readonly MaskDirectoryChangedV1[]) => Promise<void>;

export const noMaskNumber = () =>
  unprocessable('NO_MASK_NUMBER_AVAILABLE', 'Every pool number is already in use by one of these parties');

/**
 * Masking sessions over a shared pool. A pool number serves any number of sessions as long as each
 * participant uses it in at most one active session (so the number alone tells whose conversation an
 * inbound message belongs to); `mask_assignments`' primary key enforces exactly that.
 */
export class MaskSessions {
  constructor(
    private readonly dataSource: DataSource,
    /** Publishes directory changes (`sms.mask.v1`) after they committed. */
    private readonly publish: DirectoryPublisher,
    private readonly now: () => Date = () => new Date(),
    private readonly random: () => number = Math.random,
  ) {}

  async create(request: MaskRequest, accountId: string): Promise<MaskView> {
    for (let attempt = 1; ; attempt++) {
      const [maskedA, maskedB] = await this.pick(request.partyA, request.partyB);
      const at = this.now();
      const mask: NumberMaskEntity = {
        id: randomUUID(),
        accountId,
        contextId: request.contextId,
        partyA: request.partyA,
        maskedA,
        partyB: request.partyB,
        maskedB,
        status: 'active',
        expiresAt: new Date(at.getTime() + request.ttlSeconds * 1000),
        createdAt: at,
        closedAt: null,
      };
      try {
        await inTransaction(this.dataSource, async (manager) => {
          await manager.insert(NumberMaskEntity, mask);
          await manager.insert(MaskAssignmentEntity, [
            { participant: mask.partyA, poolNumber: maskedA, maskId: mask.id },
            { participant: mask.partyB, poolNumber: maskedB, maskId: mask.id },
          ]);
        });
        await this.publish(assignmentChanges(mask, true, at));

        return toView(mask);
      } catch (error) {
        // Another session took one of these (participant, number) pairs between our read and write.
        if (!isDuplicateKeyError(error) || attempt >= MAX_CREATE_ATTEMPTS) {
          throw isDuplicateKeyError(error) ? noMaskNumber() : error;
        }
      }
    }
  }

  /** The session, when it belongs to `accountId` (another account's is reported as absent). */
  async find(id: string, accountId: string): Promise<MaskView | null> {
    const mask = await this.dataSource.getRepository(NumberMaskEntity).findOneBy({ id, accountId });
    if (!mask) {
      return null;
    }
    if (mask.status === 'active' && mask.expiresAt.getTime() <= this.now().getTime()) {
      await this.close(mask.id);

      return this.find(id, accountId);
    }

    return toView(mask);
  }

  /**
   * The account's sessions, newest first, one page: keyset on (created_at, id) so a page costs the same
   * however deep. A session past its expiry that the sweep has not closed yet shows as closed.
   */
  async list(accountId: string, query: MaskListQuery): Promise<{ data: MaskView[]; next: MaskListQuery['after'] }> {
    const builder = this.dataSource
      .getRepository(NumberMaskEntity)
      .createQueryBuilder('m')
      .where('m.account_id = :accountId', { accountId })
      .orderBy('m.created_at', 'DESC')
      .addOrderBy('m.id', 'DESC')
      .limit(query.limit + 1);
    if (query.status === 'active') {
      builder.andWhere("m.status = 'active' AND m.expires_at > :now", { now: dbValue(this.dataSource, this.now()) });
    } else if (query.status === 'closed') {
      builder.andWhere("(m.status <> 'active' OR m.expires_at <= :now)", { now: dbValue(this.dataSource, this.now()) });
    }
    if (query.after) {
      builder.andWhere('(m.created_at < :at OR (m.created_at = :at AND m.id < :id))', {
        at: dbValue(this.dataSource, query.after.createdAt),
        id: query.after.id,
      });
    }
    const rows = await builder.getMany();
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    const now = this.now().getTime();

    return {
      data: page.map((mask) =>
        mask.status === 'active' && mask.expiresAt.getTime() <= now ? closedView(mask) : toView(mask),
      ),
      next: rows.length > query.limit && last ? { createdAt: last.createdAt, id: last.id } : undefined,
    };
  }

  /** Ends a session and returns its numbers to the pool. False when it was not active. */
  async close(id: string): Promise<boolean> {
    const at = this.now();
    const closed = await inTransaction(this.dataSource, async (manager) => {
      const changed = await affectedRows(
        manager,
        "UPDATE number_masks SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'active'",
        [dbValue(this.dataSource, at), id],
      );
      await manager.delete(MaskAssignmentEntity, { maskId: id });

      return changed > 0;
    });
    const mask = await this.dataSource.getRepository(NumberMaskEntity).findOneBy({ id });
    if (mask) {
      // Also after a no-op close: a redelivery heals a crash between commit and publish.
      await this.publish(assignmentChanges(mask, false, at));
    }

    return closed;
  }

  /** Closes every session past its expiry; returns how many. The scheduled half of expiry. */
  async sweep(batch = 500): Promise<number> {
    const due = await this.dataSource.getRepository(NumberMaskEntity).find({
      select: { id: true },
      where: { status: 'active', expiresAt: LessThanOrEqual(this.now()) },
      take: batch,
    });
    let closed = 0;
    for (const { id } of due) {
      closed += (await this.close(id)) ? 1 : 0;
    }

    return closed;
  }

  /** The session an inbound message from `from` to `to` belongs to, checking expiry on use. */
  async routeInbound(from: string, to: string): Promise<InboundRoute> {
    const assignment = await this.dataSource
      .getRepository(MaskAssignmentEntity)
      .findOneBy({ participant: from, poolNumber: to });
    if (!assignment) {
      const pooled = await this.dataSource.getRepository(MaskPoolNumberEntity).existsBy({ number: to });

      return pooled ? { kind: 'stranger' } : { kind: 'not-masked' };
    }
    const mask = await this.dataSource.getRepository(NumberMaskEntity).findOneBy({ id: assignment.maskId });
    if (!mask || mask.status !== 'active' || mask.expiresAt.getTime() <= this.now().getTime()) {
      await this.close(assignment.maskId);

      return { kind: 'closed', maskId: assignment.maskId };
    }
    const fromA = mask.partyA === from && mask.maskedA === to;

    return fromA
      ? { kind: 'forward', maskId: mask.id, accountId: mask.accountId, to: mask.partyB, from: mask.maskedB }
      : { kind: 'forward', maskId: mask.id, accountId: mask.accountId, to: mask.partyA, from: mask.maskedA };
  }

  /** Adds numbers to an empty pool (embedded start, first distributed start). */
  async seedPoolIfEmpty(numbers: readonly string[]): Promise<number> {
    const pool = this.dataSource.getRepository(MaskPoolNumberEntity);
    if (numbers.length === 0 || (await pool.count()) > 0) {
      return 0;
    }
    const at = this.now();
    try {
      await pool.insert(numbers.map((number) => ({ number, active: true, createdAt: at })));
    } catch (error) {
      // Two replicas seeding at once: the other one did it.
      if (!isDuplicateKeyError(error)) {
        throw error;
      }

      return 0;
    }
    await this.publish(numbers.map((number) => poolChange(number, true, at)));

    return numbers.length;
  }

  /**
   * Publishes the whole directory again (pool and active sessions): the embedded bus starts empty after
   * a restart, and an auto-created Kafka topic without compaction may have aged records out.
   */
  async republishAll(): Promise<number> {
    const at = this.now();
    const pool = await this.dataSource.getRepository(MaskPoolNumberEntity).find();
    await this.publish(pool.map((row) => poolChange(row.number, row.active, at)));
    const active = await this.dataSource.getRepository(NumberMaskEntity).findBy({ status: 'active' });
    for (const mask of active) {
      await this.publish(assignmentChanges(mask, true, at));
    }

    return pool.length + active.length;
  }

  /**
   * Picks a pool number for each party among those it does not use yet, preferring one number free
   * for both (fewer numbers in play), at random so concurrent creations rarely collide.
   */
  private async pick(partyA: string, partyB: string): Promise<[string, string]> {
    const pool = (await this.dataSource.getRepository(MaskPoolNumberEntity).find({ where: { active: true } })).map(
      (row) => row.number,
    );
    const used = await this.dataSource
      .getRepository(MaskAssignmentEntity)
      .find({ where: { participant: In([partyA, partyB]) } });
    const free = (party: string) =>
      this.shuffle(pool.filter((n) => !used.some((u) => u.participant === party && u.poolNumber === n)));
    const freeA = free(partyA);
    const freeB = free(partyB);
    const shared = freeA.find((n) => freeB.includes(n));
    if (shared) {
      return [shared, shared];
    }
    const [a] = freeA;
    const [b] = freeB;
    if (a === undefined || b === undefined) {
      throw noMaskNumber();
    }

    return [a, b];
  }

  private shuffle(numbers: string[]): string[] {
    for (let i = numbers.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [numbers[i], numbers[j]] = [numbers[j] as string, numbers[i] as string];
    }

    return numbers;
  }
}

function poolChange(number: string, active: boolean, at: Date): MaskDirectoryChangedV1 {
  return { kind: 'pool', poolNumber: number, active, occurredAt: at.toISOString() };
}

/** Both sides of a session as directory entries: each participant's pool number leads to the other. */
function assignmentChanges(mask: NumberMaskEntity, active: boolean, at: Date): MaskDirectoryChangedV1[] {
  const side = (participant: string, poolNumber: string, destination: string, sender: string) => ({
    kind: 'assignment' as const,
    poolNumber,
    participant,
    active,
    maskId: mask.id,
    destination,
    sender,
    expiresAt: mask.expiresAt.toISOString(),
    accountId: mask.accountId,
    occurredAt: at.toISOString(),
  });

  return [
    side(mask.partyA, mask.maskedA, mask.partyB, mask.maskedB),
    side(mask.partyB, mask.maskedB, mask.partyA, mask.maskedA),
  ];
}

/** An expired session the sweep has not closed yet, as it will be. */
function closedView(mask: NumberMaskEntity): MaskView {
  return { ...toView(mask), status: 'closed', closedAt: mask.expiresAt.toISOString() };
}

function toView(mask: NumberMaskEntity): MaskView {
  return {
    id: mask.id,
    contextId: mask.contextId,
    partyA: { number: mask.partyA, maskedNumber: mask.maskedA },
    partyB: { number: mask.partyB, maskedNumber: mask.maskedB },
    expiresAt: mask.expiresAt.toISOString(),
    status: mask.status === 'active' ? 'active' : 'closed',
    createdAt: mask.createdAt.toISOString(),
    closedAt: mask.closedAt ? mask.closedAt.toISOString() : null,
  };
}
