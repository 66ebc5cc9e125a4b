import { decodeEvent, type ErasureReportedV1, ErasureRequestedV1, type ErasureSlice, TOPICS } from '@sms/contracts';
import { type ErasureTarget, erasureTargetOf } from './erasure-sql';
import { erasureTokenOf, openSealedNumber } from './erasure-token';

/** What one service erases in its own stores; answers rows (or keys) changed per store. */
export interface SliceEraser {
  readonly slice: ErasureSlice;
  erase(target: ErasureTarget): Promise<Record<string, number>>;
}

/** What a service needs to apply commands: the salt that opens them, and the region its stores belong to. */
export interface ErasureIdentity {
  readonly salt: string;
  /** This deployment's region (REGION), named in every report; null without regions. */
  readonly region: string | null;
}

export interface ErasureRecordOut {
  readonly topic: string;
  readonly key: string;
  readonly value: ErasureReportedV1;
}

/** A command this process can never apply (bad payload, another salt): the DLQ, replayable once fixed. */
class UnusableErasureCommand extends Error {
  override readonly name = 'UnusableErasureCommand';
  readonly nonRetriable = true;
}

/**
 * The handler of a service's `sms.privacy.v1` group: opens the number, checks it against the token intake
 * computed (a process with another PRIVACY_SALT would erase nothing and report success), runs the service's
 * erasers and publishes one report per slice on `sms.privacy.report.v1`, naming its region: both topics are
 * global, so every region's services apply every command and the requesting intake hears from each region. A failure throws, so the bus retries
 * the command; an eraser that already ran changes nothing the second time.
 */
export function erasureCommandHandler(
  options: ErasureIdentity & {
    readonly erasers: readonly SliceEraser[];
    readonly publish: (records: ErasureRecordOut[]) => Promise<void>;
    readonly now?: () => Date;
  },
): (record: { readonly value: unknown }) => Promise<void> {
  return async (record) => {
    const command = decodeEvent(ErasureRequestedV1, record.value);
    if (!options.salt) {
      throw new UnusableErasureCommand('PRIVACY_SALT is not set in this process: it cannot open erasure commands');
    }
    let number: string;
    try {
      number = openSealedNumber(options.salt, command.sealedNumber);
    } catch {
      throw new UnusableErasureCommand('the erasure command was sealed under another PRIVACY_SALT');
    }
    if (erasureTokenOf(options.salt, number) !== command.token) {
      throw new UnusableErasureCommand('the erasure token was made with another PRIVACY_SALT');
    }
    const target = erasureTargetOf(number, command.token);
    const reports: ErasureRecordOut[] = [];
    for (const eraser of options.erasers) {
      const stores = await eraser.erase(target);
      reports.push({
        topic: TOPICS.privacyReport,
        key: command.erasureId,
        value: {
          erasureId: command.erasureId,
          slice: eraser.slice,
          stores,
          region: options.region,
          erasedAt: (options.now?.() ?? new Date()).toISOString(),
        },
      });
    }
    await options.publish(reports);
  };
}
