import { Logger } from '@nestjs/common';
import type { Bus } from '@sms/bus';
import {
  decodeEvent,
  ERASURE_SLICES,
  ErasureReportedV1,
  type ErasureSlice,
  PRIVACY_CONSUMER_GROUPS,
  PRIVACY_REPORT_CONSUMER_GROUP,
  TOPICS,
} from '@sms/contracts';
import { type ArchiveEraser, erasureCommandHandler, type SliceEraser } from '@sms/persistence';
import type { PrivacyErasuresStore } from './privacy-erasures.store';

export const PRIVACY_RUNTIME = Symbol('PRIVACY_RUNTIME');

/** The archives' slice: the bound ArchiveEraser rewrites every archive file that holds the number. */
export function archiveSlice(archive: ArchiveEraser): SliceEraser {
  return {
    slice: 'archives',
    erase: async (target) => {
      const result = await archive.eraseNumber(target.number);

      return { 'archive:files': result.filesRewritten.length, 'archive:rows': result.rowsErased };
    },
  };
}

/**
 * Intake's privacy part: the record (store), its own slice and the archives' (on `sms.privacy.v1`, like
 * every other slice), and the collection of every slice's report (`sms.privacy.report.v1`). Null (and the
 * routes answer 503) when PRIVACY_SALT is not set.
 */
export class PrivacyRuntime {
  private readonly logger = new Logger('privacy');

  constructor(
    readonly store: PrivacyErasuresStore,
    private readonly salt: string,
    private readonly intakeEraser: SliceEraser,
    private readonly archive: ArchiveEraser | null,
    /** This region (named in its reports) and every region (each reports every slice); none without regions. */
    private readonly regionsConfig: { readonly region: string | null; readonly regions: readonly string[] } = {
      region: null,
      regions: [],
    },
  ) {}

  /** The regions a new erasure waits for: every configured one, since each keeps its own messages. */
  regions(): readonly string[] {
    return this.regionsConfig.regions;
  }

  /** The slices a new erasure waits for: every service's, and the archives' when an archive is bound. */
  slices(): ErasureSlice[] {
    return ERASURE_SLICES.filter((slice) => slice !== 'archives' || this.archive !== null);
  }

  async subscribe(bus: Bus): Promise<void> {
    await bus.subscribe({
      groupId: PRIVACY_CONSUMER_GROUPS.intake,
      topics: [TOPICS.privacy],
      handler: erasureCommandHandler({
        salt: this.salt,
        region: this.regionsConfig.region,
        erasers: [this.intakeEraser, ...(this.archive ? [archiveSlice(this.archive)] : [])],
        publish: (records) => bus.publish(records),
      }),
    });
    await bus.subscribe({
      groupId: PRIVACY_REPORT_CONSUMER_GROUP,
      topics: [TOPICS.privacyReport],
      handler: async (record) => {
        const report = decodeEvent(ErasureReportedV1, record.value);
        if (!(await this.store.record(report))) {
          // Reports are global: another region's erasures reach every intake, and only the one that asked files
          // them. Otherwise another deployment's on a shared broker, or a record since removed.
          this.logger.debug(`report of slice ${report.slice} for erasure ${report.erasureId} not ours: ignored`);
        }
      },
    });
  }
}
