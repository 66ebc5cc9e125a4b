import { randomUUID } from 'node:crypto';
import {
  ERASURE_SLICES,
  type ErasureReportedV1,
  type ErasureRequestedV1,
  type ErasureSlice,
  isStoreCount,
  TOPICS,
} from '@sms/contracts';
import {
  dbValue,
  enqueueOutbox,
  erasureTokenOf,
  inTransaction,
  isDuplicateKeyError,
  isMysql,
  sealNumber,
} from '@sms/persistence';
import type { DataSource } from 'typeorm';
import { PrivacyErasureEntity, PrivacyErasureSliceEntity } from '../database/entities/privacy-erasure.entity';
import { INTAKE_OUTBOX } from '../database/intake.schema';

export type ErasureStatus = 'pending' | 'completed';

export interface ErasureSliceView {
  readonly slice: ErasureSlice;
  readonly status: ErasureStatus;
  /** Rows (keys, files) changed per store; empty while pending. */
  readonly stores: Record<string, number>;
  readonly erasedAt: string | null;
}

export interface ErasureView {
  readonly id: string;
  readonly status: ErasureStatus;
  /** The erasure token that replaced the number everywhere: the same for every erasure of one number. */
  readonly numberHash: string;
  readonly requestedBy: string;
  readonly createdAt: string;
  readonly completedAt: string | null;
  readonly slices: ErasureSliceView[];
}

/**
 * The record of erasures (`privacy_erasures`, one row per request, and `privacy_erasure_slices`, one per slice
 * report). A request is written with its command in intake's outbox in one transaction, so an accepted
 * erasure always reaches every slice; the number itself is stored nowhere, only its token and, sealed, in the
 * command until the relay has published it.
 */
export class PrivacyErasuresStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly salt: string,
    private readonly onCommitted: () => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async request(input: {
    readonly accountId: string;
    readonly requestedBy: string;
    readonly number: string;
    readonly slices: readonly ErasureSlice[];
  }): Promise<ErasureView> {
    const at = this.now();
    const row: PrivacyErasureEntity = {
      id: randomUUID(),
      accountId: input.accountId,
      numberHash: erasureTokenOf(this.salt, input.number),
      requestedBy: input.requestedBy,
      status: 'pending',
      expectedSlices: input.slices.join(','),
      createdAt: at,
      completedAt: null,
    };
    const command: ErasureRequestedV1 = {
      erasureId: row.id,
      sealedNumber: sealNumber(this.salt, input.number),
      token: row.numberHash,
      requestedAt: at.toISOString(),
    };
    await inTransaction(this.dataSource, async (manager) => {
      await manager.insert(PrivacyErasureEntity, row);
      await enqueueOutbox(manager, INTAKE_OUTBOX, [{ topic: TOPICS.privacy, key: row.id, value: command }], at);
    });
    this.onCommitted();

    return toView(row, []);
  }

  /**
   * Files one slice's report; the first report of a slice counts (a redelivered command reports zero rows the
   * second time). The erasure is completed by the report that makes its set whole. False: no such erasure.
   */
  async record(report: ErasureReportedV1): Promise<boolean> {
    // Reports of one erasure are applied one at a time (the row is locked on MySQL; SQLite runs one
    // transaction at a time), and the count is a locking read: the last report always sees the others.
    const lock = isMysql(this.dataSource) ? ' FOR UPDATE' : '';
    const stores = Object.fromEntries(
      Object.entries(report.stores).filter(([store, rows]) => store.length <= 64 && isStoreCount(rows)),
    );

    return inTransaction(this.dataSource, async (manager) => {
      const [erasure] = await manager.query<{ id: string; status: string; expected_slices: string }[]>(
        `SELECT \`id\`, \`status\`, \`expected_slices\` FROM \`privacy_erasures\` WHERE \`id\` = ?${lock}`,
        [report.erasureId],
      );
      if (!erasure) {
        return false;
      }
      try {
        await manager.insert(PrivacyErasureSliceEntity, {
          erasureId: report.erasureId,
          slice: report.slice,
          stores: JSON.stringify(stores),
          erasedAt: new Date(report.erasedAt),
        });
      } catch (error) {
        if (!isDuplicateKeyError(error)) {
          throw error;
        }
      }
      const [{ reported }] = await manager.query<[{ reported: number | string }]>(
        `SELECT COUNT(*) AS \`reported\` FROM \`privacy_erasure_slices\` WHERE \`erasure_id\` = ?${lock}`,
        [erasure.id],
      );
      if (erasure.status === 'pending' && Number(reported) >= slicesOf(erasure.expected_slices).length) {
        await manager.query("UPDATE `privacy_erasures` SET `status` = 'completed', `completed_at` = ? WHERE `id` = ?", [
          dbValue(this.dataSource, this.now()),
          erasure.id,
        ]);
      }

      return true;
    });
  }

  async find(id: string): Promise<ErasureView | null> {
    const row = await this.dataSource.getRepository(PrivacyErasureEntity).findOneBy({ id });
    if (!row) {
      return null;
    }
    const slices = await this.dataSource.getRepository(PrivacyErasureSliceEntity).findBy({ erasureId: id });

    return toView(row, slices);
  }
}

const slicesOf = (expected: string): ErasureSlice[] =>
  expected.split(',').filter((slice): slice is ErasureSlice => ERASURE_SLICES.includes(slice as ErasureSlice));

function toView(row: PrivacyErasureEntity, reports: readonly PrivacyErasureSliceEntity[]): ErasureView {
  const bySlice = new Map(reports.map((report) => [report.slice, report]));

  return {
    id: row.id,
    status: row.status === 'completed' ? 'completed' : 'pending',
    numberHash: row.numberHash,
    requestedBy: row.requestedBy,
    createdAt: row.createdAt.toISOString(),
    completedAt: row.completedAt ? row.completedAt.toISOString() : null,
    slices: slicesOf(row.expectedSlices).map((slice) => {
      const report = bySlice.get(slice);

      return {
        slice,
        status: report ? 'completed' : 'pending',
        stores: report ? (JSON.parse(report.stores) as Record<string, number>) : {},
        erasedAt: report ? report.erasedAt.toISOString() : null,
      };
    }),
  };
}
