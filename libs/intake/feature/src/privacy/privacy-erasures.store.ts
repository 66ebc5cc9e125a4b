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
  /** The region whose stores this is (every region erases in its own); null without regions. */
  readonly region: string | null;
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
    /** Every configured region (each must report each slice); empty without regions. */
    readonly regions: readonly string[];
  }): Promise<ErasureView> {
    const at = this.now();
    const row: PrivacyErasureEntity = {
      id: randomUUID(),
      accountId: input.accountId,
      numberHash: erasureTokenOf(this.salt, input.number),
      requestedBy: input.requestedBy,
      status: 'pending',
      expectedSlices: input.slices.join(','),
      expectedRegions: input.regions.join(','),
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
   * Files one region's report of one slice; the first report of a (region, slice) counts (a redelivered command
   * reports zero rows the second time). The erasure is completed by the report that makes its set whole: every
   * expected slice from every expected region. False: no such erasure (another region's, on the global topic).
   */
  async record(report: ErasureReportedV1): Promise<boolean> {
    // Reports of one erasure are applied one at a time (the row is locked on MySQL; SQLite runs one
    // transaction at a time), and the count is a locking read: the last report always sees the others.
    const lock = isMysql(this.dataSource) ? ' FOR UPDATE' : '';
    const stores = Object.fromEntries(
      Object.entries(report.stores).filter(([store, rows]) => store.length <= 64 && isStoreCount(rows)),
    );

    return inTransaction(this.dataSource, async (manager) => {
      const [erasure] = await manager.query<
        { id: string; status: string; expected_slices: string; expected_regions: string }[]
      >('SELECT `id`, `status`, `expected_slices`, `expected_regions` FROM `privacy_erasures` WHERE `id` = ?' + lock, [
        report.erasureId,
      ]);
      if (!erasure) {
        return false;
      }
      try {
        await manager.insert(PrivacyErasureSliceEntity, {
          erasureId: report.erasureId,
          region: report.region ?? '',
          slice: report.slice,
          stores: JSON.stringify(stores),
          erasedAt: new Date(report.erasedAt),
        });
      } catch (error) {
        if (!isDuplicateKeyError(error)) {
          throw error;
        }
      }
      const reported = await manager.query<{ region: string; slice: string }[]>(
        `SELECT \`region\`, \`slice\` FROM \`privacy_erasure_slices\` WHERE \`erasure_id\` = ?${lock}`,
        [erasure.id],
      );
      const have = new Set(reported.map((row) => `${row.region}|${row.slice}`));
      const whole = expectedPairs(erasure.expected_regions, erasure.expected_slices).every(([region, slice]) =>
        have.has(`${region}|${slice}`),
      );
      if (erasure.status === 'pending' && whole) {
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

/** Every (region, slice) an erasure waits for; region `''` for a deployment without regions. */
const expectedPairs = (regions: string, slices: string): [string, ErasureSlice][] =>
  (regions === '' ? [''] : regions.split(',')).flatMap((region) =>
    slicesOf(slices).map((slice): [string, ErasureSlice] => [region, slice]),
  );

function toView(row: PrivacyErasureEntity, reports: readonly PrivacyErasureSliceEntity[]): ErasureView {
  const byPair = new Map(reports.map((report) => [`${report.region}|${report.slice}`, report]));

  return {
    id: row.id,
    status: row.status === 'completed' ? 'completed' : 'pending',
    numberHash: row.numberHash,
    requestedBy: row.requestedBy,
    createdAt: row.createdAt.toISOString(),
    completedAt: row.completedAt ? row.completedAt.toISOString() : null,
    slices: expectedPairs(row.expectedRegions, row.expectedSlices).map(([region, slice]) => {
      const report = byPair.get(`${region}|${slice}`);

      return {
        region: region === '' ? null : region,
        slice,
        status: report ? 'completed' : 'pending',
        stores: report ? (JSON.parse(report.stores) as Record<string, number>) : {},
        erasedAt: report ? report.erasedAt.toISOString() : null,
      };
    }),
  };
}
